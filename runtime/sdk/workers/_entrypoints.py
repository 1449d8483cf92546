import functools
import inspect

import _pyodide_entrypoint_helper

from ._http import Request
from ._utils import _EnvWrapper, _is_js_instance


class DurableObjectContext:
    """self.ctx of a Durable Object: ctx.storage converts like a binding."""

    def __new__(cls, ctx):
        return ctx if isinstance(ctx, cls) else object.__new__(cls)

    def __init__(self, ctx):
        if ctx is self:
            return
        self._ctx = ctx

    def __getattr__(self, name):
        from ._rpc import _BindingWrapper

        result = getattr(self._ctx, name)
        if _is_js_instance(result, "DurableObjectStorage"):
            result = _BindingWrapper(result)
        setattr(self, name, result)
        return result


def _wrap_init(cls):
    original = cls.__dict__.get("__init__")
    if original is None or getattr(original, "_pyworkers_wrapped", False):
        return cls

    def __init__(self, *args, **kwargs):
        args = list(args)
        if args:
            _pyodide_entrypoint_helper.patchWaitUntil(args[0])
            if isinstance(self, DurableObject):
                args[0] = DurableObjectContext(args[0])
        if len(args) > 1:
            args[1] = _EnvWrapper(args[1])
        original(self, *args, **kwargs)

    __init__._pyworkers_wrapped = True
    cls.__init__ = __init__
    return cls


class _Entrypoint:
    def __init__(self, ctx, env):
        self.ctx = ctx
        self.env = env

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _wrap_init(cls)


def _wrap_queue_handler(cls):
    queue_fn = cls.__dict__.get("queue")
    if queue_fn is None:
        return

    @functools.wraps(queue_fn)
    async def queue(self, batch, *args, **kwargs):
        from ._rpc import _BindingWrapper

        result = queue_fn(self, _BindingWrapper(batch), *args, **kwargs)
        if inspect.iscoroutine(result):
            result = await result
        return result

    cls.queue = queue


def _wrap_workflow_run(cls):
    run_fn = cls.__dict__.get("run")
    if run_fn is None:
        return

    @functools.wraps(run_fn)
    async def run(self, event=None, step=None, /, *args, **kwargs):
        from ._rpc import _WorkflowStepWrapper, python_from_rpc, python_to_rpc

        if event is not None:
            event = python_from_rpc(event)
        if step is not None:
            step = _WorkflowStepWrapper(step)
        result = run_fn(self, event, step, *args, **kwargs)
        if inspect.iscoroutine(result):
            result = await result
        return None if result is None else python_to_rpc(result)

    cls.run = run


class WorkerEntrypoint(_Entrypoint):
    """Base class of a Worker's entrypoints (class Default(WorkerEntrypoint))."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _wrap_queue_handler(cls)


class DurableObject(_Entrypoint):
    """Base class of a Durable Object."""


class WorkflowEntrypoint(_Entrypoint):
    """Base class of a Workflow."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _wrap_workflow_run(cls)


for _cls in (_Entrypoint, WorkerEntrypoint, DurableObject, WorkflowEntrypoint):
    _wrap_init(_cls)


def handler(func):
    """Legacy decorator for module-level on_fetch/on_scheduled handlers."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if args and _is_js_instance(args[0], "Request"):
            args = (Request(args[0]), *args[1:])
        if len(args) > 1:
            args = (args[0], _EnvWrapper(args[1]), *args[2:])
        return func(*args, **kwargs)

    return wrapper
