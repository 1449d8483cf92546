package rules

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
)

// generateModule writes a realistic Worker module of about n lines:
// Durable Objects using bindings, a Workflow, and the Default entrypoint.
func generateModule(n int) string {
	var b strings.Builder
	b.WriteString("import json\nimport random\nfrom workers import DurableObject, Response, WorkerEntrypoint, WorkflowEntrypoint\n\n")
	lines := 4
	for i := 0; lines < n-20; i++ {
		chunk := fmt.Sprintf(`
class Room%d(DurableObject):
    async def fetch(self, request):
        value = await self.env.CACHE.get("room-%d")
        if value is None:
            return Response("missing", status=404)
        rows = await self.env.DB.prepare("SELECT * FROM t WHERE id = ?").bind(%d).all()
        data = json.loads(value)
        for r in rows.results:
            data[r["id"]] = [x * 2 for x in range(10) if x %% 2]
        await self.ctx.storage.put("last", data)
        return Response.json({"data": data, "n": %d})

    async def webSocketMessage(self, ws, message):
        try:
            ws.send(message)
        except Exception:
            pass
`, i, i, i, i)
		b.WriteString(chunk)
		lines += strings.Count(chunk, "\n")
	}
	b.WriteString(`

class Flow(WorkflowEntrypoint):
    async def run(self, event, step):
        @step.do("load")
        async def load():
            return await self.env.CACHE.get("k")

        return await load()


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        value = await self.env.CACHE.get("greeting")
        return Response(value or str(random.random()))
`)
	return b.String()
}

func benchInput(b *testing.B, src string) *Input {
	in := worker(b, map[string]string{"src/entry.py": src}, "")
	return in
}

// BenchmarkCheckFile5k runs every rule on a 5,000-line module (facts
// extraction included: CheckFile caches nothing between calls).
func BenchmarkCheckFile5k(b *testing.B) {
	in := benchInput(b, generateModule(5000))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		CheckFile(context.Background(), in, "/w/src/entry.py")
	}
}

// BenchmarkKeystroke5k is the editor's path for one keystroke: an
// incremental reparse of the edited 5,000-line module, then CheckFile.
func BenchmarkKeystroke5k(b *testing.B) {
	src := generateModule(5000)
	in := benchInput(b, src)
	f := in.PythonFiles["/w/src/entry.py"]
	at := strings.Index(src, `"room-100"`) + 1
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		nf, err := f.Apply(context.Background(), []pysyntax.Edit{{Start: at, End: at, NewText: "x"}})
		if err != nil {
			b.Fatal(err)
		}
		f = nf
		in.PythonFiles["/w/src/entry.py"] = nf
		CheckFile(context.Background(), in, "/w/src/entry.py")
	}
}

// BenchmarkKeystrokeWithFacts5k is the keystroke path of a server that
// keeps each file's facts per snapshot: reparse, incremental facts (only
// the edited top-level statement is walked), then CheckFile.
func BenchmarkKeystrokeWithFacts5k(b *testing.B) {
	src := generateModule(5000)
	in := benchInput(b, src)
	const path = "/w/src/entry.py"
	f := in.PythonFiles[path]
	facts := pyfacts.Parse(path, f)
	in.Facts = map[string]*pyfacts.Module{path: facts}
	at := strings.Index(src, `"room-100"`) + 1
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		nf, err := f.Apply(context.Background(), []pysyntax.Edit{{Start: at, End: at, NewText: "x"}})
		if err != nil {
			b.Fatal(err)
		}
		f = nf
		facts = pyfacts.ParseIncremental(path, nf, facts)
		in.PythonFiles[path] = nf
		in.Facts[path] = facts
		CheckFile(context.Background(), in, path)
	}
}

// TestKeystrokeLatency5k reports percentiles of the keystroke path (logged
// with -v) and fails when a median is about 10× its usual value.
func TestKeystrokeLatency5k(t *testing.T) {
	if testing.Short() {
		t.Skip("latency measurement")
	}
	src := generateModule(5000)
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	f := in.PythonFiles["/w/src/entry.py"]
	at := strings.Index(src, `"room-100"`) + 1
	facts := pyfacts.Parse("/w/src/entry.py", f)
	for _, incremental := range []bool{false, true} {
		var times []time.Duration
		for i := 0; i < 200; i++ {
			start := time.Now()
			nf, err := f.Apply(context.Background(), []pysyntax.Edit{{Start: at, End: at, NewText: "x"}})
			if err != nil {
				t.Fatal(err)
			}
			f = nf
			in.PythonFiles["/w/src/entry.py"] = nf
			if incremental {
				facts = pyfacts.ParseIncremental("/w/src/entry.py", nf, facts)
				in.Facts = map[string]*pyfacts.Module{"/w/src/entry.py": facts}
			}
			CheckFile(context.Background(), in, "/w/src/entry.py")
			times = append(times, time.Since(start))
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		p50, p99 := times[len(times)/2], times[len(times)*99/100]
		t.Logf("keystroke (reparse + facts + all rules, incremental facts %v) on %d lines: p50 %v, p99 %v", incremental, strings.Count(src, "\n"), p50, p99)
		// Limits about 10× the medians on the project's VM (28 ms without
		// incremental facts, 10 ms with): a regression fails, noise does not.
		// Asserted without -race (`make perf`).
		limit := 300 * time.Millisecond
		if incremental {
			limit = 120 * time.Millisecond
		}
		if p50 > limit && !raceEnabled {
			t.Errorf("median %v is beyond %v (about 10× the usual median)", p50, limit)
		}
	}
}
