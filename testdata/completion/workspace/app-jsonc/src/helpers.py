from workers import env


async def audit(e, what):
    await env.CACHE.put("last", what)
