from urllib.parse import parse_qs, urlparse

from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        query = parse_qs(urlparse(request.url).query)
        name = query.get("name", ["world"])[0]
        print(f"handling {request.method} {request.url}")
        return Response(f"{self.env.GREETING} {name}")
