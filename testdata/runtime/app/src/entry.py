import asyncio
import json
import time

import js
from js import Object
from pyodide.ffi import create_proxy, to_js
from workers import Response, WorkerEntrypoint

from helpers import shout


async def later(value, seconds):
    await asyncio.sleep(seconds)
    return value


async def raw_asgi_app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = (await receive())["body"]
    await send({"type": "http.response.start", "status": 202, "headers": [(b"x-asgi", b"yes")]})
    await send({"type": "http.response.body", "body": b"asgi " + scope["path"].encode() + b" ", "more_body": True})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        path = request.url.split("?")[0].split("/", 3)[-1]
        if path == "random":
            import random
            import uuid
            return Response.json({"random": random.random(), "randint": random.randint(0, 10**9), "uuid": str(uuid.uuid4())})
        if path == "json":
            data = await request.json()
            return Response.json({"echo": data, "method": str(request.method)}, status=201)
        if path == "error":
            return self.explode()
        if path == "ffi":
            return Response.json(self.ffi_round_trips())
        if path == "ffi-large":
            return Response.json(self.ffi_large())
        if path == "gather":
            start = time.monotonic()
            results = await asyncio.gather(later("slow", 0.2), later("fast", 0.1))
            js_value = await js.Promise.resolve(41)
            return Response.json({"results": results, "elapsed": time.monotonic() - start, "js": js_value + 1})
        if path == "headers":
            seen = {k: v for k, v in request.headers.items()}
            return Response("ok", headers={"X-Echo": request.headers.get("x-custom", "missing"),
                                           "X-Seen": ",".join(sorted(seen))})
        if path == "env":
            return Response.json({"app": self.env.APP_NAME, "token": self.env.API_TOKEN,
                                  "max": self.env.LIMITS.max, "shout": shout("hi")})
        if path == "kv":
            return Response(await self.env.CACHE.get("k"))
        if path == "outbound":
            from workers import fetch

            target = getattr(self.env, "OUTBOUND_URL", None) or "https://example.com/"
            upstream = await fetch(target, method="POST", body="ping", headers={"x-from": "worker"})
            text = await upstream.text()
            return Response(f"{upstream.status} {text}", headers={"x-upstream": upstream.headers.get("x-served-by")})
        if path == "bytes":
            return Response(b"\x00\x01binary", headers={"content-type": "application/octet-stream"})
        if path == "redirect":
            return Response.redirect("https://example.com/next", 307)
        if path == "counter":
            js.globalThis.counter = (js.globalThis.counter or 0) + 1 if hasattr(js.globalThis, "counter") else 1
            global COUNT
            COUNT = globals().get("COUNT", 0) + 1
            return Response(f"{js.globalThis.counter} {COUNT}")
        if path == "stream":
            # Read the request body as a stream and answer with a streamed body.
            chunks = []
            async for chunk in request.body:
                chunks.append(chunk.to_bytes())
            ts = js.TransformStream.new()
            writer = ts.writable.getWriter()

            async def produce():
                for part in (b"got ", b"".join(chunks)):
                    await writer.write(to_js(part))
                    await asyncio.sleep(0.01)
                await writer.close()

            asyncio.ensure_future(produce())
            return Response(ts.readable, headers={"content-type": "text/plain"})
        if path == "asgi":
            # workers.asgi ships with the real workers-runtime-sdk only.
            from workers import asgi

            return await asgi.fetch(raw_asgi_app, request, self.env)
        if path == "slow":
            # Holds its request for a while at an await (the isolate tests).
            await asyncio.sleep(0.6)
            return Response("slow done")
        if path == "spam":
            for i in range(20000):
                print(i)
            return Response("done")
        if path == "memory":
            hog = bytearray(1 << 30)
            return Response(str(len(hog)))
        return Response("not found", status=404)

    def try_eval(self):
        try:
            js.eval("1 + 1")
        except Exception as e:  # JsException: EvalError, as in workerd
            return str(e)
        return "eval ran"

    def ffi_large(self):
        # Large values take the runtime's JSON fast path in to_py(); the
        # results must be exactly what the per-field conversion gives.
        import json as pyjson

        from pyodide.ffi import jsnull

        rows = [
            {"i": i, "f": i + 0.5, "s": f'row {i} "q" é 😀 \t \\ \u2028 \u00a0', "b": i % 2 == 0, "l": [i, "x"], "d": {"n": -i}}
            for i in range(100)
        ]
        back = to_js(rows, dict_converter=Object.fromEntries).to_py()
        types_ok = all(type(r["i"]) is int and type(r["f"]) is float and type(r["b"]) is bool for r in back)
        controls = to_js([f"bell \x07 {i}" for i in range(80)]).to_py()  # \x07: no JSON form in Go's quoting
        ints = to_js([3.0] * 80).to_py()
        big = to_js([2**60] * 80).to_py()
        with_null = js.JSON.parse(pyjson.dumps([{"a": None}] + rows)).to_py()
        return {
            "same": back == rows and controls[7] == "bell \x07 7",
            "types_ok": types_ok,
            "integral_float": type(ints[0]).__name__,
            "big": big[0] == 2**60,
            "null_is_jsnull": with_null[0]["a"] is jsnull,
            "rest_same": with_null[1:] == rows,
        }

    def explode(self):
        raise ValueError("boom from the handler")

    def ffi_round_trips(self):
        d = {"a": 1, "b": [1, 2, {"c": None}], "s": "text"}
        obj = to_js(d, dict_converter=Object.fromEntries)
        as_map = to_js({"k": "v"})
        back = js.JSON.parse(js.JSON.stringify(obj)).to_py()
        proxy = create_proxy(lambda x, *rest: x * 2)
        doubled = js.Array.new(1, 2, 3).map(proxy).to_py()
        proxy.destroy()
        return {
            "object_class": obj.constructor.name,
            "map_class": as_map.constructor.name,
            "json": js.JSON.stringify(obj),
            "back": back,
            "doubled": doubled,
            "big": js.Number(2**40),
            "this_args": js.Function.prototype.call.call(create_proxy(lambda *a: len(a)), None, 1, 2),
            "b64": js.atob(js.btoa("héllo")),
            "eval": self.try_eval(),
        }

    async def scheduled(self, controller):
        print(f"cron {controller.cron} at {int(controller.scheduledTime)}")
