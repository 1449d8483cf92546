import functools

import _pyodide_entrypoint_helper

from ._http import Request
from ._utils import _EnvWrapper, _is_js_instance


def _wrap_init(cls):
    original = cls.__dict__.get("__init__")
    if original is None or getattr(original, "_pyworkers_wrapped", False):
        return cls

    def __init__(self, *args, **kwargs):
        args = list(args)
        if args:
            _pyodide_entrypoint_helper.patchWaitUntil(args[0])
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


class WorkerEntrypoint(_Entrypoint):
    """Base class of a Worker's entrypoints (class Default(WorkerEntrypoint))."""


class DurableObject(_Entrypoint):
    """Base class of a Durable Object."""


class WorkflowEntrypoint(_Entrypoint):
    """Base class of a Workflow."""


for _cls in (WorkerEntrypoint, DurableObject, WorkflowEntrypoint):
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
