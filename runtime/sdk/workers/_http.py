import json
from http import HTTPMethod, HTTPStatus

import js
from js import Object
from pyodide.ffi import JsException, JsProxy, create_proxy, to_js

from ._utils import _constructor_name, _is_js_instance, _jsnull_to_none

_ACCEPTED_BODIES = {"ArrayBuffer", "Uint8Array", "ReadableStream", "URLSearchParams", "Blob", "FormData", "Response"}


def _to_js_headers(headers):
    if headers is None:
        return None
    if isinstance(headers, JsProxy):
        return headers
    items = headers.items() if hasattr(headers, "items") else headers
    return js.Headers.new(to_js([[str(k), str(v)] for k, v in items]))


def _to_python_exception(exc):
    if exc.name == "RangeError":
        return ValueError(exc.message)
    if exc.name == "TypeError":
        return TypeError(exc.message)
    return exc


class _Headers(dict):
    """Case-insensitive read-only view of JS headers (lower-case names)."""

    def __init__(self, js_headers):
        super().__init__((k, v) for k, v in js_headers.entries())

    def __getitem__(self, key):
        return super().__getitem__(key.lower())

    def get(self, key, default=None):
        return super().get(key.lower(), default)

    def __contains__(self, key):
        return super().__contains__(str(key).lower())

    def get_all(self, key, default=None):
        v = self.get(key)
        return default if v is None else [v]


class _Body:
    def _raise_if_used(self):
        if self.js_object.bodyUsed:
            raise OSError("Body already used")

    async def text(self):
        self._raise_if_used()
        return await self.js_object.text()

    async def json(self, **kwargs):
        return json.loads(await self.text(), **kwargs)

    async def bytes(self):
        self._raise_if_used()
        return (await self.js_object.arrayBuffer()).to_bytes()

    async def buffer(self):
        self._raise_if_used()
        return await self.js_object.arrayBuffer()

    @property
    def headers(self):
        return _Headers(self.js_object.headers)

    @property
    def body(self):
        return _jsnull_to_none(self.js_object.body)

    @property
    def body_used(self):
        return self.js_object.bodyUsed


class Request(_Body):
    def __init__(self, input, **options):
        if _is_js_instance(input, "Request"):
            if options:
                raise ValueError("Expected no options when constructing Request from a js.Request")
            self._js_request = input
            return
        if isinstance(options.get("method"), HTTPMethod):
            options["method"] = options["method"].value
        if "headers" in options:
            options["headers"] = _to_js_headers(options["headers"])
        src = input._js_request if isinstance(input, Request) else input
        self._js_request = js.Request.new(src, to_js(options, dict_converter=Object.fromEntries))

    def __repr__(self):
        return f"Request(method={self._js_request.method!r}, url={self._js_request.url!r})"

    @property
    def js_object(self):
        return self._js_request

    @property
    def url(self):
        return self._js_request.url

    @property
    def method(self):
        return HTTPMethod[self._js_request.method]

    @property
    def cf(self):
        return _jsnull_to_none(self._js_request.cf)

    def clone(self):
        return Request(self._js_request.clone())


class FetchResponse(_Body):
    def __init__(self, url, js_response):
        self._url = url
        self.js_response = js_response

    @property
    def js_object(self):
        return self.js_response

    @property
    def status(self):
        return self.js_response.status

    @property
    def status_text(self):
        return self.js_response.statusText

    @property
    def ok(self):
        return self.js_response.ok

    @property
    def url(self):
        return self.js_response.url

    @property
    def redirected(self):
        return self.js_response.redirected

    def clone(self):
        return type(self)(self._url, self.js_response.clone())

    @staticmethod
    def redirect(url, status=HTTPStatus.FOUND):
        code = status.value if isinstance(status, HTTPStatus) else status
        try:
            return Response(js.Response.redirect(url, code))
        except JsException as exc:
            raise _to_python_exception(exc) from exc

    @staticmethod
    def from_json(data, status=HTTPStatus.OK, status_text="", headers=None):
        options = Response._create_options(status, status_text, headers)
        try:
            if isinstance(data, JsProxy):
                js_resp = js.Response.json(data, to_js(options, dict_converter=Object.fromEntries))
            else:
                if "headers" not in options:
                    options["headers"] = _to_js_headers({"content-type": "application/json"})
                elif not options["headers"].has("content-type"):
                    options["headers"].set("content-type", "application/json")
                js_resp = js.Response.new(json.dumps(data), to_js(options, dict_converter=Object.fromEntries))
        except JsException as exc:
            raise _to_python_exception(exc) from exc
        return Response(js_resp)


class Response(FetchResponse):
    def __init__(self, body=None, status=None, status_text="", headers=None, web_socket=None):
        js_type = _constructor_name(body)
        if js_type:
            if js_type not in _ACCEPTED_BODIES:
                raise TypeError(f"Unsupported type in Response: {js_type}")
        elif body is not None and not isinstance(body, (str, bytes)):
            raise TypeError(f"Unsupported type in Response: {type(body).__name__}")
        if js_type == "Response":
            if status is not None or status_text or headers is not None:
                raise ValueError("Expected no options when constructing Response from a js.Response")
            super().__init__(body.url, body)
            return
        options = self._create_options(status, status_text, headers, web_socket)
        js_body = body
        if isinstance(body, bytes):
            js_body = js.Uint8Array.new(to_js(body))
        try:
            js_resp = js.Response.new(js_body, to_js(options, dict_converter=Object.fromEntries))
        except JsException as exc:
            raise _to_python_exception(exc) from exc
        super().__init__(js_resp.url, js_resp)

    def __repr__(self):
        return f"Response(status={self.status})"

    @staticmethod
    def _create_options(status=HTTPStatus.OK, status_text="", headers=None, web_socket=None):
        options = {}
        if status:
            options["status"] = status.value if isinstance(status, HTTPStatus) else status
        if status_text:
            options["statusText"] = status_text
        if headers:
            options["headers"] = _to_js_headers(headers)
        if web_socket:
            options["webSocket"] = web_socket
        return options


class _JsonMethod:
    """Response.json(data, ...) builds a JSON response; response.json() reads one."""

    def __get__(self, obj, objtype=None):
        if obj is None:
            return Response.from_json
        return lambda **kwargs: _Body.json(obj, **kwargs)


FetchResponse.json = _JsonMethod()


async def fetch(resource, fetcher=None, **options):
    if isinstance(resource, Request):
        resource = resource.js_object
    if isinstance(options.get("method"), HTTPMethod):
        options["method"] = options["method"].value
    if "headers" in options:
        options["headers"] = _to_js_headers(options["headers"])
    try:
        js_fetch = js.fetch if fetcher is None else fetcher
        js_resp = await js_fetch(resource, to_js(options, dict_converter=Object.fromEntries))
    except JsException as exc:
        raise OSError(exc.message) from None
    return Response(js_resp)
