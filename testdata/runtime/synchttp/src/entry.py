"""Fixture of runtime tests: synchronous HTTP clients (requests, urllib3's
Emscripten backend, httpx.Client) in a handler, as Cloudflare's runtime allows
with run_sync. The packages are vendored into python_modules/ by the test.

httpx is imported where it is used, so the requests tests need not vendor it."""

import json
from urllib.parse import urlparse

import js
import requests
import urllib3
from pyodide.ffi import JsException, run_sync, to_js
from workers import Response, WorkerEntrypoint


def fetch_like_pyodide_httpx(url, method="GET", body=None, timeout=0.0):
    """Calls fetch the way the Emscripten transport of Pyodide's httpx build
    does (the build `pywrangler sync` vendors, only on Pyodide's index): an
    AbortController aborted by a timer for the timeout, the init made with
    Object.fromEntries, headers read through entries().next(), the body
    through a reader, every promise awaited with run_sync."""
    controller = js.AbortController.new()
    init = to_js(
        {"method": method, "headers": {"x-test": "jsfetch"}, "body": to_js(body), "signal": controller.signal},
        dict_converter=js.Object.fromEntries,
    )
    timer = js.setTimeout(controller.abort.bind(controller), int(timeout * 1000)) if timeout > 0 else None
    try:
        response = run_sync(js.fetch(url, init))
        headers = {}
        entries = response.headers.entries()
        while not getattr(step := entries.next(), "done", False):
            headers[str(step.value[0])] = str(step.value[1])
        reader = response.body.getReader()
        chunks = []
        while not (chunk := run_sync(reader.read())).done:
            chunks.append(bytes(chunk.value.to_py()))
    except JsException as e:
        return {"error": e.name, "message": e.message}
    finally:
        if timer is not None:
            js.clearTimeout(timer)
    return {"status": response.status, "served_by": headers.get("x-served-by"), "body": b"".join(chunks).decode()}


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        path = urlparse(request.url).path
        base = self.env.UPSTREAM
        if path == "/requests":
            r = requests.get(base + "/json", params={"q": "1"}, headers={"X-Test": "yes"}, timeout=5)
            p = requests.post(base + "/echo", json={"a": 1}, timeout=5)
            return Response(json.dumps({
                "status": r.status_code,
                "json": r.json(),
                "served_by": r.headers.get("x-served-by"),
                "echo": p.text,
                "echo_status": p.status_code,
            }))
        if path == "/urllib3":
            http = urllib3.PoolManager()
            r = http.request("GET", base + "/text")
            return Response(json.dumps({"status": r.status, "body": r.data.decode()}))
        if path == "/httpx":
            import httpx
            import pyodide_httpx

            pyodide_httpx.patch_httpx()
            with httpx.Client(base_url=base, headers={"X-Test": "yes"}) as client:
                r = client.get("/json", params={"q": "2"})
                p = client.post("/echo", json={"b": 2})
                with client.stream("GET", "/chunks") as s:
                    chunks = list(s.iter_text())
            async with httpx.AsyncClient(base_url=base) as client:
                a = await client.get("/text")
            return Response(json.dumps({
                "status": r.status_code,
                "json": r.json(),
                "served_by": r.headers.get("x-served-by"),
                "echo": p.text,
                "echo_status": p.status_code,
                "streamed": "".join(chunks),
                "async": a.text,
            }))
        if path == "/jsfetch":
            return Response(json.dumps({
                "get": fetch_like_pyodide_httpx(base + "/text", timeout=10.0),
                "post": fetch_like_pyodide_httpx(base + "/echo", "POST", b"raw body"),
                "timeout": fetch_like_pyodide_httpx(base + "/slow", timeout=0.2),
            }))
        if path == "/plain-httpx":
            # PyPI's httpx without the patch: httpcore opens a socket.
            import httpx

            try:
                httpx.get(base + "/text")
            except httpx.ConnectError as e:
                return Response(json.dumps({"error": type(e).__name__, "message": str(e)}))
            return Response("the request went out", status=500)
        if path == "/blocked":
            try:
                requests.get(base + "/json", timeout=5)
            except requests.exceptions.RequestException as e:
                return Response(json.dumps({"error": type(e).__name__, "message": str(e)}))
            return Response("the request went out", status=500)
        return Response("no such path", status=404)
