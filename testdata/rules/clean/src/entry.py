import random

from workers import DurableObject, Response, WorkerEntrypoint, WorkflowEntrypoint


class Counter(DurableObject):
    async def fetch(self, request):
        n = (await self.ctx.storage.get("n")) or 0
        await self.ctx.storage.put("n", n + 1)
        return Response(str(n + 1))

    async def webSocketMessage(self, ws, message):
        try:
            ws.send(message)
        except Exception:
            pass


class Flow(WorkflowEntrypoint):
    async def run(self, event, step):
        @step.do("load")
        async def load():
            return await self.env.CACHE.get("k")

        @step.do("pick")
        async def pick(load):
            return {"value": load, "n": random.random()}

        return await pick()


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        value = await self.env.CACHE.get("greeting")
        stub = self.env.COUNTER.getByName("main")
        await self.env.FLOW.create()
        return Response.json({"value": value, "count": await (await stub.fetch(request)).text()})
