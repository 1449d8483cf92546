import asyncio

from js import WebSocket
from pyodide.ffi import create_proxy
from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        # An outbound WebSocket (needs allowNet): send, await the answer.
        loop = asyncio.get_running_loop()
        opened, got = loop.create_future(), loop.create_future()
        ws = WebSocket.new(self.env.ECHO_URL)
        ws.addEventListener("open", create_proxy(lambda e: opened.done() or opened.set_result(True)))
        ws.addEventListener("message", create_proxy(lambda e: got.done() or got.set_result(str(e.data))))
        await asyncio.wait_for(opened, 10)
        ws.send("ping")
        answer = await asyncio.wait_for(got, 10)
        ws.close(1000, "done")
        return Response(answer)
