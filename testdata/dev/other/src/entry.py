from workers import DurableObject, Response, WorkerEntrypoint, WorkflowEntrypoint


class Relay(WorkflowEntrypoint):
    """A Workflow of this Worker that dev-app starts through script_name."""

    async def run(self, event, step):
        @step.do("shout")
        async def shout():
            return event.payload["word"].upper()

        return await shout()


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
