from datetime import datetime

from workers import Response, WorkflowEntrypoint, WorkerEntrypoint


class Flow(WorkflowEntrypoint):
    async def run(self, event, step):
        started = datetime.now()

        @step.do("fetch")
        async def fetch_data():
            return (1, 2)

        @step.do("store")
        async def store(fetch_data, extra):
            return {"when": datetime.now()}

        await fetch_data()


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        await self.env.FLOW.create()
        return Response("started")
