"""Fixture of runtime tests: synchronous Python waiting for JS and asyncio
work with pyodide.ffi.run_sync, as on Cloudflare's runtime (JSPI)."""

import asyncio
import json
import time
from urllib.parse import urlparse

from js import Promise, setTimeout
from pyodide.ffi import can_run_sync, create_once_callable, run_sync
from workers import Response, WorkerEntrypoint


def js_delay(ms, value):
    """A JS promise that resolves to value after ms milliseconds."""
    return Promise.new(create_once_callable(lambda resolve, reject: setTimeout(create_once_callable(lambda: resolve(value)), ms)))


async def add_later(a, b):
    await asyncio.sleep(0.01)
    return a + b


def blocking_sum(a, b):
    # A synchronous function, as library code (requests, Django) is.
    return run_sync(add_later(a, b))


async def nested_outer():
    await asyncio.sleep(0)
    return blocking_sum(1, 2) * 10  # run_sync inside a coroutine run by run_sync


async def fail_later():
    await asyncio.sleep(0)
    raise ValueError("failed inside run_sync")


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        path = urlparse(request.url).path
        if path == "/can":
            return Response(json.dumps({"can": can_run_sync()}))
        if path == "/values":
            start = time.monotonic()
            out = {
                "coroutine": blocking_sum(2, 3),
                "js_promise": run_sync(Promise.resolve(5)),
                "js_delay": run_sync(js_delay(30, "late")),
                "nested": run_sync(nested_outer()),
            }
            out["elapsed"] = time.monotonic() - start
            return Response(json.dumps(out))
        if path == "/sleep":
            start = time.monotonic()
            time.sleep(0.05)  # Pyodide makes time.sleep wait through run_sync
            return Response(json.dumps({"slept": time.monotonic() - start}))
        if path == "/interleave":
            log = []

            async def background():
                log.append("bg start")
                await asyncio.sleep(0.01)
                log.append("bg end")

            task = asyncio.create_task(background())
            run_sync(asyncio.sleep(0.05))  # other tasks run while this call blocks
            log.append("after run_sync")
            await task
            return Response(json.dumps(log))
        if path == "/raise":
            try:
                run_sync(fail_later())
            except ValueError as e:
                return Response(json.dumps({"caught": str(e)}))
            return Response("not raised", status=500)
        if path == "/js-reject":
            try:
                run_sync(Promise.reject(Exception("nope")))
            except Exception as e:
                return Response(json.dumps({"caught": type(e).__name__}))
            return Response("not raised", status=500)
        if path == "/never":
            run_sync(asyncio.get_event_loop().create_future())
            return Response("unreachable")
        if path == "/forever":
            run_sync(asyncio.sleep(3600))
            return Response("unreachable")
        return Response("no such path", status=404)
