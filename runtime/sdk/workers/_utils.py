import _pyodide_entrypoint_helper
from pyodide.ffi import JsProxy, to_js

try:
    from pyodide.ffi import jsnull
except ImportError:  # older Pyodide
    jsnull = None


def _constructor_name(obj):
    if not isinstance(obj, JsProxy):
        return None
    try:
        return obj.constructor.name
    except Exception:  # noqa: BLE001
        return None


def _is_js_instance(obj, name):
    return _constructor_name(obj) == name


def _jsnull_to_none(x):
    return None if x is jsnull else x


def import_from_javascript(module_name):
    if module_name == "cloudflare:workers":
        return _pyodide_entrypoint_helper.cloudflareWorkersModule
    if module_name == "cloudflare:sockets":
        return _pyodide_entrypoint_helper.cloudflareSocketsModule
    raise ImportError(
        f"Failed to import '{module_name}': only 'cloudflare:workers' and "
        "'cloudflare:sockets' are available in the pyworkers-lsp runtime"
    )


def patch_env(d=None, **kwds):
    if d:
        kwds = dict(d) | kwds
    return _pyodide_entrypoint_helper.patch_env_helper(to_js(kwds))


class _EnvWrapper:
    """Attribute access to the env object; JS values pass through."""

    def __new__(cls, env):
        if isinstance(env, _EnvWrapper):
            return env
        return super().__new__(cls)

    def __init__(self, env):
        if env is self:
            return
        self._env = env

    def __getattr__(self, name):
        from ._rpc import wrap_binding

        value = wrap_binding(_jsnull_to_none(getattr(self._env, name)))
        setattr(self, name, value)
        return value

    def __dir__(self):
        return dir(self._env)
