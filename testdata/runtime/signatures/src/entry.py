"""Fixture of runtime tests: handlers with every signature Cloudflare's
runtime accepts (the SDK's own tests use scheduled(self, controller, env, ctx))."""

from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request, env, ctx):
        body = "hello " + env.NAME
        # An app that sets content-length itself (ASGI frameworks do).
        return Response(body, headers={"content-length": str(len(body)), "content-type": "text/plain"})

    async def scheduled(self, controller, env, ctx):
        print(f"scheduled {controller.cron} env={env.NAME} same_env={env.NAME == self.env.NAME} ctx={hasattr(ctx, 'waitUntil')}")

    async def queue(self, batch, env, ctx):
        print(f"queue {batch.queue} env={env.NAME} n={len(batch.messages)}")
