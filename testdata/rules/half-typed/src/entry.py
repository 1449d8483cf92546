from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        value = await self.env.CACHE.get("k")
        self.env.CACHE.put("k", value
        if value is None:
            return Response(
        return self.env.
