from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        if "spin" in request.url:
            n = 0
            while True:
                n += 1
        return Response("still alive")
