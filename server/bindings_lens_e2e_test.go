package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

const bindingsLensConfig = `{
  "name": "lens-bindings", "main": "src/entry.py",
  "compatibility_date": "2025-10-01", "compatibility_flags": ["python_workers"],
  "kv_namespaces": [{ "binding": "KV", "id": "local" }],
  "durable_objects": { "bindings": [{ "name": "COUNTER", "class_name": "Counter" }] },
  "workflows": [{ "binding": "FLOW", "name": "flow", "class_name": "Flow" }],
  "queues": {
    "producers": [{ "binding": "JOBS", "queue": "jobs" }],
    "consumers": [{ "queue": "jobs", "max_batch_size": 10 }]
  }
}`

const bindingsLensWorker = `from workers import DurableObject, Response, WorkerEntrypoint, WorkflowEntrypoint


class Counter(DurableObject):
    # pyworkers: name shared
    # pyworkers: args [5]
    async def increment(self, by):
        n = ((await self.ctx.storage.get("n")) or 0) + by
        await self.ctx.storage.put("n", n)
        return n


class Flow(WorkflowEntrypoint):
    # pyworkers: params {"x": 20}
    async def run(self, event, step):
        @step.do("double")
        async def double():
            return event["payload"]["x"] * 2

        return {"doubled": await double()}


class Default(WorkerEntrypoint):
    # pyworkers: GET /count
    # pyworkers: POST /send
    async def fetch(self, request):
        if request.method == "POST":
            await self.env.JOBS.send({"job": 1})
            await self.env.JOBS.send({"job": 2})
            return Response("sent")
        n = int((await self.env.KV.get("count")) or "0") + 1
        await self.env.KV.put("count", str(n))
        return Response(f"count={n}")

    async def queue(self, batch):
        for message in batch.messages:
            print("got job", message.body["job"])
            message.ack()
`

// TestLensesWithSimulatedBindings runs every handler kind from its lens
// against the local state: KV persists between runs, queue messages sent by
// fetch reach queue(), a Durable Object counts via RPC, a workflow
// completes, and pyworkers.resetState starts over.
func TestLensesWithSimulatedBindings(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Python runtime")
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "src"), 0o755)
	os.WriteFile(filepath.Join(root, "wrangler.jsonc"), []byte(bindingsLensConfig), 0o644)
	py := filepath.Join(root, "src", "entry.py")
	os.WriteFile(py, []byte(bindingsLensWorker), 0o644)

	c := lsptest.StartWithRuntime(t, binary)
	c.Initialize(t, root, nil)
	c.Open(t, py, "python", nil)
	var lenses []protocol.CodeLens
	if err := c.Call(t, "textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(py)}}, &lenses); err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]protocol.CodeLens{}
	var titles []string
	for _, l := range lenses {
		byTitle[l.Command.Title] = l
		titles = append(titles, l.Command.Title)
	}
	run := func(title string) (map[string]any, string) {
		t.Helper()
		l, ok := byTitle[title]
		if !ok {
			t.Fatalf("no lens %q among %q", title, titles)
		}
		var out map[string]any
		if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": l.Command.Command, "arguments": l.Command.Arguments}, &out); err != nil {
			t.Fatalf("%s: %v\nstderr:\n%s", title, err, c.Stderr)
		}
		report, _ := os.ReadFile(out["resultFile"].(string))
		return out, string(report)
	}
	expect := func(title, want string) {
		t.Helper()
		if _, report := run(title); !strings.Contains(report, want) {
			t.Fatalf("%s: want %q in\n%s", title, want, report)
		}
	}
	expect("▶ Run fetch (GET /count)", "count=1")
	expect("▶ Run fetch (GET /count)", "count=2")
	expect("▶ Run fetch (POST /send)", "sent")
	expect("▶ Deliver queue messages (jobs)", "got job 2")
	expect("▶ Call increment(5) on shared", "returned 5")
	expect("▶ Call increment(5) on shared", "returned 10")
	expect("▶ Start workflow (FLOW)", `"doubled":40`)

	var reset map[string]any
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": "pyworkers.resetState", "arguments": []any{map[string]any{"uri": lsptest.URI(py)}}}, &reset); err != nil {
		t.Fatal(err)
	}
	expect("▶ Run fetch (GET /count)", "count=1")
	expect("▶ Call increment(5) on shared", "returned 5")
}
