from workers import WorkerEntrypoint, Response


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response("auth")

    async def verify(self, token: str, *, audience=None):
        """Check a session token."""
        return token == "ok"


class Admin(WorkerEntrypoint):
    async def ban(self, user_id):
        return True
