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

// insertBefore writes text into the file at path before the first anchor
// (request directives above a handler) and returns the new source.
func insertBefore(t *testing.T, path, anchor, text string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(b), anchor, text+anchor, 1)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return src
}

// codeLenses asks for the lenses of the open file py.
func codeLenses(t *testing.T, c *lsptest.Client, py string) []protocol.CodeLens {
	t.Helper()
	var lenses []protocol.CodeLens
	if err := c.Call(t, "textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(py)}}, &lenses); err != nil {
		t.Fatalf("codeLens: %v", err)
	}
	return lenses
}

// runLensWant runs a ▶ Run lens and wants a 200 whose report holds want.
func runLensWant(t *testing.T, c *lsptest.Client, lens protocol.CodeLens, want string) {
	t.Helper()
	var out map[string]any
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": lens.Command.Command, "arguments": lens.Command.Arguments}, &out); err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s", lens.Command.Title, err, c.Stderr)
	}
	r, err := os.ReadFile(out["resultFile"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(r), "200 OK") || !strings.Contains(string(r), want) {
		t.Fatalf("%s:\n%s", lens.Command.Title, r)
	}
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
	lenses := codeLenses(t, c, py)
	if len(lenses) == 0 {
		t.Fatal("no lenses")
	}
	runLensWant(t, c, lenses[0], "<h1>Hello, world!</h1>")
}

// Issue 12 through the editor: a Django Worker on D1 whose entrypoint gets
// fetch from django-cf's DjangoCF has ▶ Run lenses on its class, one per
// request directive; running them applies Django's migrations into local
// D1 and reads the table back.
func TestLensDjangoOnD1(t *testing.T) {
	root := vendoredFixture(t, "django", "django", "django_cf", "asgiref", "sqlparse")
	py := filepath.Join(root, "src", "worker.py")
	src := insertBefore(t, py, "class Default(", "# pyworkers: POST /__migrate__\n# pyworkers: GET /notes/\n")

	c := lsptest.StartWithRuntime(t, binary)
	c.Initialize(t, root, nil)
	c.Open(t, py, "python", nil)
	lenses := codeLenses(t, c, py)
	if len(lenses) != 2 {
		t.Fatalf("lenses %+v", lenses)
	}
	if line := strings.Split(src, "\n")[lenses[0].Range.Start.Line]; !strings.HasPrefix(line, "class Default(") {
		t.Fatalf("the lens is on %q", line)
	}
	for i, want := range []string{`"migrated": true`, `"notes": []`} {
		runLensWant(t, c, lenses[i], want)
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
	insertBefore(t, py, "    async def fetch(", "    # pyworkers: GET /requests\n    # pyworkers: GET /httpx\n    # pyworkers: GET /jsfetch\n")

	c := lsptest.StartWithRuntime(t, binary)
	c.Settings = map[string]any{"allowNet": true}
	c.Initialize(t, root, map[string]any{"allowNet": true})
	c.Open(t, py, "python", nil)
	lenses := codeLenses(t, c, py)
	if len(lenses) != 3 {
		t.Fatalf("lenses %+v", lenses)
	}
	for i, want := range []string{`"served_by": "lens-test"`, `"streamed": "one two three"`, `"timeout": {"error": "AbortError"`} {
		runLensWant(t, c, lenses[i], want)
	}
}
