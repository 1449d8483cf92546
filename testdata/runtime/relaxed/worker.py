from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    # The runtime calls handlers "relaxed": a fetch that takes no request is legal.
    async def fetch(self):
        return Response("no request needed")
