import json
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel
from workers import WorkerEntrypoint, asgi

app = FastAPI(title="items")
templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape())


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []


@app.get("/", response_class=HTMLResponse)
async def index(request: Request, name: str = "world"):
    env = request.scope["env"]
    # The SDK turns JS results into dicts with attribute access; "keys"
    # is also a dict method, so it is read by subscript.
    listing = await env.ITEMS.list()
    items = [k.name for k in listing["keys"]]
    return templates.get_template("page.html").render(greeting=env.GREETING, name=name, items=items)


@app.put("/items/{key}")
async def put_item(key: str, item: Item, request: Request):
    await request.scope["env"].ITEMS.put(key, item.json())
    return {"stored": key, "item": item.dict()}


@app.get("/items/{key}")
async def get_item(key: str, request: Request):
    raw = await request.scope["env"].ITEMS.get(key)
    if raw is None:
        raise HTTPException(status_code=404, detail=f"no item {key}")
    return Item(**json.loads(raw))


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return await asgi.fetch(app, request, self.env)
