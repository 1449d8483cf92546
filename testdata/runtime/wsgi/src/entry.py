"""Fixture of runtime tests: a plain WSGI app behind the SDK's WSGI adapter
(workers.wsgi), which reads the request body synchronously with run_sync."""

import json

from workers import WorkerEntrypoint, wsgi


def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    out = json.dumps({
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "query": environ.get("QUERY_STRING", ""),
        "body": body.decode(),
    }).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("X-Wsgi", "yes")])
    return [out]


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return await wsgi.fetch(app, request, self.env)
