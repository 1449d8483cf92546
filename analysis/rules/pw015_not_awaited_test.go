package rules

import (
	"strings"
	"testing"
)

func TestPW015(t *testing.T) {
	src := `from workers import WorkerEntrypoint, DurableObject

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        self.env.CACHE.put("k", "v")
        rows = self.env.DB.prepare("SELECT 1").all()
        stmt = self.env.DB.prepare("SELECT 1")
        await self.env.CACHE.put("k", "v")
        return rows

class Counter(DurableObject):
    async def fetch(self, request):
        self.ctx.storage.put("n", 1)
`
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	ds := diagsOf(t, in, "src/entry.py", "PW015")
	if len(ds) != 3 || textAt(t, in, ds[0]) != `self.env.CACHE.put("k", "v")` || textAt(t, in, ds[1]) != `self.env.DB.prepare("SELECT 1").all()` || textAt(t, in, ds[2]) != `self.ctx.storage.put("n", 1)` {
		t.Fatalf("got %+v", ds)
	}
	if got := fixed(t, in, ds[1], "Add await", "src/entry.py"); !strings.Contains(got, `rows = await self.env.DB.prepare("SELECT 1").all()`) {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW015Negative(t *testing.T) {
	src := "import asyncio\nfrom workers import WorkerEntrypoint\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        await asyncio.gather(self.env.CACHE.get(\"a\"), self.env.CACHE.get(\"b\"))\n        self.ctx.waitUntil(self.env.CACHE.put(\"k\", \"v\"))\n        return await self.env.CACHE.get(\"k\")\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	expectNone(t, in, "src/entry.py", "PW015")
}
