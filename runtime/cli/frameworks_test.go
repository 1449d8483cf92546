package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

// vendoredWorker copies a testdata/runtime fixture and vendors packages
// from PyPI and the real SDK into its python_modules/, as `pywrangler
// sync` would; it returns the config's path.
func vendoredWorker(t testing.TB, fixture string, packages ...string) string {
	t.Helper()
	dir := t.TempDir()
	testtree.Copy(t, filepath.Join("../../testdata/runtime", fixture), dir)
	testtree.VendorPackages(t, dir, packages...)
	testtree.VendorSDK(t, testtree.RealSDK(t), dir)
	return filepath.Join(dir, "wrangler.jsonc")
}

func runOK(t *testing.T, config string, args ...string) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	code, out, errOut := runCLI(t, append([]string{"--config", config, "--timeout", "2m"}, args...)...)
	if code != 0 {
		t.Fatalf("run %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errOut)
	}
	return out, time.Since(start)
}

// Issue 11: FastAPI with Jinja2 templates and pydantic models, on KV,
// answers through `run` (anyio imports ssl: the runtime's own build).
func TestRunFastAPIWithJinja2(t *testing.T) {
	config := vendoredWorker(t, "fastapi", "fastapi", "starlette", "pydantic", "anyio", "typing_extensions",
		"annotated_doc", "jinja2", "markupsafe", "idna")
	out, first := runOK(t, config, "-X", "PUT", "-H", "content-type: application/json",
		"-d", `{"name": "<lamp>", "price": 12.5, "tags": ["home"]}`, "/items/lamp")
	if !strings.HasSuffix(out, `{"stored":"lamp","item":{"name":"<lamp>","price":12.5,"tags":["home"]}}`) {
		t.Fatalf("PUT: %s", out)
	}
	t.Logf("first run (imports FastAPI, takes the snapshot): %v", first.Round(time.Millisecond))
	out, warm := runOK(t, config, "/?name=<b>")
	if !strings.Contains(out, "content-type: text/html; charset=utf-8") ||
		!strings.Contains(out, "<h1>Hello, &lt;b&gt;!</h1>\n<ul><li>lamp</li></ul>") {
		t.Fatalf("template: %s", out)
	}
	t.Logf("a later run: %v", warm.Round(time.Millisecond))
	if out, _ = runOK(t, config, "/items/lamp"); !strings.HasSuffix(out, `{"name":"<lamp>","price":12.5,"tags":["home"]}`) {
		t.Fatalf("GET: %s", out)
	}
	code, out, _ := runCLI(t, "--config", config, "/items/nothing")
	if code != 0 || !strings.HasPrefix(out, "HTTP/1.1 404 Not Found") || !strings.HasSuffix(out, `{"detail":"no item nothing"}`) {
		t.Fatalf("404: exit %d %s", code, out)
	}
	code, out, _ = runCLI(t, "--config", config, "-X", "PUT", "-H", "content-type: application/json", "-d", `{"name": "x"}`, "/items/x")
	if code != 0 || !strings.HasPrefix(out, "HTTP/1.1 422 Unprocessable") || !strings.Contains(out, `"loc":["body","price"]`) {
		t.Fatalf("validation error: exit %d %s", code, out)
	}
}

// Issue 11: a Starlette app: routing with converters, middleware, a
// streamed response.
func TestRunStarlette(t *testing.T) {
	config := vendoredWorker(t, "starlette", "starlette", "anyio", "typing_extensions", "idna")
	out, _ := runOK(t, config, "/?q=1")
	if !strings.Contains(out, "x-served-by: starlette") || !strings.HasSuffix(out, `{"hello":"starlette","query":{"q":"1"}}`) {
		t.Fatalf("/: %s", out)
	}
	if out, _ = runOK(t, config, "/users/7"); !strings.HasSuffix(out, "user 0007") {
		t.Fatalf("path parameter: %s", out)
	}
	if out, _ = runOK(t, config, "/numbers"); !strings.HasSuffix(out, "0\n1\n2\n") {
		t.Fatalf("streamed: %q", out)
	}
	code, out, _ := runCLI(t, "--config", config, "/users/abc")
	if code != 0 || !strings.HasPrefix(out, "HTTP/1.1 404 Not Found") {
		t.Fatalf("no route: exit %d %s", code, out)
	}
}

// Issue 11: httpx imported and used (an AsyncClient over an in-process ASGI
// app, since PyPI's httpx has no transport for Workers), its default SSL
// context built from certifi's bundle by the runtime's ssl.
func TestRunHTTPX(t *testing.T) {
	config := vendoredWorker(t, "httpx", "httpx", "httpcore", "h11", "anyio", "typing_extensions", "idna", "certifi", "starlette")
	// Every certificate of the vendored bundle (some machines add their own CA to certifi's file).
	pem, err := os.ReadFile(filepath.Join(filepath.Dir(config), "python_modules", "certifi", "cacert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := runOK(t, config, "/")
	want := fmt.Sprintf(`{"status": 200, "echo": {"method": "POST", "path": "/echo", "body": "ping"}, "ssl_verify": true, "cas": %d}`,
		bytes.Count(pem, []byte("BEGIN CERTIFICATE")))
	if !strings.HasSuffix(out, want) {
		t.Fatalf("%s\nwant %s", out, want)
	}
}
