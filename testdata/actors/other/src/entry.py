from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        print("other: fetch")
        return Response(f"hello from other {request.url}")

    async def add(self, a, b):
        return a + b
