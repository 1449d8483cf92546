package runtime

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

// upstream is a local HTTP server the Worker's synchronous clients call.
func upstream(t *testing.T) *httptest.Server {
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
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func syncHTTPSpec(t *testing.T, allowNet bool, base string) WorkerSpec {
	dir := t.TempDir()
	testtree.Copy(t, "../testdata/runtime/synchttp", dir)
	testtree.VendorPackages(t, dir, "requests", "urllib3", "idna", "certifi", "charset_normalizer")
	return WorkerSpec{
		ProjectDir: dir, Main: "src/entry.py",
		CompatibilityDate: "2025-10-01", CompatibilityFlags: []string{"python_workers"},
		Vars: map[string]any{"UPSTREAM": base}, AllowNet: allowNet,
		// Importing requests takes ~20 s under -race; 30 s was overrun
		// while other test binaries loaded the 2 cores.
		Limits: Limits{WallClock: 2 * time.Minute},
	}
}

// requests and urllib3 (their Emscripten backend, through run_sync) make
// real HTTP calls through the runtime's fetch.
func TestSyncHTTPClients(t *testing.T) {
	srv := upstream(t)
	spec := syncHTTPSpec(t, true, srv.URL)
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/requests"})
	wantOK(t, res)
	var got struct {
		Status     int
		JSON       map[string]string
		ServedBy   string `json:"served_by"`
		Echo       string
		EchoStatus int `json:"echo_status"`
	}
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatalf("%q: %v", res.Body, err)
	}
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
