package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

// `pyworkers-lsp run --allow-net` on a Worker that calls a local server with
// requests, urllib3 and httpx.Client (real packages from PyPI, vendored as
// pywrangler sync would): synchronous HTTP goes through the runtime's fetch,
// and a fetch aborted for its timeout (as Pyodide's httpx build times out)
// fails at once with an AbortError.
func TestRunSyncHTTPWithAllowNet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Served-By", "go-test")
		switch r.URL.Path {
		case "/json":
			w.Write([]byte(`{"q": "` + r.URL.Query().Get("q") + `", "x-test": "` + r.Header.Get("X-Test") + `"}`))
		case "/echo":
			w.WriteHeader(201)
			w.Write([]byte("echoed"))
		case "/chunks":
			w.Write([]byte("one "))
			w.(http.Flusher).Flush()
			w.Write([]byte("two three"))
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
				w.Write([]byte("late"))
			}
		default:
			w.Write([]byte("plain text"))
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	testtree.Copy(t, "../../testdata/runtime/synchttp", dir)
	testtree.VendorPackages(t, dir, "requests", "urllib3", "idna", "certifi", "charset_normalizer",
		"httpx", "httpcore", "h11", "anyio", "typing_extensions.py", "pyodide_httpx")
	config := filepath.Join(dir, "wrangler.jsonc")
	os.WriteFile(config, []byte(`{"name": "sync-http", "main": "src/entry.py", "compatibility_date": "2025-10-01",
		"compatibility_flags": ["python_workers"], "vars": {"UPSTREAM": "`+srv.URL+`"}}`), 0o644)

	code, out, errOut := runCLI(t, "--config", config, "--allow-net", "/requests")
	if code != 0 || !strings.Contains(out, `"served_by": "go-test"`) || !strings.Contains(out, `"echo": "echoed"`) {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "--config", config, "--allow-net", "/httpx")
	if code != 0 || !strings.Contains(out, `"served_by": "go-test"`) || !strings.Contains(out, `"streamed": "one two three"`) ||
		!strings.Contains(out, `"async": "plain text"`) {
		t.Fatalf("httpx: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "--config", config, "--allow-net", "/jsfetch")
	if code != 0 || !strings.Contains(out, `"timeout": {"error": "AbortError"`) || !strings.Contains(out, `"body": "plain text"`) {
		t.Fatalf("jsfetch: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "--config", config, "/blocked")
	if code != 0 || !strings.Contains(out, "ConnectionError") {
		t.Fatalf("without --allow-net: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
