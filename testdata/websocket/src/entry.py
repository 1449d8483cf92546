from urllib.parse import parse_qs, urlparse

import uuid

from js import Object, WebSocketPair, WebSocketRequestResponsePair
from pyodide.ffi import create_proxy, to_js
from workers import DurableObject, Response, WorkerEntrypoint


class ChatRoom(DurableObject):
    """A chat room: every socket hears every message (hibernation API)."""

    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.instance = uuid.uuid4().hex[:8]  # a new one each time the object wakes
        # Answered by the runtime without waking the object.
        ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair.new("ping", "pong"))

    async def fetch(self, request):
        name = parse_qs(urlparse(request.url).query).get("name", ["anon"])[0]
        client, server = WebSocketPair.new().object_values()
        self.ctx.acceptWebSocket(server, [name])
        server.serializeAttachment(to_js({"name": name}, dict_converter=Object.fromEntries))
        for other in self.ctx.getWebSockets():
            if other != server:
                other.send(f"{name} joined")
        return Response(None, status=101, web_socket=client)

    async def webSocketMessage(self, ws, message):
        sender = ws.deserializeAttachment().name  # survives hibernation
        if message == "whoami":
            ws.send(f"{sender} on instance {self.instance}")
            return
        for other in self.ctx.getWebSockets():
            other.send(f"{sender}: {message}")

    async def webSocketError(self, ws, error):
        name = ws.deserializeAttachment().name
        for other in self.ctx.getWebSockets():
            if other != ws:
                other.send(f"{name} errored")

    async def webSocketClose(self, ws, code, reason, was_clean):
        left = self.ctx.getTags(ws)[0]
        for other in self.ctx.getWebSockets():
            other.send(f"{left} left ({code})")


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        url = urlparse(request.url)
        if url.path == "/":
            return Response("<!doctype html><title>chat</title>", headers={"content-type": "text/html; charset=utf-8"})
        if request.headers.get("upgrade") != "websocket":
            return Response("expected a WebSocket upgrade", status=426)
        if url.path == "/echo":
            client, server = WebSocketPair.new().object_values()
            server.accept()

            def on_message(event):
                server.send("echo: " + str(event.data))
                if event.data == "bye":
                    server.close(1000, "bye")

            server.addEventListener("message", create_proxy(on_message))
            return Response(None, status=101, web_socket=client)
        if url.path == "/chat":
            room = parse_qs(url.query).get("room", ["lobby"])[0]
            return await self.env.ROOMS.getByName(room).fetch(request)
        return Response("not found", status=404)
