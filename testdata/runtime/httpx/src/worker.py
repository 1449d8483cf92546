import ssl

import httpx
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from workers import Response, WorkerEntrypoint


async def echo(request):
    return JSONResponse({"method": request.method, "path": request.url.path, "body": (await request.body()).decode()})


inner = Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"])])


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        context = httpx.create_ssl_context()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=inner), base_url="http://inner") as client:
            r = await client.post("/echo", content=b"ping")
        return Response.json({
            "status": r.status_code,
            "echo": r.json(),
            "ssl_verify": context.verify_mode == ssl.CERT_REQUIRED,
            "cas": len(context.get_ca_certs()),
        })
