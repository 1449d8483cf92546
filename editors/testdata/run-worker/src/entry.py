from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        self.env.CACHE.put("visits", "1")
        return Response(f"{self.env.GREETING} from the editor")
