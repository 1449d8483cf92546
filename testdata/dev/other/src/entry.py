from workers import DurableObject, Response, WorkerEntrypoint


class Tally(DurableObject):
    """A Durable Object of this Worker that dev-app binds with script_name."""

    async def add(self, n):
        total = (await self.ctx.storage.get("total") or 0) + n
        await self.ctx.storage.put("total", total)
        return total


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response("hello from dev-other")

    async def add(self, a, b):
        return a + b
