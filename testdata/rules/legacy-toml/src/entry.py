import random
import urllib.request
from workers import handler, Response
from src.util import greet

SESSION = random.randint(0, 1000)


@handler
async def on_fetch(request, env, ctx):
    value = await env.CACHE.get("greeting")
    env.CACHE.put("last", str(SESSION))
    return Response(greet(value or env.DEFAULT_NAME))


@handler
async def on_scheduled(event, env, ctx):
    await env.CACHE.put("cron", event.cron)
