package pyfacts

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
)

func parse(t testing.TB, src string) *Module {
	t.Helper()
	f, err := pysyntax.Parse(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return Parse("m.py", f)
}

const sample = `import numpy as np
from random import randint as ri
from workers import WorkerEntrypoint, DurableObject, handler, env as wenv
import workers

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        e = self.env
        await e.KV.get("a")
        await self.env.DB.prepare("x").all()
        return workers.env.VARX

class Counter(workers.DurableObject):
    def alarm(self):
        pass

@handler
async def on_fetch(request, env, ctx):
    return env.LEGACY

def helper(env):
    return env.HELPER, wenv.MODULE_ENV
`

func TestFacts(t *testing.T) {
	m := parse(t, sample)
	if got := len(m.Classes); got != 2 {
		t.Fatalf("classes = %d", got)
	}
	if !m.Classes[0].HasBase("WorkerEntrypoint") || m.Classes[0].Bases[0] != "workers.WorkerEntrypoint" {
		t.Errorf("bases = %v", m.Classes[0].Bases)
	}
	if !m.Classes[1].HasBase("DurableObject") || m.Classes[1].Method("alarm") == nil {
		t.Errorf("counter = %+v", m.Classes[1])
	}
	var names []string
	for _, u := range m.EnvUses {
		names = append(names, u.Name)
	}
	if got, want := strings.Join(names, ","), "KV,DB,VARX,LEGACY,HELPER,MODULE_ENV"; got != want {
		t.Errorf("env uses = %s, want %s", got, want)
	}
	if f := m.Function("on_fetch"); f == nil || !f.Async || len(f.Decorators) != 1 || m.DecoratorName(f.Decorators[0]) != "workers.handler" {
		t.Errorf("on_fetch = %+v", f)
	}
	if len(m.LegacyHandlers()) != 1 {
		t.Error("legacy handlers")
	}
	call := findType(m.Root, "call")
	if got := m.Resolve(call.Child("function")); got != "self.env.KV.get" && got != "e.KV.get" {
		t.Errorf("resolve = %q", got)
	}
}

func findType(n *Node, typ string) *Node {
	var found *Node
	n.Walk(func(c *Node) bool {
		if found == nil && c.Type == typ {
			found = c
		}
		return found == nil
	})
	return found
}

func TestErrorRanges(t *testing.T) {
	m := parse(t, "class A:\n    def f(self):\n        x = self.env.\n")
	if len(m.ErrorRanges) == 0 {
		t.Fatal("want an error range")
	}
}

// GenerateModule writes a Worker module of about n lines.
func GenerateModule(n int) string {
	var b strings.Builder
	b.WriteString("import random\nimport json\nfrom workers import WorkerEntrypoint, Response, DurableObject\n\n")
	i := 0
	for strings.Count(b.String(), "\n") < n-12 {
		fmt.Fprintf(&b, `
class Handler%d(DurableObject):
    async def get_item(self, key):
        value = await self.env.CACHE.get(key)
        if value is None:
            return Response("missing %d", status=404)
        rows = await self.env.DB.prepare("SELECT * FROM t WHERE id = ?").bind(key).all()
        data = json.loads(value)
        for r in rows.results:
            data[r["id"]] = [x * 2 for x in range(10) if x %% 2]
        return Response.json({"data": data, "n": %d})
`, i, i, i)
		i++
	}
	b.WriteString("\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return Response(\"ok\")\n")
	return b.String()
}

func BenchmarkParseFacts5k(b *testing.B) {
	src := GenerateModule(5000)
	f, err := pysyntax.Parse(context.Background(), src)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Parse("m.py", f)
	}
}
