package actors

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

// One engine for the test binary: every interpreter boot is expensive
// (especially under -race).
var engine *runtime.Engine

func TestMain(m *testing.M) {
	engine = NewEngine(runtime.EngineOptions{})
	code := m.Run()
	engine.Close()
	os.Exit(code)
}

func needRuntime(t *testing.T) {
	t.Helper()
	if _, err := runtime.FindArtifacts(""); err != nil {
		t.Fatalf("%v (the Makefile builds them)", err)
	}
}

// workspace copies testdata/actors (both Workers) to a temp folder, so each
// test starts with empty local state, and loads the main Worker. sdk is a
// testtree.SDKs value: "" for the built-in SDK, else Cloudflare's SDK folder,
// vendored into both Workers as pywrangler does.
func workspace(t *testing.T, sdk string) (main, other runtime.WorkerSpec) {
	t.Helper()
	needRuntime(t)
	dir := t.TempDir()
	testtree.Copy(t, "../../testdata/actors", dir)
	for _, w := range []string{"main", "other"} {
		testtree.VendorSDK(t, sdk, filepath.Join(dir, w))
	}
	var err error
	if main, err = workerspec.Load(filepath.Join(dir, "main", "wrangler.jsonc"), ""); err != nil {
		t.Fatal(err)
	}
	if other, err = workerspec.Load(filepath.Join(dir, "other", "wrangler.jsonc"), ""); err != nil {
		t.Fatal(err)
	}
	if sdk == "" {
		main.SDK, other.SDK = "builtin", "builtin"
	}
	return main, other
}

func ok(t *testing.T, res *runtime.RunResult, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if res.Error != nil {
		t.Fatalf("run failed: %s\n%s\nlogs: %+v", res.Error, res.Error.Traceback, res.Logs)
	}
}

func fetchPath(t *testing.T, spec runtime.WorkerSpec, path string) *runtime.RunResult {
	t.Helper()
	res, err := engine.RunFetch(context.Background(), spec, runtime.HTTPRequest{URL: "http://localhost" + path})
	ok(t, res, err)
	return res
}

func logText(res *runtime.RunResult) string {
	var b strings.Builder
	for _, l := range res.Logs {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

// ctx.storage.kv, the synchronous KV API of SQLite-backed objects, reads and
// writes the same storage as the async API (it was an AttributeError).
func TestDurableObjectSyncKV(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			spec, _ := workspace(t, sdk)
			call := func() map[string]any {
				res, err := CallDurableObject(context.Background(), engine, spec, DurableObjectCall{Binding: "COUNTER", Name: "kv", Method: "sync_kv", Args: []any{"k", "v1"}})
				ok(t, res, err)
				m, _ := res.Value.(map[string]any)
				return m
			}
			got := call()
			b, _ := json.Marshal(got)
			if string(b) != `{"after":"v1","before":null,"deleted":true,"gone":false,"listed":[["k","v1"],["k-other",1]]}` {
				t.Fatalf("first call: %s", b)
			}
			if got := call(); got["before"] != "v1" {
				t.Fatalf("the value did not persist across runs: %+v", got)
			}
		})
	}
}

func TestDurableObjectRPCAndFetchPersistAcrossRuns(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			spec, _ := workspace(t, sdk)
			res := fetchPath(t, spec, "/do")
			if got := string(res.Body); got != `{"n": 2, "fetch": "count=3 path=/inside", "calls": 2}` {
				t.Fatalf("first run: %s", got)
			}
			// A second run re-creates the object from its storage: the counter
			// goes on, the in-memory call count starts again.
			res = fetchPath(t, spec, "/do")
			if got := string(res.Body); got != `{"n": 5, "fetch": "count=6 path=/inside", "calls": 2}` {
				t.Fatalf("second run: %s", got)
			}
			// The Go API reaches the same object by name.
			res, err := CallDurableObject(context.Background(), engine, spec, DurableObjectCall{Binding: "COUNTER", Name: "a", Method: "increment", Args: []any{10}})
			ok(t, res, err)
			if res.Value != float64(16) {
				t.Fatalf("RPC increment = %#v", res.Value)
			}
			res, err = CallDurableObject(context.Background(), engine, spec, DurableObjectCall{Binding: "Counter", Name: "a",
				Request: &runtime.HTTPRequest{URL: "http://do/api"}})
			ok(t, res, err)
			if res.Status != 200 || string(res.Body) != "count=17 path=/api" {
				t.Fatalf("fetch: %d %s", res.Status, res.Body)
			}
			// A transaction that raises leaves the value alone.
			res, err = CallDurableObject(context.Background(), engine, spec, DurableObjectCall{Binding: "COUNTER", Name: "a", Method: "swap"})
			ok(t, res, err)
			if res.Value != float64(17) {
				t.Fatalf("after a rolled-back transaction: %#v", res.Value)
			}
			// Another name is another object.
			res, err = CallDurableObject(context.Background(), engine, spec, DurableObjectCall{Binding: "COUNTER", Name: "b", Method: "increment"})
			ok(t, res, err)
			if res.Value != float64(1) {
				t.Fatalf("object b: %#v", res.Value)
			}
		})
	}
}

func TestDurableObjectSQLAndAlarm(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			spec, _ := workspace(t, sdk)
			ctx := context.Background()
			for _, note := range []string{"one", "two"} {
				res, err := CallDurableObject(ctx, engine, spec, DurableObjectCall{Binding: "COUNTER", Name: "notes", Method: "remember", Args: []any{note}})
				ok(t, res, err)
				_ = res
			}
			res, err := CallDurableObject(ctx, engine, spec, DurableObjectCall{Binding: "COUNTER", Name: "notes", Method: "remember", Args: []any{"three"}})
			ok(t, res, err)
			if b, _ := json.Marshal(res.Value); string(b) != `["one","two","three"]` {
				t.Fatalf("sql notes: %s", b)
			}

			due := time.Now().Add(-time.Second).UnixMilli()
			res, err = CallDurableObject(ctx, engine, spec, DurableObjectCall{Binding: "COUNTER", Name: "alarmed", Method: "schedule", Args: []any{due}})
			ok(t, res, err)
			if res.Value != float64(due) {
				t.Fatalf("getAlarm after setAlarm = %#v, want %d", res.Value, due)
			}
			runs, err := FireAlarms(ctx, engine, spec, time.Now(), false)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != 1 || runs[0].Name != "alarmed" {
				t.Fatalf("alarm runs: %+v", runs)
			}
			ok(t, runs[0].Result, nil)
			if !strings.Contains(logText(runs[0].Result), "alarm fired for alarmed") {
				t.Fatalf("alarm logs: %s", logText(runs[0].Result))
			}
			res, err = CallDurableObject(ctx, engine, spec, DurableObjectCall{Binding: "COUNTER", Name: "alarmed", Method: "alarms"})
			ok(t, res, err)
			if b, _ := json.Marshal(res.Value); string(b) != `{"fired":1,"next":null}` {
				t.Fatalf("after the alarm: %s", b)
			}
			// Nothing is due any more.
			if runs, err := FireAlarms(ctx, engine, spec, time.Now(), false); err != nil || len(runs) != 0 {
				t.Fatalf("second FireAlarms: %v %+v", err, runs)
			}
		})
	}
}

func TestWorkflowRetriesWaitAndReplay(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			spec, _ := workspace(t, sdk)
			ctx := context.Background()
			wr, err := StartWorkflow(ctx, engine, spec, "FLOW", "order-1", `{"n": 4}`)
			if err != nil {
				t.Fatal(err)
			}
			logs := logText(wr.Result)
			if wr.Status != StatusWaiting || wr.WaitingFor != "approve" {
				t.Fatalf("status %q waiting for %q (error %q)\nlogs:\n%s", wr.Status, wr.WaitingFor, wr.Error, logs)
			}
			// The flaky step failed twice, then succeeded on its third attempt.
			if n := strings.Count(logs, "side effect: flaky attempt"); n != 3 {
				t.Fatalf("flaky ran %d times, want 3\n%s", n, logs)
			}
			if n := strings.Count(logs, `step "flaky" attempt`); n != 2 {
				t.Fatalf("%d failed attempts logged, want 2\n%s", n, logs)
			}
			if strings.Join(wr.Executed, ",") != "load,flaky,nap" {
				t.Fatalf("executed %v", wr.Executed)
			}

			wr, err = SendWorkflowEvent(ctx, engine, spec, "order-1", "approve", `{"by": "ada"}`)
			if err != nil {
				t.Fatal(err)
			}
			logs = logText(wr.Result)
			if wr.Status != StatusComplete {
				t.Fatalf("status %q error %q\n%s", wr.Status, wr.Error, logs)
			}
			// The replay answered load and flaky from their stored results.
			if strings.Contains(logs, "side effect: load") || strings.Contains(logs, "side effect: flaky") {
				t.Fatalf("completed steps ran again:\n%s", logs)
			}
			if strings.Count(logs, "side effect: finish") != 1 {
				t.Fatalf("finish did not run once:\n%s", logs)
			}
			if strings.Join(wr.Replayed, ",") != "load,flaky,nap" {
				t.Fatalf("replayed %v", wr.Replayed)
			}
			if b, _ := json.Marshal(wr.Output); string(b) != `{"approved_by":"ada","value":40}` {
				t.Fatalf("output %s", b)
			}
			st, err := WorkflowStatus(spec, "order-1")
			if err != nil || st.Status != StatusComplete {
				t.Fatalf("status: %v %+v", err, st)
			}
		})
	}
}

// A NonRetryableError ends the step on its first attempt, whatever its retry
// limit: with the real SDK the error crosses its workflows.js wrapper (ported
// to Go), with the built-in one the SDK's own step code.
func TestWorkflowNonRetryableError(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			spec, _ := workspace(t, sdk)
			wr, err := StartWorkflow(context.Background(), engine, spec, "STUBBORN", "s-1", `{}`)
			if err != nil {
				t.Fatal(err)
			}
			logs := logText(wr.Result)
			if wr.Status != StatusErrored {
				t.Fatalf("status %q, want errored\n%s", wr.Status, logs)
			}
			if n := strings.Count(logs, "side effect: refuse attempt"); n != 1 {
				t.Fatalf("the step ran %d times, want 1\n%s", n, logs)
			}
			if !strings.Contains(wr.Error, "NonRetryableError") || !strings.Contains(wr.Error, "do not retry") {
				t.Fatalf("error %q", wr.Error)
			}
		})
	}
}

func TestWorkflowCreatedFromAHandler(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			spec, _ := workspace(t, sdk)
			res := fetchPath(t, spec, "/wf")
			if string(res.Body) != `{"id": "in-run", "status": "running"}` {
				t.Fatalf("body %s\n%s", res.Body, logText(res))
			}
			// The instance ran within the run (like ctx.waitUntil) up to its wait.
			st, err := WorkflowStatus(spec, "in-run")
			if err != nil || st.Status != StatusWaiting {
				t.Fatalf("status: %v %+v\n%s", err, st, logText(res))
			}
		})
	}
}

func TestQueueDeliveryAckRetryDeadLetter(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			spec, _ := workspace(t, sdk)
			ctx := context.Background()
			fetchPath(t, spec, "/send")
			outcomes := map[string]string{}
			delivered := 0
			for round := 0; round < 4; round++ {
				d, err := DeliverQueue(ctx, engine, spec, "jobs")
				if err != nil {
					t.Fatal(err)
				}
				if d.Result == nil {
					break
				}
				ok(t, d.Result, nil)
				if len(d.Messages) > 2 {
					t.Fatalf("batch of %d > max_batch_size 2", len(d.Messages))
				}
				delivered += len(d.Messages)
				logs := logText(d.Result)
				for _, m := range d.Messages {
					outcomes[m.ID] = m.Outcome
				}
				if !strings.Contains(logs, "queue jobs:") {
					t.Fatalf("handler output: %s", logs)
				}
			}
			// i=0 and i=2 acked; i=1 retried once, then dead-lettered on its second
			// delivery (max_retries 1).
			if delivered != 4 {
				t.Fatalf("%d deliveries, want 4 (outcomes %v)", delivered, outcomes)
			}
			counts := map[string]int{}
			for _, o := range outcomes {
				counts[o]++
			}
			if counts[OutcomeAcked] != 2 || counts[OutcomeDeadLetter] != 1 {
				t.Fatalf("outcomes %v", outcomes)
			}
			if _, err := DeliverQueue(ctx, engine, spec, "nope"); err == nil || !strings.Contains(err.Error(), "does not consume") {
				t.Fatalf("unknown queue: %v", err)
			}
		})
	}
}

func TestServiceBindingFetchAndRPC(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			spec, _ := workspace(t, sdk)
			res := fetchPath(t, spec, "/svc")
			if string(res.Body) != `{"fetch": "hello from other http://other/hi", "rpc": 5}` {
				t.Fatalf("body %s\nlogs %s", res.Body, logText(res))
			}
			if !strings.Contains(logText(res), "[actors-other] other: fetch") {
				t.Fatalf("nested logs missing: %s", logText(res))
			}
			res, err := engine.RunFetch(context.Background(), spec, runtime.HTTPRequest{URL: "http://localhost/missing"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Error == nil || !strings.Contains(res.Error.Message, `service "no-such-worker": no Worker of that name`) {
				t.Fatalf("missing service: %+v", res.Error)
			}
		})
	}
}

func TestWorkflowImplicitDependencies(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			spec, _ := workspace(t, sdk)
			spec.CompatibilityFlags = append(spec.CompatibilityFlags, "python_workflows_implicit_dependencies")
			wr, err := StartWorkflow(context.Background(), engine, spec, "chain", "", `{"start": 41}`)
			if err != nil {
				t.Fatal(err)
			}
			if wr.Status != StatusComplete {
				t.Fatalf("status %q error %q\n%s", wr.Status, wr.Error, logText(wr.Result))
			}
			if b, _ := json.Marshal(wr.Output); string(b) != `{"attempt":1,"sum":42}` {
				t.Fatalf("output %s", b)
			}
			// Without the flag the SDK is in legacy mode: a parameter needs depends=.
			spec.CompatibilityFlags = spec.CompatibilityFlags[:len(spec.CompatibilityFlags)-1]
			wr, err = StartWorkflow(context.Background(), engine, spec, "chain", "", `{"start": 1}`)
			if err != nil {
				t.Fatal(err)
			}
			if wr.Status != StatusErrored || !strings.Contains(wr.Error, "TypeError") {
				t.Fatalf("legacy mode: status %q error %q", wr.Status, wr.Error)
			}
		})
	}
}
