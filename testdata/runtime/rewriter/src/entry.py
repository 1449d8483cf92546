import asyncio

from js import HTMLRewriter, Object, TransformStream
from pyodide.ffi import create_proxy, to_js
from workers import Response, WorkerEntrypoint

PAGE = [
    "<!DOCTYPE html>\n<html><head><title>Old title</title>",
    '<meta property="og:title" content="old"></head>\n<body>',
    '<!-- a comment --><h1>hello <em>world</em></h1>',
    '<a href="/docs">Docs</a> <a href="/blog" class="keep">Blog</a>',
    "<script>tracking()</script><p>Tom &amp; Jerry</p><br></body></html>\n",
]


class Links:
    def element(self, el):
        if el.getAttribute("class") != "keep":
            el.setAttribute("href", "https://example.com" + el.getAttribute("href"))


class Title:
    async def element(self, el):
        await asyncio.sleep(0.01)  # an async handler: the rewriter waits
        el.setInnerContent("New & <improved>")


class OpenGraph:
    def element(self, el):
        el.setAttribute("content", "rewritten")


class Shout:
    def text(self, chunk):
        if chunk.text.strip():
            chunk.replace(chunk.text.upper())


class Drop:
    def element(self, el):
        el.remove()


class Doc:
    def __init__(self):
        self.seen = []

    def doctype(self, d):
        self.seen.append("doctype:" + d.name)

    def comments(self, c):
        c.remove()

    def end(self, end):
        end.append("<!-- " + ",".join(self.seen) + " -->", to_js({"html": True}, dict_converter=Object.fromEntries))


def html_options():
    return to_js({"html": True}, dict_converter=Object.fromEntries)


class Wrap:
    def element(self, el):
        el.before("<section>", html_options())
        el.after("</section>", html_options())


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        # The page arrives as a stream, in chunks, as from an origin.
        ts = TransformStream.new()
        writer = ts.writable.getWriter()

        async def produce():
            for part in PAGE:
                await writer.write(to_js(part.encode()))
                await asyncio.sleep(0.005)
            await writer.close()

        asyncio.ensure_future(produce())
        page = Response(ts.readable, headers={"content-type": "text/html; charset=utf-8", "content-length": "999"})
        rw = HTMLRewriter.new()
        rw.on("a[href]", create_proxy(Links()))
        rw.on("title", create_proxy(Title()))
        rw.on('meta[property="og:title"]', create_proxy(OpenGraph()))
        rw.on("h1", create_proxy(Shout()))
        rw.on("script", create_proxy(Drop()))
        rw.on("p", create_proxy(Wrap()))
        rw.on_document(create_proxy(Doc()))  # onDocument, in Python spelling
        return rw.transform(page.js_object)
