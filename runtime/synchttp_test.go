package runtime

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

// upstream is a local HTTP server the Worker's synchronous clients call.
// A request to /slow waits for its client to go away (or 10 s) and then
// sends true on the returned channel if it was cancelled.
func upstream(t testing.TB) (*httptest.Server, <-chan bool) {
	slowEnded := make(chan bool, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Served-By", "go-test")
		switch r.URL.Path {
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"q": r.URL.Query().Get("q"), "x-test": r.Header.Get("X-Test")})
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(201)
			w.Write([]byte(r.Method + " " + r.Header.Get("Content-Type") + " " + string(b)))
		case "/text":
			w.Write([]byte("plain text"))
		case "/chunks":
			for _, c := range []string{"one ", "two ", "three"} {
				w.Write([]byte(c))
				w.(http.Flusher).Flush()
			}
		case "/slow":
			select {
			case <-r.Context().Done():
				slowEnded <- true
			case <-time.After(10 * time.Second):
				w.Write([]byte("late"))
				slowEnded <- false
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, slowEnded
}

func syncHTTPSpec(t testing.TB, allowNet bool, base string) WorkerSpec {
	dir := t.TempDir()
	testtree.Copy(t, "../testdata/runtime/synchttp", dir)
	testtree.VendorPackages(t, dir, "requests", "urllib3", "idna", "certifi", "charset_normalizer",
		"httpx", "httpcore", "h11", "anyio", "typing_extensions.py", "pyodide_httpx")
	return WorkerSpec{
		ProjectDir: dir, Main: "src/entry.py",
		CompatibilityDate: "2025-10-01", CompatibilityFlags: []string{"python_workers"},
		Vars: map[string]any{"UPSTREAM": base}, AllowNet: allowNet,
		// Importing requests takes ~20 s under -race; 30 s was overrun
		// while other test binaries loaded the 2 cores.
		Limits: Limits{WallClock: 2 * time.Minute},
	}
}

// clientResult is what the fixture's /requests and /httpx answer.
type clientResult struct {
	Status     int
	JSON       map[string]string
	ServedBy   string `json:"served_by"`
	Echo       string
	EchoStatus int    `json:"echo_status"`
	Streamed   string // /httpx only
	Async      string // /httpx only
}

func decodeClientResult(t *testing.T, res *RunResult) clientResult {
	t.Helper()
	var got clientResult
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatalf("%q: %v", res.Body, err)
	}
	return got
}

// requests and urllib3 (their Emscripten backend, through run_sync) make
// real HTTP calls through the runtime's fetch.
func TestSyncHTTPClients(t *testing.T) {
	srv, _ := upstream(t)
	spec := syncHTTPSpec(t, true, srv.URL)
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/requests"})
	wantOK(t, res)
	got := decodeClientResult(t, res)
	if got.Status != 200 || got.JSON["q"] != "1" || got.JSON["x-test"] != "yes" || got.ServedBy != "go-test" {
		t.Fatalf("GET: %+v", got)
	}
	if got.EchoStatus != 201 || got.Echo != `POST application/json {"a": 1}` {
		t.Fatalf("POST: %+v", got)
	}
	res = fetch(t, spec, HTTPRequest{URL: "http://localhost/urllib3"})
	wantOK(t, res)
	if string(res.Body) != `{"status": 200, "body": "plain text"}` {
		t.Fatalf("urllib3: %s", res.Body)
	}
}

// Without allowNet the same calls fail inside Python with a requests error
// that says why; nothing reaches the server.
func TestSyncHTTPFollowsAllowNet(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	res := fetch(t, syncHTTPSpec(t, false, srv.URL), HTTPRequest{URL: "http://localhost/blocked"})
	wantOK(t, res)
	if !strings.Contains(string(res.Body), "ConnectionError") || !strings.Contains(string(res.Body), "allowNet") {
		t.Fatalf("body %s", res.Body)
	}
	if hits != 0 {
		t.Fatalf("%d requests reached the server", hits)
	}
}

// httpx.Client (PyPI's httpx with pyodide-httpx, Cloudflare's patch, from
// PyPI) makes real HTTP calls through fetch, blocking with run_sync: GET
// with params and client headers, a JSON POST, a streamed body; and
// AsyncClient beside it.
func TestSyncHTTPXClient(t *testing.T) {
	srv, _ := upstream(t)
	res := fetch(t, syncHTTPSpec(t, true, srv.URL), HTTPRequest{URL: "http://localhost/httpx"})
	wantOK(t, res)
	got := decodeClientResult(t, res)
	if got.Status != 200 || got.JSON["q"] != "2" || got.JSON["x-test"] != "yes" || got.ServedBy != "go-test" {
		t.Fatalf("GET: %+v", got)
	}
	if got.EchoStatus != 201 || got.Echo != `POST application/json {"b":2}` {
		t.Fatalf("POST: %+v", got)
	}
	if got.Streamed != "one two three" || got.Async != "plain text" {
		t.Fatalf("stream/async: %+v", got)
	}
}

// PyPI's httpx alone opens a socket, which Workers do not have: it fails
// with httpx's ConnectError, and the run's warnings say where HTTP has to go.
func TestSocketAttemptIsExplained(t *testing.T) {
	srv, _ := upstream(t)
	spec := syncHTTPSpec(t, true, srv.URL)
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/plain-httpx"})
	wantOK(t, res)
	if !strings.Contains(string(res.Body), `"error": "ConnectError"`) {
		t.Fatalf("body %s", res.Body)
	}
	if !slices.ContainsFunc(res.Warnings, func(w string) bool {
		return strings.Contains(w, "network socket (getaddrinfo)") && strings.Contains(w, "pyodide_httpx.patch_httpx()")
	}) {
		t.Fatalf("warnings %q", res.Warnings)
	}
	// Clients that go through fetch leave no such warning.
	res = fetch(t, spec, HTTPRequest{URL: "http://localhost/httpx"})
	wantOK(t, res)
	if slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "socket") }) {
		t.Fatalf("warnings %q", res.Warnings)
	}
}

// What the Emscripten transport of Pyodide's httpx build asks of fetch:
// headers through entries().next(), the body through a reader, and a
// timeout as an AbortController aborted from setTimeout. The abort rejects
// the fetch with an AbortError (httpx's ConnectTimeout) at once and cancels
// the request: the server sees its client go away.
func TestFetchAbortLikePyodideHTTPX(t *testing.T) {
	srv, slowEnded := upstream(t)
	res := fetch(t, syncHTTPSpec(t, true, srv.URL), HTTPRequest{URL: "http://localhost/jsfetch"})
	wantOK(t, res)
	var got map[string]map[string]any
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatalf("%q: %v", res.Body, err)
	}
	if g := got["get"]; g["status"] != 200.0 || g["served_by"] != "go-test" || g["body"] != "plain text" {
		t.Fatalf("GET: %v", g)
	}
	if p := got["post"]; p["status"] != 201.0 || p["body"] != "POST  raw body" {
		t.Fatalf("POST: %v", p)
	}
	if to := got["timeout"]; to["error"] != "AbortError" || to["message"] != "The operation was aborted" {
		t.Fatalf("timeout: %v", to)
	}
	select {
	case cancelled := <-slowEnded:
		if !cancelled {
			t.Fatal("the aborted request ran to its end on the server")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server never saw the aborted request end")
	}
}
