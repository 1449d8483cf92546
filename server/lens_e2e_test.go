package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

const lensWorker = `from urllib.parse import parse_qs, urlparse

from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    # pyworkers: GET /?name=lens
    # pyworkers: POST /echo
    # pyworkers: header content-type: application/json
    # pyworkers: body {"n": 2}
    async def fetch(self, request):
        if request.method == "POST":
            body = await request.json()
            return Response.json({"doubled": body["n"] * 2})
        query = parse_qs(urlparse(request.url).query)
        print("lens run for", query.get("name", ["?"])[0])
        return Response(f"{self.env.GREETING} {query.get('name', ['world'])[0]}")

    async def scheduled(self, controller):
        print("tick", controller.cron)
`

// TestCodeLensRunsHandler lists the lenses of a Worker and executes two
// through the real embedded runtime.
func TestCodeLensRunsHandler(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Python runtime")
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "src"), 0o755)
	os.WriteFile(filepath.Join(root, "wrangler.jsonc"), []byte(`{
  "name": "lens", "main": "src/entry.py",
  "compatibility_date": "2025-10-01", "compatibility_flags": ["python_workers"],
  "vars": { "GREETING": "hello" },
  "triggers": { "crons": ["*/5 * * * *"] }
}`), 0o644)
	py := filepath.Join(root, "src", "entry.py")
	os.WriteFile(py, []byte(lensWorker), 0o644)

	c := lsptest.StartWithRuntime(t, binary)
	c.Initialize(t, root, nil)
	c.Open(t, py, "python", nil)

	var lenses []protocol.CodeLens
	if err := c.Call(t, "textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(py)}}, &lenses); err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, l := range lenses {
		titles = append(titles, l.Command.Title)
	}
	want := []string{"▶ Run fetch (GET /?name=lens)", "▶ Run fetch (POST /echo)", "▶ Run scheduled (*/5 * * * *)"}
	if strings.Join(titles, "|") != strings.Join(want, "|") {
		t.Fatalf("lenses %q, want %q", titles, want)
	}
	fetchLine := uint32(strings.Count(lensWorker[:strings.Index(lensWorker, "async def fetch")], "\n"))
	if lenses[0].Range.Start.Line != fetchLine {
		t.Fatalf("fetch lens on line %d, want %d", lenses[0].Range.Start.Line, fetchLine)
	}

	run := func(l protocol.CodeLens) map[string]any {
		t.Helper()
		var out map[string]any
		if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": l.Command.Command, "arguments": l.Command.Arguments}, &out); err != nil {
			t.Fatalf("%s: %v\nstderr:\n%s", l.Command.Title, err, c.Stderr)
		}
		return out
	}
	out := run(lenses[0])
	if out["status"] != float64(200) || !strings.HasPrefix(out["summary"].(string), "200 OK · ") {
		t.Fatalf("GET run: %v", out)
	}
	report, err := os.ReadFile(out["resultFile"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(report), "HTTP/1.1 200 OK") || !strings.Contains(string(report), "hello lens") || !strings.Contains(string(report), "lens run for lens") {
		t.Fatalf("result file:\n%s", report)
	}
	if docs := c.ShownDocuments(); len(docs) == 0 || !strings.HasSuffix(docs[0], "fetch.http") {
		t.Fatalf("the result was not shown: %v", docs)
	}
	if c.ProgressCount() == 0 {
		t.Fatal("no $/progress while running")
	}
	out = run(lenses[1])
	report, _ = os.ReadFile(out["resultFile"].(string))
	if !strings.Contains(string(report), `"doubled": 4`) && !strings.Contains(string(report), `"doubled":4`) {
		t.Fatalf("POST run:\n%s", report)
	}
	out = run(lenses[2])
	if s, _ := out["summary"].(string); !strings.HasPrefix(s, "scheduled completed") {
		t.Fatalf("scheduled run: %v", out)
	}
	logs, _ := c.Logs()
	found := false
	for _, l := range logs {
		found = found || strings.Contains(l, "tick */5 * * * *")
	}
	if !found {
		t.Fatalf("scheduled print not relayed: %v", logs)
	}
}
