"""RPC conversions and binding wrappers of the built-in SDK.

Follows workers-runtime-sdk's rpc.py and entrypoints.py (MIT, Cloudflare):
values crossing an RPC boundary (Durable Object stubs, service bindings,
Workflows, queue batches) are converted the same way, so a Worker behaves
alike with either SDK.
"""

import datetime
import inspect
from asyncio import create_task, gather

import _cloudflare_compat_flags
import js
from js import Object
from pyodide.ffi import JsException, JsProxy, create_proxy, to_js

from ._utils import _constructor_name, _is_js_instance, jsnull

_WRAPPED_BY_CLASS = {"Response", "Request"}


def python_from_rpc(obj):
    """JS → Python: Response/Request wrappers, Date → datetime, objects → dicts."""
    if obj is None or obj is jsnull:
        return None
    if not isinstance(obj, JsProxy):
        return obj
    name = _constructor_name(obj)
    if name == "Response":
        from ._http import Response

        return Response(obj)
    if name == "Request":
        from ._http import Request

        return Request(obj)
    if name == "Date":
        return datetime.datetime.fromtimestamp(obj.getTime() / 1000)
    # Plain objects, arrays, Maps and Sets convert; class instances (binding
    # objects, stubs) stay proxies, as to_py leaves them.
    converted = obj.to_py()
    if isinstance(converted, JsProxy):
        return converted
    return _replace_jsnull(converted)


class JsDict(dict):
    """A dict converted from a JS object; keys are also attributes."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value


def _replace_jsnull(obj):
    # Scalars are handled inline: a D1 result has thousands of them, and a
    # call per value is most of this function's cost.
    if isinstance(obj, dict):
        return JsDict(
            {k: None if v is jsnull else (_replace_jsnull(v) if isinstance(v, (dict, list)) else v) for k, v in obj.items()}
        )
    if isinstance(obj, list):
        return [None if v is jsnull else (_replace_jsnull(v) if isinstance(v, (dict, list)) else v) for v in obj]
    return None if obj is jsnull else obj


def _raise_on_disabled_type(value):
    if isinstance(value, _BindingWrapper) or (callable(value) and not isinstance(value, type)):
        return
    if isinstance(value, (tuple, bytearray)):
        raise TypeError(f"{type(value)} cannot be sent over RPC.")
    if inspect.isawaitable(value):
        raise TypeError(f"Awaitable {type(value)} cannot be sent over RPC.")
    if isinstance(value, dict):
        for v in value.values():
            _raise_on_disabled_type(v)
    elif isinstance(value, (list, set)):
        for v in value:
            _raise_on_disabled_type(v)


def _to_rpc_default(obj, convert, cache):
    if obj is None:
        return jsnull
    if isinstance(obj, _BindingWrapper):
        return obj._binding
    if hasattr(obj, "js_object"):
        return obj.js_object
    if isinstance(obj, datetime.datetime):
        return js.Date.new(obj.timestamp() * 1000)
    if isinstance(obj, Exception):
        return js.Error.new(str(obj))
    if callable(obj) and not isinstance(obj, type):
        return create_proxy(obj)
    return obj


def _replace_none(value):
    if value is None:
        return jsnull
    if isinstance(value, dict):
        return {k: _replace_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_none(v) for v in value]
    return value


def python_to_rpc(value):
    """Python → JS: dicts become plain objects, None null, wrappers their JS object."""
    if value is None:
        return jsnull
    if isinstance(value, _BindingWrapper):
        return value._binding
    if hasattr(value, "js_object"):
        return value.js_object
    value = _replace_none(value)
    _raise_on_disabled_type(value)
    return to_js(value, default_converter=_to_rpc_default, dict_converter=Object.fromEntries)


def _idempotent_new(cls, obj):
    if isinstance(obj, cls):
        return obj
    return object.__new__(cls)


# JS values handed to Python as they are: plain data, and web platform
# objects users pass straight back to JS (a KV or R2 body stream).
_UNWRAPPED_CLASSES = {
    None, "Object", "Array", "Function",
    "ReadableStream", "WritableStream", "TransformStream", "ArrayBuffer", "Uint8Array",
    "Blob", "File", "Headers", "FormData", "URL",
}


class _BindingWrapper:
    """Converts arguments to JS and results to Python around a JS object."""

    __new__ = _idempotent_new

    def __init__(self, binding):
        if binding is self:
            return
        self._binding = binding

    def _wrap(self, value):
        if isinstance(value, JsProxy) and _constructor_name(value) not in _UNWRAPPED_CLASSES:
            if callable(value):
                return _RpcStubWrapper(value)
            return _BindingWrapper(value)
        return value

    def _convert_result(self, result):
        converted = python_from_rpc(result)
        if isinstance(converted, list):
            return [self._wrap(x) for x in converted]
        return self._wrap(converted)

    def _invoke(self, fn, args, kwargs):
        js_args = [python_to_rpc(a) for a in args]
        js_kwargs = {k: python_to_rpc(v) for k, v in kwargs.items()}
        result = fn(*js_args, **js_kwargs)
        if hasattr(result, "then") and callable(result.then):

            async def await_and_convert():
                return self._convert_result(await result)

            return await_and_convert()
        return self._convert_result(result)

    def __getattr__(self, name):
        attr = getattr(self._binding, name)
        if not callable(attr):
            return self._convert_result(attr)

        def method(*args, **kwargs):
            return self._invoke(attr, args, kwargs)

        return method

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._convert_result(self._binding[key])
        return self._convert_result(getattr(self._binding, key))

    def __iter__(self):
        for item in self._binding:
            yield self._convert_result(item)

    def __len__(self):
        length = getattr(self._binding, "length", None)
        if not isinstance(length, int):
            raise TypeError(f"'{_constructor_name(self._binding)}' object has no len()")
        return length


class _RpcStubWrapper(_BindingWrapper):
    def __call__(self, *args, **kwargs):
        return self._invoke(self._binding, args, kwargs)


class _FetcherWrapper(_BindingWrapper):
    def fetch(self, *args, **kwargs):
        from ._http import fetch

        return fetch(*args, fetcher=self._binding.fetch, **kwargs)


class _DurableObjectNamespaceWrapper:
    def __init__(self, binding):
        self._binding = binding

    def __getattr__(self, name):
        return getattr(self._binding, name)

    def get(self, *args, **kwargs):
        return _FetcherWrapper(self._binding.get(*args, **kwargs))

    def getByName(self, *args, **kwargs):  # noqa: N802 - the JS name
        return _FetcherWrapper(self._binding.getByName(*args, **kwargs))


class _WorkflowInstanceWrapper(_BindingWrapper):
    async def send_event(self, *args, **kwargs):
        return await self._invoke(self._binding.sendEvent, args, kwargs)


class _WorkflowBindingWrapper(_BindingWrapper):
    async def get(self, *args, **kwargs):
        return _WorkflowInstanceWrapper(await self._binding.get(*[python_to_rpc(a) for a in args]))

    async def create(self, *args, **kwargs):
        js_kwargs = {k: python_to_rpc(v) for k, v in kwargs.items()}
        return _WorkflowInstanceWrapper(await self._binding.create(*[python_to_rpc(a) for a in args], **js_kwargs))

    async def create_batch(self, *args, **kwargs):
        batch = await self._binding.createBatch(*[python_to_rpc(a) for a in args])
        return [_WorkflowInstanceWrapper(w) for w in batch]

    createBatch = create_batch  # noqa: N815 - the JS name


# Storage bindings whose results are converted to Python, as
# workers-runtime-sdk 1.6 does: a missing KV key is None, a D1 row a dict.
_CONVERTED_BINDINGS = {"KvNamespace", "D1Database", "R2Bucket", "WorkerQueue", "Ai", "VectorizeIndexImpl", "AnalyticsEngineDataset"}


def wrap_binding(binding):
    """The wrapper the SDK puts around env.<name>, chosen by JS class name."""
    name = _constructor_name(binding)
    if name in _CONVERTED_BINDINGS:
        return _BindingWrapper(binding)
    if name == "Fetcher":
        return _FetcherWrapper(binding)
    if name == "DurableObjectNamespace":
        return _DurableObjectNamespaceWrapper(binding)
    if name == "WorkflowImpl":
        return _WorkflowBindingWrapper(binding)
    return binding


# ---- Workflows: the step object handed to run(event, step)


class _WorkflowStepWrapper:
    __new__ = _idempotent_new

    def __init__(self, js_step):
        if js_step is self:
            return
        self._js_step = js_step
        self._memoized = {}
        self._in_flight = {}
        self.step_closures = {}
        if _cloudflare_compat_flags.python_workflows_implicit_dependencies:
            self.do = self._do_implicit
        else:
            self.do = self._do_legacy

    def _do_legacy(self, name, depends=None, concurrent=False, config=None):
        return self._decorator(name, depends, concurrent, config, implicit=False)

    def _do_implicit(self, name=None, *, concurrent=False, config=None):
        return self._decorator(name, None, concurrent, config, implicit=True)

    def _decorator(self, name, depends, concurrent, config, implicit):
        def decorator(func):
            step_name = func.__name__ if name is None else name

            async def wrapper():
                deps = self._dependencies(func, depends, implicit)
                if concurrent:
                    results = await gather(*[self._resolve(d) for d in deps])
                else:
                    results = [await self._resolve(d) for d in deps]
                return await self._call(step_name, config, func, *results)

            wrapper._step_name = step_name
            self.step_closures[step_name] = wrapper
            return wrapper

        return decorator

    def _dependencies(self, func, depends, implicit):
        params = list(inspect.signature(func).parameters.values())
        out = []
        if implicit:
            for p in params:
                if p.name in self.step_closures:
                    out.append(self.step_closures[p.name])
                elif p.name == "ctx":
                    out.append(p)
                else:
                    raise TypeError(f"Received unexpected parameter {p.name}")
            return out
        non_ctx = [p for p in params if p.name != "ctx"]
        if depends is None and non_ctx:
            raise TypeError(f"Step has {len(non_ctx)} non-ctx parameter(s) but no 'depends' list provided")
        if depends is not None and len(depends) != len(non_ctx):
            raise TypeError(
                f"Step declares {len(non_ctx)} non-ctx parameter(s) but 'depends' has {len(depends)} item(s)"
            )
        i = 0
        for p in params:
            if p.name == "ctx":
                out.append(p)
            else:
                out.append(depends[i])
                i += 1
        return out

    async def _resolve(self, dep):
        if isinstance(dep, inspect.Parameter):
            return dep
        if dep._step_name in self._memoized:
            return self._memoized[dep._step_name]
        if dep._step_name in self._in_flight:
            return await self._in_flight[dep._step_name]
        return await dep()

    async def _call(self, name, config, func, *results):
        async def callback(ctx=None):
            args = tuple(python_from_rpc(ctx) if isinstance(r, inspect.Parameter) else r for r in results)
            value = func(*args)
            if inspect.iscoroutine(value):
                value = await value
            return to_js(value, dict_converter=Object.fromEntries)

        async def closure():
            try:
                if config is None:
                    out = await self._js_step.do(name, callback)
                else:
                    out = await self._js_step.do(name, to_js(config, dict_converter=Object.fromEntries), callback)
                return python_from_rpc(out)
            except JsException as exc:
                raise _from_js_error(exc) from exc

        task = create_task(closure())
        self._in_flight[name] = task
        try:
            result = await task
            self._memoized[name] = result
        finally:
            del self._in_flight[name]
        return result

    def sleep(self, *args, **kwargs):
        return self._js_step.sleep(*args, **kwargs)

    def sleep_until(self, name, timestamp):
        if not isinstance(timestamp, str):
            timestamp = python_to_rpc(timestamp)
        return self._js_step.sleepUntil(name, timestamp)

    async def wait_for_event(self, name, event_type, /, timeout="24 hours"):
        opts = to_js({"type": event_type, "timeout": timeout}, dict_converter=Object.fromEntries)
        return python_from_rpc(await self._js_step.waitForEvent(name, opts))


def _from_js_error(exc):
    """A step's JS error back to Python (NonRetryableError keeps its class)."""
    from .workflows import NonRetryableError

    name = getattr(exc, "name", "")
    message = getattr(exc, "message", str(exc))
    if name == "NonRetryableError":
        return NonRetryableError(message)
    return exc
