package server_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

// vendoredFixture copies a testdata/runtime fixture and vendors the named
// test packages (folders of .cache/test-packages/site, or single modules
// such as typing_extensions.py) and the real SDK into its python_modules/,
// as `pywrangler sync` would.
func vendoredFixture(t *testing.T, fixture string, packages ...string) string {
	t.Helper()
	site, err := filepath.Abs("../.cache/test-packages/site")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(site, ".complete")); err != nil {
		t.Fatalf("the test packages are missing (%v): run `bash testdata/packages/fetch.sh` (the Makefile does)", err)
	}
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(filepath.Join("../testdata/runtime", fixture))); err != nil {
		t.Fatal(err)
	}
	vendor := func(from, name string) {
		dst := filepath.Join(root, "python_modules", name)
		if strings.HasSuffix(name, ".py") {
			b, err := os.ReadFile(filepath.Join(from, name))
			if err == nil {
				err = os.WriteFile(dst, b, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
			return
		}
		if err := os.CopyFS(dst, os.DirFS(filepath.Join(from, name))); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range packages {
		vendor(site, p)
	}
	vendor(filepath.Join(runtime.DefaultArtifactsDir(), "workers-runtime-sdk-"+runtime.BundledSDKVersion), "workers")
	return root
}

// Issue 11 through the editor: the ▶ Run lens of a FastAPI + Jinja2 Worker
// (packages from PyPI vendored into python_modules/, the real SDK) renders
// its template: anyio imports ssl, which the runtime builds from source.
func TestLensFastAPIWorker(t *testing.T) {
	root := vendoredFixture(t, "fastapi", "fastapi", "starlette", "pydantic", "anyio", "annotated_doc", "jinja2", "markupsafe",
		"idna", "typing_extensions.py")
	py := filepath.Join(root, "src", "worker.py")

	c := lsptest.StartWithRuntime(t, binary)
	c.Initialize(t, root, nil)
	c.Open(t, py, "python", nil)
	var lenses []protocol.CodeLens
	if err := c.Call(t, "textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(py)}}, &lenses); err != nil || len(lenses) == 0 {
		t.Fatalf("lenses %v: %v", lenses, err)
	}
	var out map[string]any
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": lenses[0].Command.Command, "arguments": lenses[0].Command.Arguments}, &out); err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s", lenses[0].Command.Title, err, c.Stderr)
	}
	r, err := os.ReadFile(out["resultFile"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(r), "200 OK") || !strings.Contains(string(r), "<h1>Hello, world!</h1>") {
		t.Fatalf("%s:\n%s", lenses[0].Command.Title, r)
	}
}

// Issue 12 through the editor: a Django Worker on D1 whose entrypoint gets
// fetch from django-cf's DjangoCF has ▶ Run lenses on its class, one per
// request directive; running them applies Django's migrations into local
// D1 and reads the table back.
func TestLensDjangoOnD1(t *testing.T) {
	root := vendoredFixture(t, "django", "django", "django_cf", "asgiref", "sqlparse")
	py := filepath.Join(root, "src", "worker.py")
	src, err := os.ReadFile(py)
	if err != nil {
		t.Fatal(err)
	}
	src = []byte(strings.Replace(string(src), "class Default(", "# pyworkers: POST /__migrate__\n# pyworkers: GET /notes/\nclass Default(", 1))
	os.WriteFile(py, src, 0o644)

	c := lsptest.StartWithRuntime(t, binary)
	c.Initialize(t, root, nil)
	c.Open(t, py, "python", nil)
	var lenses []protocol.CodeLens
	if err := c.Call(t, "textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(py)}}, &lenses); err != nil || len(lenses) != 2 {
		t.Fatalf("lenses %+v: %v", lenses, err)
	}
	if line := strings.Split(string(src), "\n")[lenses[0].Range.Start.Line]; !strings.HasPrefix(line, "class Default(") {
		t.Fatalf("the lens is on %q", line)
	}
	for i, want := range []string{`"migrated": true`, `"notes": []`} {
		var out map[string]any
		if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": lenses[i].Command.Command, "arguments": lenses[i].Command.Arguments}, &out); err != nil {
			t.Fatalf("%s: %v\nstderr:\n%s", lenses[i].Command.Title, err, c.Stderr)
		}
		r, err := os.ReadFile(out["resultFile"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(r), "200 OK") || !strings.Contains(string(r), want) {
			t.Fatalf("%s:\n%s", lenses[i].Command.Title, r)
		}
	}
}

// Issue 12 through the editor: with the allowNet setting, the ▶ Run lenses
// of a Worker calling a local server with requests, httpx.Client (PyPI's
// httpx with Cloudflare's pyodide-httpx patch) and fetch the way Pyodide's
// httpx build does, timeout included, all answer.
func TestLensSyncHTTPClients(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Served-By", "lens-test")
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
	root := vendoredFixture(t, "synchttp", "requests", "urllib3", "idna", "certifi", "charset_normalizer",
		"httpx", "httpcore", "h11", "anyio", "typing_extensions.py", "pyodide_httpx")
	os.WriteFile(filepath.Join(root, "wrangler.jsonc"), []byte(`{"name": "sync-http", "main": "src/entry.py",
		"compatibility_date": "2025-10-01", "compatibility_flags": ["python_workers"], "vars": {"UPSTREAM": "`+srv.URL+`"}}`), 0o644)
	py := filepath.Join(root, "src", "entry.py")
	src, err := os.ReadFile(py)
	if err != nil {
		t.Fatal(err)
	}
	src = []byte(strings.Replace(string(src), "    async def fetch(",
		"    # pyworkers: GET /requests\n    # pyworkers: GET /httpx\n    # pyworkers: GET /jsfetch\n    async def fetch(", 1))
	os.WriteFile(py, src, 0o644)

	c := lsptest.StartWithRuntime(t, binary)
	c.Settings = map[string]any{"allowNet": true}
	c.Initialize(t, root, map[string]any{"allowNet": true})
	c.Open(t, py, "python", nil)
	var lenses []protocol.CodeLens
	if err := c.Call(t, "textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(py)}}, &lenses); err != nil || len(lenses) != 3 {
		t.Fatalf("lenses %+v: %v", lenses, err)
	}
	for i, want := range []string{`"served_by": "lens-test"`, `"streamed": "one two three"`, `"timeout": {"error": "AbortError"`} {
		var out map[string]any
		if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": lenses[i].Command.Command, "arguments": lenses[i].Command.Arguments}, &out); err != nil {
			t.Fatalf("%s: %v\nstderr:\n%s", lenses[i].Command.Title, err, c.Stderr)
		}
		r, err := os.ReadFile(out["resultFile"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(r), "200 OK") || !strings.Contains(string(r), want) {
			t.Fatalf("%s:\n%s", lenses[i].Command.Title, r)
		}
	}
}
