package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/handlers"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

func TestRequestDefaults(t *testing.T) {
	got := Run{Kind: handlers.Fetch, Method: "post", Path: "/items?x=1"}.Request()
	if got.Method != "POST" || got.URL != Origin+"/items?x=1" {
		t.Errorf("request %+v", got)
	}
	if got := (Run{Kind: handlers.DurableFetch}).Request(); got.Method != "GET" || got.URL != Origin+"/" || got.Body != nil {
		t.Errorf("defaults %+v", got)
	}
}

func TestDescribe(t *testing.T) {
	for _, c := range []struct {
		run  Run
		want string
	}{
		{Run{Kind: handlers.Fetch}, "GET /"},
		{Run{Kind: handlers.Scheduled, Cron: "*/5 * * * *"}, "scheduled */5 * * * *"},
		{Run{Kind: handlers.Queue, Queue: "jobs"}, "queue jobs"},
		{Run{Kind: handlers.Workflow, Workflow: "FLOW"}, "workflow FLOW"},
		{Run{Kind: handlers.DurableFetch, Binding: "COUNTER", Name: "a", Path: "/x"}, `COUNTER.getByName("a").fetch GET /x`},
		{Run{Kind: handlers.DurableRPC, Binding: "COUNTER", Name: "a", RPCMethod: "add", Args: []any{1.0, "b"}}, `COUNTER.getByName("a").add(1, "b")`},
		{Run{Kind: handlers.Alarm, Binding: "COUNTER"}, "alarms of COUNTER"},
	} {
		if got := c.run.Describe(); got != c.want {
			t.Errorf("%s: %q, want %q", c.run.Kind, got, c.want)
		}
	}
}

func TestParseHeader(t *testing.T) {
	if n, v, ok := ParseHeader(" Content-Type :  a: b "); !ok || n != "Content-Type" || v != "a: b" {
		t.Errorf("got %q %q %v", n, v, ok)
	}
	if _, _, ok := ParseHeader("no colon"); ok {
		t.Error("a line without a colon parsed")
	}
}

func TestUsageErrorsAndResetOnly(t *testing.T) {
	var usage *UsageError
	for _, r := range []Run{{Kind: "bogus"}, {}} {
		if _, err := Do(context.Background(), nil, runtime.WorkerSpec{}, r); !errors.As(err, &usage) {
			t.Errorf("%q: err %v, want a UsageError", r.Kind, err)
		}
	}
	// A reset alone needs no engine.
	dir := t.TempDir()
	spec := runtime.WorkerSpec{ProjectDir: dir}
	state := actors.StateDir(spec)
	if err := os.MkdirAll(state, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "kv.sqlite"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Do(context.Background(), nil, spec, Run{ResetState: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(state, "kv.sqlite")); !os.IsNotExist(err) {
		t.Errorf("state survived the reset: %v", err)
	}
}

func TestRunResultOfEachOutcome(t *testing.T) {
	q := (&Outcome{Kind: handlers.Queue, Queue: &actors.QueueDelivery{Queue: "jobs", Left: 3}}).RunResult()
	if len(q.Warnings) != 1 || !strings.Contains(q.Warnings[0], `no pending messages in queue "jobs"`) || q.Logs[len(q.Logs)-1].Text != "3 message(s) left in jobs" {
		t.Errorf("queue: %+v", q)
	}
	w := (&Outcome{Kind: handlers.Workflow, Workflow: &actors.WorkflowResult{ID: "i1", Status: actors.StatusErrored, Error: "boom"}}).RunResult()
	if w.Error == nil || w.Error.Message != "boom" || !strings.HasPrefix(w.Logs[0].Text, "instance i1: errored") {
		t.Errorf("workflow: %+v", w)
	}
	a := (&Outcome{Kind: handlers.Alarm}).RunResult()
	if len(a.Warnings) != 1 || !strings.Contains(a.Warnings[0], "no alarm is set") {
		t.Errorf("alarms: %+v", a)
	}
	res := &runtime.RunResult{Status: 200}
	if got := (&Outcome{Kind: handlers.Fetch, Result: res}).RunResult(); got != res {
		t.Errorf("fetch: %+v", got)
	}
}

// One engine for the test binary: every interpreter boot is expensive.
var engine *runtime.Engine

func TestMain(m *testing.M) {
	engine = actors.NewEngine(runtime.EngineOptions{})
	code := m.Run()
	engine.Close()
	os.Exit(code)
}

// The kinds reach the real handlers of testdata/actors through Do, and
// state persists between runs as it does between lens clicks.
func TestDoRunsEachKind(t *testing.T) {
	if _, err := runtime.FindArtifacts(""); err != nil {
		t.Skip("Pyodide artifacts missing (bash runtime/artifacts/build.sh)")
	}
	dir := t.TempDir()
	testtree.Copy(t, "../../testdata/actors", dir)
	spec, err := workerspec.Load(filepath.Join(dir, "main", "wrangler.jsonc"), "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	do := func(r Run) *Outcome {
		t.Helper()
		out, err := Do(ctx, engine, spec, r)
		if err != nil {
			t.Fatalf("%s: %v", r.Kind, err)
		}
		if res := out.RunResult(); res.Error != nil {
			t.Fatalf("%s: %s\n%s", r.Kind, res.Error, res.Error.Traceback)
		}
		return out
	}
	do(Run{Kind: handlers.Fetch, Path: "/send"})
	if q := do(Run{Kind: handlers.Queue, Queue: "jobs"}).Queue; len(q.Messages) != 2 {
		t.Errorf("queue delivered %+v", q)
	}
	if v := do(Run{Kind: handlers.DurableRPC, Binding: "COUNTER", Name: "a", RPCMethod: "increment", Args: []any{5}}).Result.Value; v != float64(5) {
		t.Errorf("increment = %#v", v)
	}
	if res := do(Run{Kind: handlers.DurableFetch, Binding: "Counter", Name: "a", Path: "/hi"}).Result; string(res.Body) != "count=6 path=/hi" {
		t.Errorf("durable fetch: %d %s", res.Status, res.Body)
	}
	due := time.Now().Add(-time.Second).UnixMilli()
	do(Run{Kind: handlers.DurableRPC, Binding: "COUNTER", Name: "alarmed", RPCMethod: "schedule", Args: []any{due}})
	if runs := do(Run{Kind: handlers.Alarm}).Alarms; len(runs) != 1 || runs[0].Name != "alarmed" {
		t.Errorf("alarms: %+v", runs)
	}
	wf := do(Run{Kind: handlers.Workflow, Workflow: "FLOW", Instance: "order-1", Params: `{"n": 4}`}).Workflow
	if wf.Status != actors.StatusWaiting || wf.WaitingFor != "approve" {
		t.Fatalf("workflow: %+v", wf)
	}
	wf = do(Run{Kind: handlers.WorkflowEvent, Instance: "order-1", EventType: "approve", EventPayload: `{"by": "ada"}`}).Workflow
	if b, _ := json.Marshal(wf.Output); wf.Status != actors.StatusComplete || string(b) != `{"approved_by":"ada","value":40}` {
		t.Errorf("after the event: %s %s", wf.Status, b)
	}
	// After a reset the counter starts again.
	if v := do(Run{Kind: handlers.DurableRPC, ResetState: true, Binding: "COUNTER", Name: "a", RPCMethod: "increment", Args: []any{1}}).Result.Value; v != float64(1) {
		t.Errorf("increment after reset = %#v", v)
	}
}
