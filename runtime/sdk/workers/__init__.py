"""Built-in `workers` SDK of the pyworkers-lsp runtime.

A compatible stand-in for Cloudflare's workers-runtime-sdk (1.6.x behaviour),
used only when the project does not vendor the real SDK into python_modules/.
"""

from ._entrypoints import DurableObject, WorkerEntrypoint, WorkflowEntrypoint, handler
from ._http import FetchResponse, Request, Response, fetch
from ._utils import _EnvWrapper, import_from_javascript, patch_env
from . import _rpc as _rpc  # noqa: F401 - imported at start so the runtime's memory snapshot holds it compiled
from . import workflows as workflows  # noqa: F401 - likewise

__all__ = [
    "DurableObject",
    "FetchResponse",
    "Request",
    "Response",
    "WorkerEntrypoint",
    "WorkflowEntrypoint",
    "env",
    "fetch",
    "handler",
    "import_from_javascript",
    "patch_env",
    "wait_until",
    "waitUntil",
]


def __getattr__(key):
    if key == "env":
        return _EnvWrapper(import_from_javascript("cloudflare:workers").env)
    if key in ("wait_until", "waitUntil"):
        return import_from_javascript("cloudflare:workers").waitUntil
    raise AttributeError(f"module {__name__!r} has no attribute {key!r}")
