from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response("hello from dev-other")

    async def add(self, a, b):
        return a + b
