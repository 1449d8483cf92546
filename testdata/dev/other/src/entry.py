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


CALLS = 0  # module state: under dev this Worker has an isolate of its own


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        global CALLS
        CALLS += 1
        if request.url.endswith("/count"):
            return Response(str(CALLS))
        if request.url.endswith("/ws"):
            from js import WebSocketPair
            from pyodide.ffi import create_proxy

            client, server = WebSocketPair.new().object_values()
            server.accept()
            server.addEventListener("message", create_proxy(lambda e: server.send("other got " + str(e.data))))
            return Response(None, status=101, web_socket=client)
        return Response("hello from dev-other")

    async def add(self, a, b):
        return a + b
