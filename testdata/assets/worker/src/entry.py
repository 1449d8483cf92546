from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        path = request.url.split("?")[0].split("/", 3)[-1]
        if path.startswith("api/"):
            return Response.json({"api": path})
        if path == "via-binding":
            # The ASSETS binding: the page through the Worker, decorated.
            page = await self.env.ASSETS.fetch("http://assets.local/about")
            text = await page.text()
            return Response(text.replace("About", "About (via ASSETS)"), headers={"content-type": "text/html; charset=utf-8"})
        return Response("worker: " + path, status=200)
