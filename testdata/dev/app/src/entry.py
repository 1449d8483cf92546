import asyncio
import json
from urllib.parse import urlparse, parse_qs

from pyodide.ffi import create_proxy
from workers import DurableObject, Response, WorkerEntrypoint, WorkflowEntrypoint

# Module state lives as long as the isolate (the dev server keeps one).
HITS = 0


class Counter(DurableObject):
    async def increment(self, by=1):
        n = (await self.ctx.storage.get("n") or 0) + by
        await self.ctx.storage.put("n", n)
        return n

    async def slow_increment(self):
        # Read, wait for something that is not storage, write: on Cloudflare
        # the input gate keeps other events out only during storage calls,
        # so the object must serialise read-modify-write itself.
        n = await self.ctx.storage.get("n") or 0
        await self.ctx.storage.put("n", n + 1)
        await asyncio.sleep(0.05)
        return n + 1

    async def ring_in(self, ms):
        import time

        await self.ctx.storage.setAlarm(int(time.time() * 1000) + ms)
        return "set"

    async def alarm(self, alarm_info=None):
        await self.ctx.storage.put("rang", True)
        print("alarm rang")

    async def rang(self):
        return bool(await self.ctx.storage.get("rang"))


class Flow(WorkflowEntrypoint):
    async def run(self, event, step):
        @step.do("double")
        async def double():
            return event.payload["n"] * 2

        value = await double()
        await self.env.KV.put("flow-" + event.payload["tag"], str(value))
        return value


class Sleepy(WorkflowEntrypoint):
    """Sleeps for real under the dev server, then waits for an approval
    event (or times out)."""

    async def run(self, event, step):
        @step.do("before")
        async def before():
            return "slept"

        await before()
        await step.sleep("nap", event.payload.get("sleep", "1 second"))
        await self.env.KV.put("sleepy-" + event.payload["tag"], "awake")
        try:
            approval = await step.wait_for_event("approval", "approve", timeout=event.payload.get("timeout", "1 minute"))
            verdict = "approved " + str(approval["payload"]["by"])
        except Exception as e:  # noqa: BLE001 - the timeout is the test
            verdict = "timed out: " + str(e)
        await self.env.KV.put("verdict-" + event.payload["tag"], verdict)
        return verdict


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        global HITS
        HITS += 1
        url = urlparse(request.url)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path
        if path == "/":
            return Response(f"{self.env.GREETING} from dev-app")
        if path == "/flavour":
            return Response(str(getattr(self.env, "FLAVOUR", "none")))
        if path == "/hits":
            return Response(str(HITS))
        if path == "/slow":
            await asyncio.sleep(float(q.get("s", "0.5")))
            return Response("slow done")
        if path == "/socket":
            import socket

            try:
                socket.create_connection(("example.com", 80), timeout=1)
            except OSError as e:
                return Response(type(e).__name__)
            return Response("connected", status=500)
        if path == "/error":
            raise ValueError("the handler failed on purpose")
        if path == "/echo":
            body = await request.text()
            return Response.json({"method": str(request.method), "length": len(body), "host": request.headers.get("host")})
        if path == "/kv":
            if request.method == "PUT":
                await self.env.KV.put(q["key"], await request.text())
                return Response("stored", status=201)
            value = await self.env.KV.get(q["key"])
            return Response(value if value is not None else "missing", status=200 if value is not None else 404)
        if path == "/kvrw":
            # One KV read and one write per request (the dev benchmark).
            seen = await self.env.KV.get("bench")
            await self.env.KV.put("bench", str(int(seen or 0) + 1))
            return Response(seen or "0")
        if path == "/notes":
            rows = await self.env.DB.prepare("SELECT body, author FROM notes ORDER BY id").all()
            return Response.json([{"body": r.body, "author": r.author} for r in rows.results])
        if path == "/file":
            obj = await self.env.FILES.get(q["key"])
            if obj is None:
                return Response("no such file", status=404)
            return Response(await obj.text())
        if path == "/do":
            stub = self.env.COUNTER.getByName(q.get("name", "a"))
            return Response(str(await stub.increment(int(q.get("by", "1")))))
        if path == "/do-slow":
            stub = self.env.COUNTER.getByName(q.get("name", "a"))
            return Response(str(await stub.slow_increment()))
        if path == "/alarm":
            stub = self.env.COUNTER.getByName(q.get("name", "a"))
            return Response(await stub.ring_in(int(q.get("ms", "300"))))
        if path == "/rang":
            stub = self.env.COUNTER.getByName(q.get("name", "a"))
            return Response(json.dumps(await stub.rang()))
        if path == "/send":
            await self.env.JOBS.send({"job": q["job"]})
            return Response("queued", status=202)
        if path == "/wf":
            inst = await self.env.FLOW.create(params={"n": int(q["n"]), "tag": q["tag"]})
            return Response(inst.id, status=202)
        if path == "/sleepy":
            params = {"tag": q["tag"], "sleep": q.get("sleep", "1 second"), "timeout": q.get("timeout", "1 minute")}
            inst = await self.env.SLEEPY.create(id=q["tag"], params=params)
            return Response(inst.id, status=202)
        if path == "/approve":
            inst = await self.env.SLEEPY.get(q["tag"])
            await inst.sendEvent({"type": "approve", "payload": {"by": q["by"]}})
            return Response("sent", status=202)
        if path == "/relay":
            inst = await self.env.RELAY.create(params={"word": q["word"]})
            return Response(inst.id, status=202)
        if path == "/relay-status":
            inst = await self.env.RELAY.get(q["id"])
            st = await inst.status()
            return Response.json({"status": st.status, "output": getattr(st, "output", None)})
        if path == "/tally":
            stub = self.env.TALLY.getByName("shared")
            return Response(str(await stub.add(int(q.get("n", "1")))))
        if path == "/svc-count":
            resp = await self.env.OTHER.fetch("http://other/count")
            return Response(await resp.text())
        if path == "/svc-ws":
            # An outbound WebSocket to the other Worker, through the binding.
            resp = await self.env.OTHER.fetch("http://other/ws", headers={"Upgrade": "websocket"})
            ws = getattr(resp, "js_object", resp).webSocket
            ws.accept()
            got = asyncio.get_running_loop().create_future()
            ws.addEventListener("message", create_proxy(lambda e: got.done() or got.set_result(str(e.data))))
            ws.send(q.get("say", "hi"))
            answer = await asyncio.wait_for(got, 5)
            ws.close(1000, "done")
            return Response(answer)
        if path == "/svc":
            resp = await self.env.OTHER.fetch("http://other/hello")
            text = await resp.text()
            total = await self.env.OTHER.add(2, 3)
            return Response(f"{text} {total}")
        return Response("not found", status=404)

    async def queue(self, batch):
        global HITS
        for m in batch.messages:
            await self.env.KV.put("job-" + m.body["job"], "done")
        # The same Durable Object instance the requests use (the isolate's).
        await self.env.COUNTER.getByName("queue").increment(len(batch.messages))
        print(f"consumed {len(batch.messages)}")

    async def scheduled(self, controller):
        global HITS
        HITS += 1000  # module state shared with the requests
        await self.env.KV.put("cron", controller.cron)
