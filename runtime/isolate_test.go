package runtime

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func startIsolate(t *testing.T, spec WorkerSpec) (*Isolate, *strings.Builder) {
	t.Helper()
	var mu sync.Mutex
	out := &strings.Builder{}
	iso, err := engineForTest(t).StartIsolate(context.Background(), spec, IsolateOptions{OnOutput: func(stream, line string) {
		mu.Lock()
		defer mu.Unlock()
		out.WriteString(stream + ": " + line + "\n")
	}})
	if err != nil {
		t.Fatalf("StartIsolate: %v", err)
	}
	t.Cleanup(iso.Close)
	return iso, out
}

func isoFetch(t *testing.T, iso *Isolate, path string) *RunResult {
	t.Helper()
	res, err := iso.Fetch(context.Background(), HTTPRequest{URL: "http://localhost:8787" + path})
	if err != nil {
		t.Fatalf("Fetch %s: %v", path, err)
	}
	return res
}

// One interpreter answers request after request: module globals and JS
// globals persist, as in a Cloudflare isolate (unlike `run`, which starts
// each run from the snapshot).
func TestIsolateKeepsGlobalsAcrossRequests(t *testing.T) {
	iso, _ := startIsolate(t, appSpec())
	for i, want := range []string{"1 1", "2 2", "3 3"} {
		res := isoFetch(t, iso, "/counter")
		wantOK(t, res)
		if string(res.Body) != want {
			t.Fatalf("request %d: %q, want %q", i, res.Body, want)
		}
	}
	res := isoFetch(t, iso, "/env")
	wantOK(t, res)
	if !strings.Contains(string(res.Body), `"token": "s3cr3t"`) {
		t.Fatalf("env: %s", res.Body)
	}
}

// A request waiting at an await does not hold up the others.
func TestIsolateInterleavesRequestsAtAwaits(t *testing.T) {
	iso, _ := startIsolate(t, appSpec())
	isoFetch(t, iso, "/counter") // warm
	slowDone := make(chan time.Time, 1)
	start := time.Now()
	go func() {
		res, err := iso.Fetch(context.Background(), HTTPRequest{URL: "http://localhost:8787/slow"})
		if err != nil || string(res.Body) != "slow done" {
			t.Errorf("slow: %v %+v", err, res)
		}
		slowDone <- time.Now()
	}()
	time.Sleep(50 * time.Millisecond)
	for i := 0; i < 5; i++ {
		wantOK(t, isoFetch(t, iso, "/counter"))
	}
	fastAt := time.Now()
	slowAt := <-slowDone
	if !fastAt.Before(slowAt) {
		t.Fatalf("the quick requests (done after %v) waited for the slow one (done after %v)", fastAt.Sub(start), slowAt.Sub(start))
	}
	if slowAt.Sub(start) < 600*time.Millisecond {
		t.Fatalf("the slow request ended after %v, before its sleep", slowAt.Sub(start))
	}
}

// A raising handler answers 500 with its traceback; the isolate goes on.
func TestIsolateExceptionIs500AndServingGoesOn(t *testing.T) {
	iso, out := startIsolate(t, appSpec())
	res := isoFetch(t, iso, "/error")
	if res.Status != 500 || res.Error == nil || !strings.Contains(res.Error.Traceback, "explode") {
		t.Fatalf("want a 500 with the traceback, got %d %+v", res.Status, res.Error)
	}
	res, err := iso.Fetch(context.Background(), HTTPRequest{Method: "POST", URL: "http://localhost:8787/stream", Body: []byte("abc")})
	if err != nil {
		t.Fatal(err)
	}
	wantOK(t, res)
	if string(res.Body) != "got abc" {
		t.Fatalf("stream: %q", res.Body)
	}
	res = isoFetch(t, iso, "/spam")
	wantOK(t, res)
	if !strings.Contains(out.String(), "stdout: 19999\n") {
		t.Fatalf("output not streamed: %d bytes", out.Len())
	}
}

// A request past the wall-clock limit stops the isolate; the engine's other
// runs, and a new isolate, go on.
func TestIsolateLimitStopsItAndANewOneServes(t *testing.T) {
	spec := WorkerSpec{ProjectDir: "../testdata/runtime/forever", Main: "worker.py", CompatibilityDate: "2025-10-01",
		Limits: Limits{WallClock: time.Second}}
	iso, _ := startIsolate(t, spec)
	res := isoFetch(t, iso, "/")
	wantOK(t, res)
	start := time.Now()
	res = isoFetch(t, iso, "/spin")
	if res.Status != 500 || res.Error == nil || res.Error.Kind != "timeout" {
		t.Fatalf("want a 500 timeout, got %d %+v", res.Status, res.Error)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Fatalf("stopping took %v", took)
	}
	<-iso.Done()
	if iso.Err() == nil || !strings.Contains(iso.Err().Error(), "wall-clock") {
		t.Fatalf("isolate error %v", iso.Err())
	}
	if _, err := iso.Fetch(context.Background(), HTTPRequest{URL: "http://localhost/"}); err == nil {
		t.Fatal("a stopped isolate answered")
	}
	iso2, _ := startIsolate(t, spec)
	wantOK(t, isoFetch(t, iso2, "/"))
}

// While an isolate waits for work, other runs of the engine go on.
func TestIsolateLetsOtherRunsThrough(t *testing.T) {
	iso, _ := startIsolate(t, appSpec())
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, err := iso.Fetch(context.Background(), HTTPRequest{URL: "http://localhost:8787/slow"})
		if err != nil || res.Error != nil {
			t.Errorf("slow: %v %+v", err, res)
		}
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	res := fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/counter"})
	wantOK(t, res)
	if string(res.Body) != "1 1" {
		t.Fatalf("a run saw the isolate's state: %q", res.Body)
	}
	select {
	case <-done:
		t.Fatalf("the run waited for the isolate's request (%v)", time.Since(start))
	default:
	}
	<-done
}

func TestIsolateTopLevelErrorIsReported(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"w.py": "import json\nraise ValueError('broken at import')\n"})
	_, err := engineForTest(t).StartIsolate(context.Background(), WorkerSpec{ProjectDir: dir, Main: "w.py", CompatibilityDate: "2025-10-01"}, IsolateOptions{})
	re, ok := err.(*RunError)
	if !ok || !strings.Contains(re.Traceback, "broken at import") {
		t.Fatalf("want a RunError with the traceback, got %v", err)
	}
}

// A long-lived isolate does not accumulate the JS handles of answered
// requests: it sweeps what Python dropped between tasks, also under load.
func TestIsolateHandlesStayBounded(t *testing.T) {
	iso, _ := startIsolate(t, appSpec())
	var wg sync.WaitGroup
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 400; i++ {
				res, err := iso.Fetch(context.Background(), HTTPRequest{URL: "http://localhost:8787/headers", Headers: [][2]string{{"x-custom", "v"}}})
				if err != nil || res.Error != nil {
					t.Errorf("request: %v %+v", err, res)
					return
				}
			}
		}()
	}
	wg.Wait()
	st, err := iso.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Handles > 3*sweepEvery || st.Inflight != 0 {
		t.Fatalf("after 3200 requests the isolate holds %d handles (%d in flight)", st.Handles, st.Inflight)
	}
}
