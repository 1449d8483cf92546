import asyncio
import time
import threading
import pandas as pd
from pyodide.ffi import to_js, to_py
from workers import DurableObject, Response, WorkerEntrypoint


class ChatRoom(DurableObject):
    async def web_socket_message(self, ws, message):
        try:
            self.ctx.storage.put("last", message)
        except:
            pass

    async def alarm(self):
        time.sleep(1)


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        data = to_py(request.cf)
        self.env.CACHE.put("seen", "1")
        rows = await self.env.DB.prepare("SELECT 1").all()
        await self.env.AI.run("@cf/meta/llama", to_js({"prompt": "hi"}))
        threading.Thread(target=print).start()
        result = asyncio.run(self.helper())
        if request.method == "HEAD":
            return
        if request.method == "POST":
            return {"ok": True, "rows": rows, "frame": str(pd.DataFrame())}
        return "hello " + self.env.API_HOTS  # pyworkers: ignore[PW028]

    async def helper(self):
        return 1
