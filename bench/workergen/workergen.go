// Package workergen generates realistic Python Worker modules of a given
// size for benchmarks: entrypoint classes with handlers that use bindings,
// helper functions, and a Durable Object.
package workergen

import (
	"fmt"
	"strings"
)

// Module returns a Python Worker module of about n lines whose last class is
// `Default(WorkerEntrypoint)` with a fetch handler.
func Module(n int) string {
	var b strings.Builder
	b.WriteString("import json\nfrom urllib.parse import urlparse\n\nfrom workers import DurableObject, Response, WorkerEntrypoint\n\n\n")
	lines := 6
	for i := 0; lines < n-20; i++ {
		fmt.Fprintf(&b, `def helper_%d(values, factor=%d):
    """Scale and filter values (generated helper %d)."""
    out = []
    for v in values:
        if v %% %d == 0:
            out.append(v * factor)
        else:
            out.append({"value": v, "label": "item-%d"})
    return out


class Handler%d(WorkerEntrypoint):
    async def fetch(self, request):
        url = urlparse(request.url)
        cached = await self.env.CACHE.get(url.path)
        if cached is not None:
            return Response(cached)
        row = await self.env.DB.prepare("SELECT * FROM items WHERE id = ?").bind(%d).first()
        body = json.dumps({"row": row, "items": helper_%d([1, 2, 3])})
        await self.env.CACHE.put(url.path, body, expirationTtl=60)
        return Response(body, headers={"content-type": "application/json"})


`, i, i%7+1, i, i%5+2, i, i, i, i)
		lines += 27
	}
	b.WriteString(`class Counter(DurableObject):
    async def increment(self):
        n = (await self.ctx.storage.get("n")) or 0
        await self.ctx.storage.put("n", n + 1)
        return n + 1


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        value = await self.env.CACHE.get("key")
        return Response(value or "hello")
`)
	return b.String()
}
