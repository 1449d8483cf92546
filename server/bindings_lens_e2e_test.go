package server_test

import (
	"encoding/json"
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
  "d1_databases": [{ "binding": "DB", "database_name": "shop", "database_id": "local" }],
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

	// The Bindings view's data: what each binding holds now.
	state := func() map[string]map[string]any {
		t.Helper()
		var out struct {
			Workers []struct {
				Dir      string           `json:"dir"`
				Error    string           `json:"error"`
				Bindings []map[string]any `json:"bindings"`
			} `json:"workers"`
		}
		if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": "pyworkers.localState", "arguments": []any{map[string]any{"uri": lsptest.URI(py)}}}, &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Workers) != 1 || out.Workers[0].Error != "" {
			t.Fatalf("localState: %+v", out)
		}
		byName := map[string]map[string]any{}
		for _, b := range out.Workers[0].Bindings {
			byName[b["binding"].(string)] = b
		}
		return byName
	}
	items := func(b map[string]any) string {
		j, _ := json.Marshal(b["items"])
		return string(j)
	}
	st := state()
	if kv := st["KV"]; kv == nil || kv["count"] != 1.0 || items(kv) != `[{"detail":"2","name":"count"}]` {
		t.Errorf("KV: %v", kv)
	}
	if do := st["COUNTER"]; do == nil || do["count"] != 1.0 || !strings.Contains(items(do), `"name":"shared (`) || !strings.Contains(items(do), `"children":[{"detail":"10","name":"n"}]`) {
		t.Errorf("COUNTER: %v", do)
	}
	if wf := st["FLOW"]; wf == nil || wf["count"] != 1.0 || !strings.Contains(items(wf), `"detail":"complete"`) || !strings.Contains(items(wf), `{"detail":"do, done","name":"double"}`) {
		t.Errorf("FLOW: %v", wf)
	}
	if q := st["JOBS"]; q == nil || q["count"] != 0.0 || q["resource"] != "jobs" {
		t.Errorf("JOBS (every message acked): %v", q)
	}

	// The same as a document (the "Show local state" code action).
	var shown struct {
		ResultFile string `json:"resultFile"`
	}
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": "pyworkers.localState", "arguments": []any{map[string]any{"uri": lsptest.URI(py), "show": true}}}, &shown); err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(shown.ResultFile)
	for _, want := range []string{"KV (KV namespace local): 1\n  count = 2\n", "COUNTER (Durable Object class Counter): 1\n  shared (", "    n = 10\n", "FLOW (Workflow flow): 1\n", "DB (D1 database shop): 0\n"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("local-state document lacks %q:\n%s", want, doc)
		}
	}
	if docs := c.ShownDocuments(); len(docs) == 0 || !strings.HasSuffix(docs[len(docs)-1], "local-state.txt") {
		t.Errorf("the document was not shown: %q", docs)
	}

	// The query box: SQL on the D1 binding's local database.
	var q struct {
		Results []struct {
			Columns []string `json:"columns"`
			Rows    [][]any  `json:"rows"`
		} `json:"results"`
		ResultFile string `json:"resultFile"`
	}
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": "pyworkers.d1Query", "arguments": []any{map[string]any{"uri": lsptest.URI(py), "binding": "DB",
		"sql": "CREATE TABLE items (name TEXT); INSERT INTO items VALUES ('a'), ('b'); SELECT count(*) AS n FROM items"}}}, &q); err != nil {
		t.Fatal(err)
	}
	if len(q.Results) != 3 || len(q.Results[2].Rows) != 1 || q.Results[2].Rows[0][0] != 2.0 {
		t.Errorf("d1Query: %+v", q)
	}
	if text, _ := os.ReadFile(q.ResultFile); !strings.Contains(string(text), "n\n2\n") {
		t.Errorf("d1-query document:\n%s", text)
	}
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": "pyworkers.d1Query", "arguments": []any{map[string]any{"uri": lsptest.URI(py), "binding": "DB",
		"sql": "INSERT INTO items VALUES ('c'); SELECT * FROM nope"}}}, nil); err == nil || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("a failing script: %v", err)
	}
	if db := state()["DB"]; db == nil || items(db) != `[{"detail":"2 rows","name":"items"}]` {
		t.Errorf("DB after the queries (the failed one changed nothing): %v", db)
	}

	// Delete one item of each kind that can be.
	doID := st["COUNTER"]["items"].([]any)[0].(map[string]any)["id"].(string)
	flowID := st["FLOW"]["items"].([]any)[0].(map[string]any)["name"].(string)
	for _, del := range [][2]string{{"KV", "count"}, {"COUNTER", doID}, {"FLOW", flowID}} {
		if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": "pyworkers.deleteLocalState", "arguments": []any{map[string]any{"uri": lsptest.URI(py), "binding": del[0], "name": del[1]}}}, nil); err != nil {
			t.Errorf("delete %v: %v", del, err)
		}
	}
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": "pyworkers.deleteLocalState", "arguments": []any{map[string]any{"uri": lsptest.URI(py), "binding": "COUNTER", "name": "../../escape"}}}, nil); err == nil {
		t.Error("deleting a path outside the state folder succeeded")
	}
	if st := state(); st["KV"]["count"] != 0.0 || st["COUNTER"]["count"] != 0.0 || st["FLOW"]["count"] != 0.0 {
		t.Errorf("after the deletes: %v", st)
	}
	expect("▶ Run fetch (GET /count)", "count=1") // the key is gone for the Worker too
	expect("▶ Call increment(5) on shared", "returned 5")

	var reset map[string]any
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": "pyworkers.resetState", "arguments": []any{map[string]any{"uri": lsptest.URI(py)}}}, &reset); err != nil {
		t.Fatal(err)
	}
	if st := state(); st["KV"]["count"] != 0.0 || st["COUNTER"]["count"] != 0.0 || st["FLOW"]["count"] != 0.0 || st["DB"]["count"] != 0.0 {
		t.Errorf("after resetState: %v", st)
	}
	expect("▶ Run fetch (GET /count)", "count=1")
	expect("▶ Call increment(5) on shared", "returned 5")
}
