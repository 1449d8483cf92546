from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route
from workers import WorkerEntrypoint, asgi


async def homepage(request):
    return JSONResponse({"hello": "starlette", "query": dict(request.query_params)})


async def user(request):
    return PlainTextResponse(f"user {request.path_params['user_id']:04d}")


async def numbers(request):
    async def gen():
        for i in range(3):
            yield f"{i}\n"

    return StreamingResponse(gen(), media_type="text/plain")


class ServedBy(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        response = await call_next(request)
        response.headers["x-served-by"] = "starlette"
        return response


app = Starlette(
    routes=[Route("/", homepage), Route("/users/{user_id:int}", user), Route("/numbers", numbers)],
    middleware=[Middleware(ServedBy)],
)


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return await asgi.fetch(app, request, self.env)
