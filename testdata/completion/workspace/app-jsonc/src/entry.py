from workers import DurableObject, Response, WorkerEntrypoint, WorkflowEntrypoint

from helpers import audit


class Counter(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.total = 0

    async def increment(self, by=1):
        """Add to the counter and return the new value."""
        value = (await self.ctx.storage.get("n")) or 0
        await self.ctx.storage.put("n", value + by)
        return value + by

    async def reset(self):
        await self.ctx.storage.delete("n")

    def _private(self):
        return 1

    async def fetch(self, request):
        return Response(str(await self.increment()))


class Pipeline(WorkflowEntrypoint):
    async def run(self, event, step):
        @step.do("fetch")
        async def fetch_data():
            return {"ok": True}

        return await fetch_data()


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        cached = await self.env.CACHE.get("greeting")
        row = await self.env.DB.prepare("SELECT 1 AS n").first()
        await audit(self.env, "fetch")
        return Response.json({"cached": cached, "row": row, "host": self.env.API_HOST})

    async def scheduled(self, controller):
        await self.env.JOBS.send({"cron": controller.cron})
        await self.env.CACHE.delete("greeting")
