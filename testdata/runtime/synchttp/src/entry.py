"""Fixture of runtime tests: synchronous HTTP clients (requests, urllib3's
Emscripten backend) in a handler, as Cloudflare's runtime allows with
run_sync. The packages are vendored into python_modules/ by the test."""

import json
from urllib.parse import urlparse

import requests
import urllib3
from workers import Response, WorkerEntrypoint


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
        if path == "/blocked":
            try:
                requests.get(base + "/json", timeout=5)
            except requests.exceptions.RequestException as e:
                return Response(json.dumps({"error": type(e).__name__, "message": str(e)}))
            return Response("the request went out", status=500)
        return Response("no such path", status=404)
