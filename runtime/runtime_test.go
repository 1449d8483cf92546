package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests run real handlers in the real Pyodide. They need the artifacts
// (`bash runtime/artifacts/build.sh`) and fail, not skip, without them.

var (
	testEngineOnce sync.Once
	testEngine     *Engine
	testEngineErr  error
)

func engineForTest(t testing.TB) *Engine {
	t.Helper()
	testEngineOnce.Do(func() {
		testEngine = NewEngine(EngineOptions{})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		testEngineErr = testEngine.Warm(ctx, nil)
	})
	if testEngineErr != nil {
		if errors.Is(testEngineErr, ErrArtifactsMissing) {
			t.Fatalf("runtime artifacts are missing: run `%s` first (the Makefile does): %v", BuildCommand, testEngineErr)
		}
		t.Fatalf("warming the runtime: %v", testEngineErr)
	}
	return testEngine
}

func appSpec() WorkerSpec {
	return WorkerSpec{
		ProjectDir:         "../testdata/runtime/app",
		Main:               "src/entry.py",
		CompatibilityDate:  "2025-10-01",
		CompatibilityFlags: []string{"python_workers"},
		Vars:               map[string]any{"APP_NAME": "runtime-fixture", "LIMITS": map[string]any{"max": int64(3)}},
		Secrets:            map[string]string{"API_TOKEN": "s3cr3t"},
		Bindings:           []Binding{{Name: "CACHE", Kind: "kv_namespaces"}},
	}
}

func fetch(t *testing.T, spec WorkerSpec, req HTTPRequest) *RunResult {
	t.Helper()
	res, err := engineForTest(t).RunFetch(context.Background(), spec, req)
	if err != nil {
		t.Fatalf("RunFetch(%s): %v", req.URL, err)
	}
	return res
}

func header(res *RunResult, name string) string {
	for _, h := range res.Headers {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}

func wantOK(t *testing.T, res *RunResult) {
	t.Helper()
	if res.Error != nil {
		t.Fatalf("run failed: %+v\nlogs: %v", res.Error, res.Logs)
	}
}

func TestHelloAndQuery(t *testing.T) {
	spec := WorkerSpec{ProjectDir: "../testdata/runtime/hello", Main: "src/entry.py", CompatibilityDate: "2025-10-01",
		CompatibilityFlags: []string{"python_workers"}, Vars: map[string]any{"GREETING": "hello"}}
	for _, name := range []string{"go", "pyodide"} {
		res := fetch(t, spec, HTTPRequest{URL: "http://localhost:8787/?name=" + name})
		wantOK(t, res)
		if res.Status != 200 || string(res.Body) != "hello "+name {
			t.Fatalf("got %d %q, want 200 %q", res.Status, res.Body, "hello "+name)
		}
		if ct := header(res, "content-type"); ct != "text/plain;charset=UTF-8" {
			t.Errorf("content-type = %q", ct)
		}
		wantLog := "handling GET http://localhost:8787/?name=" + name
		if len(res.Logs) != 1 || res.Logs[0].Stream != "stdout" || res.Logs[0].Text != wantLog {
			t.Errorf("logs = %+v, want one stdout line %q", res.Logs, wantLog)
		}
	}
}

func TestRequestURLIsKeptAsSent(t *testing.T) {
	spec := WorkerSpec{ProjectDir: "../testdata/runtime/hello", Main: "src/entry.py", CompatibilityDate: "2025-10-01",
		Vars: map[string]any{"GREETING": "hi"}}
	url := "http://127.0.0.1:9999/a%2Fb/?name=x%20y"
	res := fetch(t, spec, HTTPRequest{URL: url})
	wantOK(t, res)
	if got := res.Logs[0].Text; got != "handling GET "+url {
		t.Fatalf("handler saw %q, want the URL as sent %q", got, url)
	}
	if string(res.Body) != "hi x y" {
		t.Fatalf("body %q", res.Body)
	}
}

func TestJSONEcho(t *testing.T) {
	res := fetch(t, appSpec(), HTTPRequest{Method: "POST", URL: "http://localhost/json",
		Headers: [][2]string{{"Content-Type", "application/json"}}, Body: []byte(`{"n": 1, "list": [true, null, "x"]}`)})
	wantOK(t, res)
	if res.Status != 201 {
		t.Fatalf("status %d, body %s", res.Status, res.Body)
	}
	var got map[string]any
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatalf("body %q: %v", res.Body, err)
	}
	want := `{"echo":{"list":[true,null,"x"],"n":1},"method":"POST"}`
	if b, _ := json.Marshal(got); string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
	if ct := header(res, "content-type"); ct != "application/json" {
		t.Errorf("content-type %q", ct)
	}
}

func TestExceptionGives500WithTraceback(t *testing.T) {
	res := fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/error"})
	if res.Status != 500 {
		t.Fatalf("status %d, want 500", res.Status)
	}
	body := string(res.Body)
	if !strings.HasPrefix(body, "Error: PythonError: Traceback (most recent call last):") {
		t.Fatalf("body does not start like Cloudflare's: %q", body)
	}
	for _, want := range []string{"in explode", "ValueError: boom from the handler", "/session/metadata/entry.py"} {
		if !strings.Contains(body, want) {
			t.Errorf("traceback lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "_pyworkers_runner") {
		t.Errorf("traceback shows runtime internals:\n%s", body)
	}
	if res.Error == nil || res.Error.Kind != "exception" || res.Error.Type != "ValueError" || res.Error.Message != "boom from the handler" {
		t.Fatalf("Error = %+v", res.Error)
	}
}

func TestFFIRoundTrips(t *testing.T) {
	res := fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/ffi"})
	wantOK(t, res)
	var got map[string]any
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatalf("%q: %v", res.Body, err)
	}
	check := func(key string, want any) {
		t.Helper()
		gb, _ := json.Marshal(got[key])
		wb, _ := json.Marshal(want)
		if string(gb) != string(wb) {
			t.Errorf("%s = %s, want %s", key, gb, wb)
		}
	}
	check("object_class", "Object")
	check("map_class", "Map")
	// None converts to undefined, which JSON.stringify drops (as in Pyodide).
	check("json", `{"a":1,"b":[1,2,{}],"s":"text"}`)
	check("back", map[string]any{"a": 1, "b": []any{1, 2, map[string]any{}}, "s": "text"})
	check("doubled", []any{2, 4, 6})
	check("big", 1099511627776)
	check("this_args", 2)
	check("b64", "héllo")
	check("eval", "EvalError: Code generation from strings disallowed for this context")
}

func TestAsyncioGather(t *testing.T) {
	res := fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/gather"})
	wantOK(t, res)
	var got struct {
		Results []string
		Elapsed float64
		JS      int
	}
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatalf("%q: %v", res.Body, err)
	}
	if strings.Join(got.Results, ",") != "slow,fast" || got.JS != 42 {
		t.Fatalf("got %+v", got)
	}
	// Both sleeps run concurrently: about 0.2 s, not 0.3 s.
	if got.Elapsed < 0.19 || got.Elapsed > 0.29 {
		t.Fatalf("gather took %.3fs, want ~0.2s (concurrent)", got.Elapsed)
	}
}

func TestHeadersInAndOut(t *testing.T) {
	res := fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/headers",
		Headers: [][2]string{{"X-Custom", "abc"}, {"Accept", "text/plain"}}})
	wantOK(t, res)
	if v := header(res, "x-echo"); v != "abc" {
		t.Fatalf("x-echo = %q (headers %+v)", v, res.Headers)
	}
	if v := header(res, "x-seen"); v != "accept,x-custom" {
		t.Fatalf("handler saw header names %q, want lower-case accept,x-custom", v)
	}
}

func TestEnvVarsSecretsAndMissingBinding(t *testing.T) {
	res := fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/env"})
	wantOK(t, res)
	if string(res.Body) != `{"app": "runtime-fixture", "token": "s3cr3t", "max": 3, "shout": "HI!"}` {
		t.Fatalf("body %s", res.Body)
	}
	res = fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/kv"})
	if res.Status != 500 || !strings.Contains(string(res.Body), `the kv_namespaces binding "CACHE" (KvNamespace) is not available`) {
		t.Fatalf("touching an unsimulated binding: %d %s", res.Status, res.Body)
	}
}

func TestOutboundFetchIsOffByDefault(t *testing.T) {
	res := fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/outbound"})
	if res.Status != 500 || !strings.Contains(string(res.Body), "outbound fetch is disabled") {
		t.Fatalf("got %d %s", res.Status, res.Body)
	}
}

func TestBytesAndRedirect(t *testing.T) {
	res := fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/bytes"})
	wantOK(t, res)
	if string(res.Body) != "\x00\x01binary" || header(res, "content-type") != "application/octet-stream" {
		t.Fatalf("bytes: %q %+v", res.Body, res.Headers)
	}
	res = fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/redirect"})
	wantOK(t, res)
	if res.Status != 307 || header(res, "location") != "https://example.com/next" {
		t.Fatalf("redirect: %d %+v", res.Status, res.Headers)
	}
}

func TestRunsDoNotShareState(t *testing.T) {
	for i := 0; i < 2; i++ {
		res := fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/counter"})
		wantOK(t, res)
		if string(res.Body) != "1 1" {
			t.Fatalf("run %d saw state from an earlier run: %q", i, res.Body)
		}
	}
}

func TestScheduled(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	res, err := engineForTest(t).RunScheduled(context.Background(), appSpec(), "*/5 * * * *", at)
	if err != nil {
		t.Fatal(err)
	}
	wantOK(t, res)
	want := "cron */5 * * * * at " + "1767323045000"
	if len(res.Logs) != 1 || res.Logs[0].Text != want {
		t.Fatalf("logs %+v, want %q", res.Logs, want)
	}
}

func TestInfiniteLoopIsStoppedAndNextRunWorks(t *testing.T) {
	spec := WorkerSpec{ProjectDir: "../testdata/runtime/forever", Main: "worker.py", CompatibilityDate: "2025-10-01",
		Limits: Limits{WallClock: time.Second}}
	start := time.Now()
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/spin"})
	took := time.Since(start)
	if res.Error == nil || res.Error.Kind != "timeout" || res.Status != 0 {
		t.Fatalf("want a timeout, got status %d error %+v", res.Status, res.Error)
	}
	if !strings.Contains(res.Error.Message, "wall-clock limit of 1s") {
		t.Errorf("message %q", res.Error.Message)
	}
	if took > 3*time.Second {
		t.Errorf("stopping took %v", took)
	}
	res = fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	if string(res.Body) != "still alive" {
		t.Fatalf("next run: %q", res.Body)
	}
}

func TestMemoryBombIsStopped(t *testing.T) {
	spec := appSpec()
	spec.Limits.Memory = 128 << 20
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/memory"})
	if res.Error == nil || res.Error.Kind != "memory" {
		t.Fatalf("want a memory error, got %d %+v", res.Status, res.Error)
	}
	res = fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/env"})
	wantOK(t, res)
}

func TestCompatFlags(t *testing.T) {
	f := CompatFlags("2025-10-01", []string{"python_workers", "no_python_no_global_handlers"})
	if !f["python_workers"] || f["python_no_global_handlers"] || !f["python_workflows"] || f["enable_python_external_sdk"] {
		t.Fatalf("flags %v", f)
	}
	if !CompatFlags("2026-05-01", nil)["enable_python_external_sdk"] {
		t.Fatal("enable_python_external_sdk should be on from 2026-04-21")
	}
}

func TestRelaxedFetchWithoutRequest(t *testing.T) {
	res := fetch(t, WorkerSpec{ProjectDir: "../testdata/runtime/relaxed", Main: "worker.py", CompatibilityDate: "2025-10-01"},
		HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	if string(res.Body) != "no request needed" {
		t.Fatalf("body %q", res.Body)
	}
}

func TestLegacyHandlerFollowsCompatDate(t *testing.T) {
	spec := WorkerSpec{ProjectDir: "../testdata/runtime/legacy", Main: "worker.py", CompatibilityDate: "2024-03-20",
		CompatibilityFlags: []string{"python_workers"}}
	res := fetch(t, spec, HTTPRequest{Method: "PUT", URL: "http://localhost/"})
	wantOK(t, res)
	if string(res.Body) != "legacy PUT" {
		t.Fatalf("body %q", res.Body)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "Python 3.12") {
		t.Errorf("warnings %q, want the Python 3.12 note", res.Warnings)
	}
	spec.CompatibilityDate = "2025-10-01" // python_no_global_handlers is on from 2025-08-14
	res = fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	if res.Status != 500 || !strings.Contains(string(res.Body), "Module-level on_fetch is ignored since python_no_global_handlers") {
		t.Fatalf("got %d %s", res.Status, res.Body)
	}
}

func TestOutputIsCapped(t *testing.T) {
	res := fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/spam"})
	wantOK(t, res)
	if len(res.Logs) != maxLogLines+1 || !strings.Contains(res.Logs[maxLogLines].Text, "output truncated") {
		t.Fatalf("%d log lines, last %+v", len(res.Logs), res.Logs[len(res.Logs)-1])
	}
	if res.Logs[0].Text != "0" || res.Logs[maxLogLines-1].Text != "9999" {
		t.Fatalf("first/last kept lines %q %q", res.Logs[0].Text, res.Logs[maxLogLines-1].Text)
	}
}

func TestStreamedBodies(t *testing.T) {
	res := fetch(t, appSpec(), HTTPRequest{Method: "POST", URL: "http://localhost/stream", Body: []byte("payload")})
	wantOK(t, res)
	if string(res.Body) != "got payload" {
		t.Fatalf("body %q", res.Body)
	}
}

func TestWorkerSeesOnlyItsFolderReadOnly(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("nope"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".dev.vars"), []byte("X=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `import os
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        try:
            open("/session/metadata/new.txt", "w")
            wrote = "wrote"
        except OSError as e:
            wrote = type(e).__name__
        return Response(" ".join(sorted(os.listdir("/session/metadata"))) + " " + wrote +
                        " " + str(os.path.exists("/session/metadata/escape/secret.txt")))
`
	if err := os.WriteFile(filepath.Join(dir, "w.py"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := fetch(t, WorkerSpec{ProjectDir: dir, Main: "w.py", CompatibilityDate: "2025-10-01"}, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	if string(res.Body) != "w.py OSError False" {
		t.Fatalf("got %q, want the worker file only, a read-only folder and no way out", res.Body)
	}
}

func TestOutboundFetchWithAllowNet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Served-By", "go-test")
		w.WriteHeader(203)
		fmt.Fprintf(w, "%s %s %s", r.Method, b, r.Header.Get("X-From"))
	}))
	defer srv.Close()
	spec := appSpec()
	spec.AllowNet = true
	spec.Vars["OUTBOUND_URL"] = srv.URL + "/up"
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/outbound"})
	wantOK(t, res)
	if string(res.Body) != "203 POST ping worker" || header(res, "x-upstream") != "go-test" {
		t.Fatalf("got %q %+v", res.Body, res.Headers)
	}
}

func TestConcurrentCallers(t *testing.T) {
	e := engineForTest(t)
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			if err := e.Warm(context.Background(), nil); err != nil {
				errs <- err.Error()
				return
			}
			for i := 0; i < 3; i++ {
				name := fmt.Sprintf("g%di%d", g, i)
				res, err := e.RunFetch(context.Background(), WorkerSpec{ProjectDir: "../testdata/runtime/hello", Main: "src/entry.py",
					Vars: map[string]any{"GREETING": "hey"}}, HTTPRequest{URL: "http://localhost/?name=" + name})
				if err != nil || string(res.Body) != "hey "+name {
					errs <- fmt.Sprintf("%s: %v %+v", name, err, res)
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestBrokenVendoredSDKIsASetupError(t *testing.T) {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "python_modules", "workers")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(pkg, "__init__.py"), []byte("raise RuntimeError('this SDK needs a newer runtime')\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "w.py"), []byte("from workers import Response\n"), 0o644)
	res := fetch(t, WorkerSpec{ProjectDir: dir, Main: "w.py"}, HTTPRequest{URL: "http://localhost/"})
	if res.Error == nil || res.Error.Kind != "setup" || !strings.Contains(res.Error.Traceback, "this SDK needs a newer runtime") {
		t.Fatalf("got %d %+v", res.Status, res.Error)
	}
	// The engine is still fine for other Workers.
	res = fetch(t, WorkerSpec{ProjectDir: "../testdata/runtime/relaxed", Main: "worker.py"}, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
}

// TestToPyOfLargeValues: to_py() of large plain data (the JSON fast path)
// gives exactly what the per-field conversion gives: types, unicode and
// escapes, integral floats as ints, BigInts, and null as jsnull.
func TestToPyOfLargeValues(t *testing.T) {
	res := fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/ffi-large"})
	wantOK(t, res)
	want := `{"same": true, "types_ok": true, "integral_float": "int", "big": true, "null_is_jsnull": true, "rest_same": true}`
	if string(res.Body) != want {
		t.Fatalf("got %s\nwant %s", res.Body, want)
	}
}

// Runs restore one snapshot, yet each sees fresh randomness (a Worker that
// inserts random ids must not collide run after run).
func TestEveryRunGetsFreshRandomness(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		res := fetch(t, appSpec(), HTTPRequest{URL: "http://localhost/random"})
		wantOK(t, res)
		var got struct {
			Random  float64
			Randint int64
		}
		if err := json.Unmarshal(res.Body, &got); err != nil {
			t.Fatalf("%q: %v", res.Body, err)
		}
		key := fmt.Sprint(got.Random, got.Randint)
		if seen[key] {
			t.Fatalf("run %d repeated an earlier run's random module values: %s", i, res.Body)
		}
		seen[key] = true
	}
}

// HTMLRewriter (issue 14): element, text, comment and document handlers,
// an async handler, on a page streamed in chunks; what is not rewritten
// comes out byte for byte.
func TestHTMLRewriter(t *testing.T) {
	spec := WorkerSpec{ProjectDir: "../testdata/runtime/rewriter", Main: "src/entry.py", CompatibilityDate: "2025-10-01",
		CompatibilityFlags: []string{"python_workers"}}
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	want := "<!DOCTYPE html>\n<html><head><title>New &amp; &lt;improved&gt;</title>" +
		`<meta property="og:title" content="rewritten"></head>` + "\n<body>" +
		"<h1>HELLO <em>WORLD</em></h1>" +
		`<a href="https://example.com/docs">Docs</a> <a href="/blog" class="keep">Blog</a>` +
		"<section><p>Tom &amp; Jerry</p></section><br></body></html>\n<!-- doctype:html -->"
	if string(res.Body) != want {
		t.Fatalf("rewritten page:\n%s\nwant:\n%s", res.Body, want)
	}
	if header(res, "content-length") != "" || header(res, "content-type") != "text/html; charset=utf-8" {
		t.Fatalf("headers %+v", res.Headers)
	}
}
