import json
from urllib.parse import urlparse

from workers import DurableObject, Response, WorkerEntrypoint, WorkflowEntrypoint
from workers.workflows import NonRetryableError

# Attempts of the "flaky" step within one run (the interpreter lives one run).
FLAKY_ATTEMPTS = {"n": 0}


class Counter(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.calls = 0  # in memory: starts afresh every run

    async def increment(self, by=1):
        self.calls += 1
        n = (await self.ctx.storage.get("n")) or 0
        n += by
        await self.ctx.storage.put("n", n)
        return n

    async def increment_many(self, k, key="n"):
        # k read-modify-write increments (issue 17: several processes at once)
        for _ in range(k):
            n = (await self.ctx.storage.get(key)) or 0
            await self.ctx.storage.put(key, n + 1)
        return await self.ctx.storage.get(key)

    async def increment_tx(self, k, key="t"):
        async def body(txn):
            n = (await txn.get(key)) or 0
            await txn.put(key, n + 1)

        for _ in range(k):
            await self.ctx.storage.transaction(body)
        return await self.ctx.storage.get(key)

    def sync_kv(self, key, value):
        # The synchronous KV API of SQLite-backed objects (no awaits).
        kv = self.ctx.storage.kv
        before = kv.get(key)
        kv.put(key, value)
        kv.put(key + "-other", 1)
        listed = [[k, v] for k, v in kv.list({"prefix": key})]
        deleted = kv.delete(key + "-other")
        return {"before": before, "after": kv.get(key), "listed": listed, "deleted": deleted, "gone": kv.delete("never-set")}

    async def calls_this_run(self):
        return self.calls

    async def fetch(self, request):
        n = await self.increment(1)
        return Response(f"count={n} path={urlparse(request.url).path}")

    async def remember(self, text):
        sql = self.ctx.storage.sql
        sql.exec("CREATE TABLE IF NOT EXISTS notes (text TEXT)")
        sql.exec("INSERT INTO notes VALUES (?)", text)
        return [row["text"] for row in sql.exec("SELECT text FROM notes ORDER BY rowid").toArray()]

    async def swap(self):
        async def body(txn):
            a = await txn.get("n")
            await txn.put("n", (a or 0) * 10)
            raise ValueError("rolled back")

        try:
            await self.ctx.storage.transaction(body)
        except Exception:
            pass
        return await self.ctx.storage.get("n")

    async def schedule(self, when_ms):
        await self.ctx.storage.setAlarm(when_ms)
        return await self.ctx.storage.getAlarm()

    async def alarms(self):
        return {"fired": (await self.ctx.storage.get("alarms")) or 0, "next": await self.ctx.storage.getAlarm()}

    async def alarm(self, alarm_info=None):
        fired = (await self.ctx.storage.get("alarms")) or 0
        await self.ctx.storage.put("alarms", fired + 1)
        print(f"alarm fired for {self.ctx.id.name}")


class Flow(WorkflowEntrypoint):
    async def run(self, event, step):
        @step.do("load")
        async def load():
            print("side effect: load")
            return {"n": event["payload"]["n"]}

        @step.do("flaky", depends=[load], config={"retries": {"limit": 3, "delay": "10 seconds", "backoff": "constant"}})
        async def flaky(data):
            FLAKY_ATTEMPTS["n"] += 1
            print(f"side effect: flaky attempt {FLAKY_ATTEMPTS['n']}")
            if FLAKY_ATTEMPTS["n"] < 3:
                raise ValueError(f"transient failure {FLAKY_ATTEMPTS['n']}")
            return data["n"] * 10

        value = await flaky()
        await step.sleep("nap", "1 hour")
        approval = await step.wait_for_event("approval", "approve", timeout="1 hour")

        @step.do("finish", depends=[flaky])
        async def finish(v):
            print("side effect: finish")
            return {"value": v, "approved_by": approval["payload"]["by"]}

        return await finish()


class Stubborn(WorkflowEntrypoint):
    """A step that gives up at once: NonRetryableError is not retried."""

    async def run(self, event, step):
        @step.do("refuse", config={"retries": {"limit": 5, "delay": "1 second"}})
        async def refuse():
            print("side effect: refuse attempt")
            raise NonRetryableError("do not retry")

        return await refuse()


class Chain(WorkflowEntrypoint):
    """Implicit dependencies (python_workflows_implicit_dependencies)."""

    async def run(self, event, step):
        @step.do()
        async def first():
            return event["payload"]["start"]

        @step.do(config={"retries": {"limit": 0}})
        async def second(first, ctx):
            return {"sum": first + 1, "attempt": ctx["attempt"]}

        return await second()


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        path = urlparse(request.url).path
        if path == "/do":
            stub = self.env.COUNTER.getByName("a")
            n = await stub.increment(2)
            resp = await stub.fetch("http://do/inside")
            same = await self.env.COUNTER.get(self.env.COUNTER.idFromName("a")).calls_this_run()
            return Response(json.dumps({"n": n, "fetch": await resp.text(), "calls": same}))
        if path == "/send":
            for i in range(3):
                await self.env.JOBS.send({"i": i})
            return Response("sent")
        if path == "/svc":
            r = await self.env.OTHER.fetch("http://other/hi")
            total = await self.env.OTHER.add(2, 3)
            return Response(json.dumps({"fetch": await r.text(), "rpc": total}))
        if path == "/missing":
            await self.env.MISSING.fetch("http://x/")
            return Response("unreachable")
        if path == "/wf":
            inst = await self.env.FLOW.create({"id": "in-run", "params": {"n": 1}})
            return Response(json.dumps({"id": inst.id, "status": (await inst.status())["status"]}))
        if path == "/wf-control":
            batch = await self.env.FLOW.create_batch([{"id": "b1", "params": {"n": 1}}, {"id": "b2", "params": {"n": 2}}])
            ctl = await self.env.FLOW.create({"id": "ctl", "params": {"n": 3}})
            await ctl.pause()
            paused = (await ctl.status())["status"]
            await ctl.resume()
            resumed = (await ctl.status())["status"]
            await ctl.terminate()
            terminated = (await ctl.status())["status"]
            return Response(json.dumps({"batch": [i.id for i in batch], "paused": paused, "resumed": resumed, "terminated": terminated}))
        if path == "/wf-restart":
            inst = await self.env.FLOW.get("b1")
            await inst.restart()
            return Response("restarted")
        return Response("not found", status=404)

    async def queue(self, batch):
        for m in batch.messages:
            print(f"queue {batch.queue}: {json.dumps(m.body)} attempts={m.attempts}")
            if m.body["i"] == 1:
                m.retry()
            else:
                m.ack()
