package runtime

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

func runSyncSpec() WorkerSpec {
	return WorkerSpec{
		ProjectDir: "../testdata/runtime/runsync", Main: "src/entry.py",
		CompatibilityDate: "2025-10-01", CompatibilityFlags: []string{"python_workers"},
	}
}

func runSyncGet(t *testing.T, spec WorkerSpec, path string, into any) *RunResult {
	t.Helper()
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost" + path})
	if into != nil {
		wantOK(t, res)
		if err := json.Unmarshal(res.Body, into); err != nil {
			t.Fatalf("%s: %q: %v", path, res.Body, err)
		}
	}
	return res
}

// run_sync blocks synchronous Python until a JS promise or a Python
// awaitable settles, as Cloudflare's runtime does with JSPI.
func TestRunSyncReturnsValues(t *testing.T) {
	spec := runSyncSpec()
	var can struct{ Can bool }
	runSyncGet(t, spec, "/can", &can)
	if !can.Can {
		t.Fatal("can_run_sync() is False")
	}
	var got struct {
		Coroutine int
		JSPromise int    `json:"js_promise"`
		JSDelay   string `json:"js_delay"`
		Nested    int
		Elapsed   float64
	}
	runSyncGet(t, spec, "/values", &got)
	if got.Coroutine != 5 || got.JSPromise != 5 || got.JSDelay != "late" || got.Nested != 30 {
		t.Fatalf("got %+v", got)
	}
	if got.Elapsed < 0.03 {
		t.Fatalf("the 30 ms JS timer was not waited for: %.3fs", got.Elapsed)
	}
}

func TestRunSyncTimeSleepWaits(t *testing.T) {
	var got struct{ Slept float64 }
	runSyncGet(t, runSyncSpec(), "/sleep", &got)
	if got.Slept < 0.045 || got.Slept > 2 {
		t.Fatalf("time.sleep(0.05) took %.3fs", got.Slept)
	}
}

// Other asyncio tasks keep running while a call blocks in run_sync.
func TestRunSyncLetsOtherTasksRun(t *testing.T) {
	var log []string
	runSyncGet(t, runSyncSpec(), "/interleave", &log)
	if strings.Join(log, ",") != "bg start,bg end,after run_sync" {
		t.Fatalf("log %v", log)
	}
}

func TestRunSyncRaisesWhatTheAwaitableRaised(t *testing.T) {
	var got struct{ Caught string }
	runSyncGet(t, runSyncSpec(), "/raise", &got)
	if got.Caught != "failed inside run_sync" {
		t.Fatalf("got %+v", got)
	}
	runSyncGet(t, runSyncSpec(), "/js-reject", &got)
	if got.Caught == "" {
		t.Fatalf("a rejected JS promise did not raise: %+v", got)
	}
}

// A wait that can never end fails like an unresolved await; one that would
// end too late is stopped by the wall-clock limit. The next run works.
func TestRunSyncThatCannotSettle(t *testing.T) {
	spec := runSyncSpec()
	res := runSyncGet(t, spec, "/never", nil)
	if res.Error == nil || !strings.Contains(res.Error.Message, "will never happen") {
		t.Fatalf("error %+v", res.Error)
	}
	spec.Limits.WallClock = time.Second
	start := time.Now()
	res = runSyncGet(t, spec, "/forever", nil)
	if res.Error == nil || res.Error.Kind != "timeout" {
		t.Fatalf("error %+v", res.Error)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the limit took %s to stop the run", d)
	}
	var can struct{ Can bool }
	runSyncGet(t, spec, "/can", &can)
}

// The SDK's WSGI adapter (workers.wsgi, in workers-runtime-sdk) hands the
// app a blocking wsgi.input that reads the request body through run_sync:
// the path every Django Worker takes.
//
// A Worker that vendors no SDK gets the same adapter: the runtime runs it on
// the workers-runtime-sdk its artifacts ship.
func TestWSGIAdapterReadsTheBody(t *testing.T) {
	for _, vendored := range []bool{true, false} {
		t.Run(map[bool]string{true: "vendored", false: "bundled"}[vendored], func(t *testing.T) { testWSGI(t, vendored) })
	}
}

func testWSGI(t *testing.T, vendored bool) {
	dir := t.TempDir()
	testtree.Copy(t, "../testdata/runtime/wsgi", dir)
	if vendored {
		testtree.VendorSDK(t, testtree.RealSDK(t), dir)
	}
	spec := WorkerSpec{ProjectDir: dir, Main: "src/entry.py", CompatibilityDate: "2025-10-01", CompatibilityFlags: []string{"python_workers"}}
	body := strings.Repeat("x", 100_000) // more than one stream chunk
	res := fetch(t, spec, HTTPRequest{Method: "POST", URL: "http://localhost/items?a=1", Body: []byte(body),
		Headers: [][2]string{{"Content-Type", "text/plain"}}})
	wantOK(t, res)
	var got struct{ Method, Path, Query, Body string }
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatalf("%.200q: %v", res.Body, err)
	}
	if got.Method != "POST" || got.Path != "/items" || got.Query != "a=1" || got.Body != body || header(res, "x-wsgi") != "yes" {
		t.Fatalf("got %s %s %s body %d bytes, x-wsgi %q", got.Method, got.Path, got.Query, len(got.Body), header(res, "x-wsgi"))
	}
}
