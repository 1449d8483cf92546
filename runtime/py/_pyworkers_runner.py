# Drives one handler call for the pyworkers-lsp runtime: imports the Worker's
# main module, finds its entrypoint the way Cloudflare's runtime does, calls
# the handler "relaxed" (extra arguments dropped) and reports the outcome to
# the Go host through the _pyworkers_host JS module.
import asyncio
import random
import importlib
import inspect
import os
import sys
import traceback

import _pyworkers_host as host
from pyodide.code import relaxed_call
from pyodide.ffi import JsProxy, create_proxy, to_js

_RUNNER_FILE = __file__
_PROJECT_PATHS = ("/session/metadata", "/session/python_modules", "/lib/pyworkers/vendored")
_pth_done = False


def _process_pth_files():
    """From compatibility date 2026-05-26 (python_process_pth_files) the
    .pth files of python_modules/ are processed as site processes those of
    site-packages: path lines are added to sys.path, import lines run."""
    global _pth_done
    if _pth_done:
        return
    _pth_done = True
    try:
        import _cloudflare_compat_flags as flags

        on = bool(getattr(flags, "python_process_pth_files", False))
    except ImportError:
        on = False
    if on:
        import site

        site.addsitedir("/session/python_modules")


def _format(exc):
    # Hide this module's frames: users should see their own code first.
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == _RUNNER_FILE:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _entrypoint_base_classes():
    try:
        import workers
    except ImportError:
        return ()
    names = ("WorkerEntrypoint", "DurableObject", "WorkflowEntrypoint")
    return tuple(getattr(workers, n) for n in names if hasattr(workers, n))


def _find_handler(mod, kind, ctx=None):
    """Returns (callable, is_class_method) for the default entrypoint."""
    default = getattr(mod, "Default", None)
    legacy = getattr(mod, "on_" + kind, None)
    if inspect.isclass(default):
        if legacy is not None and not host.noGlobalHandlers:
            raise TypeError("Cannot define multiple default entrypoints")
        inst = default(host.ctx if ctx is None else ctx, host.env)
        method = getattr(inst, kind, None)
        if method is None:
            raise TypeError(f"Handler does not export a {kind}() function.")
        return method, True
    if legacy is not None and not host.noGlobalHandlers:
        return legacy, False
    if legacy is not None:
        raise TypeError(
            f"Module-level on_{kind} is ignored since python_no_global_handlers "
            f"(compatibility date 2025-08-14): define class Default(WorkerEntrypoint) "
            f"with a {kind}(self, ...) method"
        )
    bases = _entrypoint_base_classes()
    others = [
        n for n, v in vars(mod).items()
        if inspect.isclass(v) and bases and issubclass(v, bases) and v not in bases
    ]
    hint = f" (found {', '.join(others)}; the default export must be named Default)" if others else ""
    if host.noGlobalHandlers:
        raise TypeError(f"Method {kind} does not exist: the main module has no class Default{hint}")
    raise TypeError(f"Method on_{kind} does not exist{hint}")


def _wrap_request(req):
    try:
        import workers
    except ImportError:
        return req
    cls = getattr(workers, "Request", None)
    return cls(req) if cls is not None else req


async def _call():
    # The Worker's folders were mounted after the snapshot: drop their cached
    # directory listings (importlib.invalidate_caches() would also re-read
    # the stdlib zip's index, which is slow).
    for path in _PROJECT_PATHS:
        sys.path_importer_cache.pop(path, None)
    _process_pth_files()
    mod = importlib.import_module(host.main)
    kind = host.kind
    if kind == "call":
        return await _class_call(mod, host.call)
    fn, _ = _find_handler(mod, kind)
    if kind == "fetch":
        first = _wrap_request(host.request)
    elif kind in ("scheduled", "queue"):
        first = host.controller
    else:
        raise TypeError(f"unsupported handler kind {kind}")
    # Every handler is offered (event, env, ctx) and takes as many as its
    # signature has, as the SDK's entrypoint helper calls them: fetch(self,
    # request) and scheduled(self, controller, env, ctx) are both right.
    result = relaxed_call(fn, first, host.env, host.ctx)
    if inspect.isawaitable(result):
        result = await result
    return result


# ---- calls into classes of the Worker: Durable Objects (fetch, alarm, RPC),
# Workflows (run), named entrypoints (RPC over service bindings). One instance
# per key (class + object id) lives as long as the run's interpreter.

_instances = {}


def _evict(key):
    """Drops a class instance (a Durable Object that hibernates)."""
    _instances.pop(key, None)


def _rpc_helpers():
    try:
        from workers._rpc import python_from_rpc, python_to_rpc  # built-in SDK
    except ImportError:
        try:
            from workers.rpc import python_from_rpc, python_to_rpc  # workers-runtime-sdk
        except ImportError:
            python_from_rpc = _plain_from_js
            python_to_rpc = _plain_to_js
    return python_from_rpc, python_to_rpc


def _plain_from_js(v):
    return v.to_py() if isinstance(v, JsProxy) else v


def _plain_to_js(v):
    from js import Object

    return to_js(v, dict_converter=Object.fromEntries)


def _instance(mod, call):
    key = call.key
    inst = _instances.get(key)
    if inst is not None:
        return inst
    name = call.className or "Default"
    cls = getattr(mod, name, None)
    if not inspect.isclass(cls):
        raise TypeError(f"the main module {host.main} has no class {name}")
    ctx = call.ctx if call.ctx is not None else host.ctx
    inst = cls(ctx, host.env)
    _instances[key] = inst
    return inst


async def _class_call(mod, call):
    """Calls call.method of the class instance call describes; returns the JS result."""
    from_rpc, to_rpc = _rpc_helpers()
    inst = _instance(mod, call)
    method = call.method
    if method.startswith("_") and method not in ("__call__",):
        raise TypeError(f"The RPC receiver does not implement the method \"{method}\".")
    fn = getattr(inst, method, None)
    if fn is None or not callable(fn):
        raise TypeError(f"The RPC receiver does not implement the method \"{method}\".")
    js_args = list(call.args)
    if method == "fetch":
        result = relaxed_call(fn, _wrap_request(js_args[0]))
    elif call.raw:
        # Host-made arguments (a Workflow's event and step, alarm info) go
        # in as JS objects: the SDK's wrappers convert them.
        result = relaxed_call(fn, *js_args)
    else:
        result = fn(*[from_rpc(a) for a in js_args])
    if inspect.isawaitable(result):
        result = await result
    if method == "fetch":
        return getattr(result, "js_object", result)
    if isinstance(result, JsProxy) or result is None:
        return result
    return to_rpc(result)


def _class_methods(name):
    """Public methods of a class of the main module (what an RPC stub offers)."""
    mod = importlib.import_module(host.main)
    cls = getattr(mod, name or "Default", None)
    if not inspect.isclass(cls):
        return to_js([])
    return to_js([n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n, None))])


def _dispatch(call):
    """Entry point for calls made while the run is going on (stubs, step callbacks)."""

    async def go():
        try:
            mod = importlib.import_module(host.main)
            value = await _class_call(mod, call)
        except BaseException as e:  # noqa: BLE001 - the caller's promise rejects
            call.reject(type(e).__name__, str(e), _format(e))
            return
        call.resolve(value)

    asyncio.ensure_future(go())


def _fetch_response(result):
    """The JS Response a fetch handler returned, or raises TypeError."""
    js_response = getattr(result, "js_object", result)
    try:
        name = js_response.constructor.name
    except Exception:  # noqa: BLE001
        name = type(result).__name__
    if name != "Response":
        raise TypeError(
            "Incorrect type for the 'fetch' handler's result: expected a Response, "
            f"got {type(result).__name__}"
        )
    return js_response


def _finish(task):
    try:
        result = task.result()
    except BaseException as e:  # noqa: BLE001 - report everything to the host
        host.reject(type(e).__name__, str(e), _format(e))
        return
    if host.kind == "call":
        host.resolve(result)
        return
    if host.kind == "fetch":
        try:
            js_response = _fetch_response(result)
        except TypeError as e:
            host.reject("TypeError", str(e), "")
            return
        host.resolve(js_response)
    else:
        host.resolve(None)


def _use_bytecode_cache():
    # The host keeps compiled modules of the Worker and its python_modules
    # between runs (bytecode_cache.go): compiling from source is most of a
    # first import.
    if os.path.isdir("/pyworkers-pycache"):
        sys.pycache_prefix = "/pyworkers-pycache"
        sys.dont_write_bytecode = False


def prime():
    """Runs the Worker's top level for a dedicated snapshot (no handler)."""
    _use_bytecode_cache()
    for path in _PROJECT_PATHS:
        sys.path_importer_cache.pop(path, None)
    _process_pth_files()
    importlib.import_module(host.main)


def start():
    # Every run starts from the same memory snapshot, so the random module's
    # state would repeat run after run: reseed it from fresh entropy, as
    # Cloudflare's runtime does after restoring a snapshot.
    random.seed()
    _use_bytecode_cache()
    host.dispatch = create_proxy(_dispatch)
    host.classMethods = create_proxy(_class_methods)
    task = asyncio.ensure_future(_call())
    task.add_done_callback(_finish)


# ---- serving: one interpreter answers many requests, as an isolate does
# (the dev server). Requests interleave at their awaits.


def _serve(call):
    """Handles one request: call.request, call.ctx; reports to call.resolve/reject."""

    async def go():
        try:
            mod = importlib.import_module(host.main)
            fn, _ = _find_handler(mod, "fetch", call.ctx)
            result = relaxed_call(fn, _wrap_request(call.request), host.env, call.ctx)
            if inspect.isawaitable(result):
                result = await result
            js_response = _fetch_response(result)
        except BaseException as e:  # noqa: BLE001 - the request answers 500
            call.reject(type(e).__name__, str(e), _format(e))
            return
        call.resolve(js_response)

    asyncio.ensure_future(go())


def _serve_event(call):
    """Runs the scheduled or queue handler: call.kind, call.arg, call.ctx."""

    async def go():
        try:
            mod = importlib.import_module(host.main)
            fn, _ = _find_handler(mod, call.kind, call.ctx)
            result = relaxed_call(fn, call.arg, host.env, call.ctx)
            if inspect.isawaitable(result):
                await result
        except BaseException as e:  # noqa: BLE001 - reported as the run's error
            call.reject(type(e).__name__, str(e), _format(e))
            return
        call.resolve(None)

    asyncio.ensure_future(go())


def serve_start():
    """Makes this interpreter a server of requests: host.serve(call) takes one."""
    random.seed()
    _use_bytecode_cache()
    for path in _PROJECT_PATHS:
        sys.path_importer_cache.pop(path, None)
    _process_pth_files()
    importlib.import_module(host.main)
    host.dispatch = create_proxy(_dispatch)
    host.classMethods = create_proxy(_class_methods)
    host.serve = create_proxy(_serve)
    host.serveEvent = create_proxy(_serve_event)
    host.evict = create_proxy(_evict)
