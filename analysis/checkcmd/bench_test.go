package checkcmd

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeProject generates a Worker with files modules of about lines lines
// each, importing one another, with bindings and a few pitfalls.
func writeProject(tb testing.TB, dir string, files, lines int) {
	tb.Helper()
	write := func(p, s string) {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	write("wrangler.jsonc", `{
  "name": "big",
  "main": "src/entry.py",
  "compatibility_date": "2026-05-01",
  "compatibility_flags": ["python_workers"],
  "kv_namespaces": [{ "binding": "CACHE", "id": "x" }],
  "d1_databases": [{ "binding": "DB", "database_name": "d", "database_id": "y" }],
  "durable_objects": { "bindings": [{ "name": "ROOM", "class_name": "Room0" }] }
}
`)
	write("pyproject.toml", "[project]\nname = \"big\"\ndependencies = [\"workers-runtime-sdk\", \"httpx\"]\n")
	var entry strings.Builder
	entry.WriteString("from workers import Response, WorkerEntrypoint\n")
	for i := 1; i < files; i++ {
		fmt.Fprintf(&entry, "from mod%d import Room%d\n", i, i)
	}
	entry.WriteString("from mod0 import Room0\n\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return Response(await self.env.CACHE.get(\"k\"))\n")
	write("src/entry.py", entry.String())
	for i := 0; i < files; i++ {
		var b strings.Builder
		b.WriteString("import json\nimport time\nfrom workers import DurableObject, Response\n\n")
		for j := 0; strings.Count(b.String(), "\n") < lines; j++ {
			fmt.Fprintf(&b, `
class Room%[1]d_%[2]d(DurableObject):
    async def fetch(self, request):
        value = await self.env.CACHE.get("k%[2]d")
        rows = await self.env.DB.prepare("SELECT ?").bind(%[2]d).all()
        self.env.CACHE.put("seen", json.dumps(rows.results))
        return Response(value or "none")
`, i, j)
		}
		fmt.Fprintf(&b, "\n\nclass Room%d(DurableObject):\n    async def alarm(self):\n        time.sleep(1)\n", i)
		write(fmt.Sprintf("src/mod%d.py", i), b.String())
	}
}

// BenchmarkCheck50Files runs `check` over a 50-module Worker (about 10,000
// lines of Python): discovery, loading, parsing and every rule.
func BenchmarkCheck50Files(b *testing.B) {
	dir := b.TempDir()
	writeProject(b, dir, 50, 200)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code := Main([]string{dir}, io.Discard, io.Discard); code != ExitOK {
			b.Fatalf("exit %d", code)
		}
	}
}

func TestCheck50FilesTime(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	dir := t.TempDir()
	writeProject(t, dir, 50, 200)
	var out strings.Builder
	start := time.Now()
	code := Main([]string{"--format", "json", dir}, &out, io.Discard)
	elapsed := time.Since(start)
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), `"PW015"`) || !strings.Contains(out.String(), `"PW025"`) {
		t.Errorf("expected findings in the generated project")
	}
	t.Logf("check over 50 files: %v", elapsed)
	if elapsed > 5*time.Second {
		t.Errorf("check took %v (target 0.5 s)", elapsed)
	}
}
