import random

from pyodide.ffi import to_py
from workers import Response, WorkerEntrypoint

SEED = random.random()


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        cached = await self.env.CACHE.get("greeting")
        data = to_py(request.cf)
        return Response.json({"cached": cached, "seed": SEED, "data": data})
