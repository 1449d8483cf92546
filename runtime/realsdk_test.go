package runtime

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

// TestRealSDK runs the app fixture against Cloudflare's workers-runtime-sdk,
// unmodified: the wheel pinned in runtime/artifacts/SHA256SUMS, which
// build.sh fetches from PyPI and unpacks beside the Pyodide artifacts. The
// other tests of this package run the built-in SDK.
func TestRealSDK(t *testing.T) {
	sdk := testtree.RealSDK(t)
	dir := t.TempDir()
	testtree.Copy(t, "../testdata/runtime/app", dir)
	testtree.VendorSDK(t, sdk, dir)
	spec := appSpec()
	spec.ProjectDir = dir
	for path, want := range map[string]string{
		"/env":      `{"app": "runtime-fixture", "token": "s3cr3t", "max": 3, "shout": "HI!"}`,
		"/ffi":      `"doubled": [2, 4, 6]`,
		"/bytes":    "\x00\x01binary",
		"/headers":  "ok",
		"/redirect": "",
	} {
		res := fetch(t, spec, HTTPRequest{URL: "http://localhost" + path, Headers: [][2]string{{"X-Custom", "v"}}})
		wantOK(t, res)
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("%s: body %q lacks %q", path, res.Body, want)
		}
	}
	res := fetch(t, spec, HTTPRequest{Method: "POST", URL: "http://localhost/json", Body: []byte(`[1]`)})
	wantOK(t, res)
	if string(res.Body) != `{"echo": [1], "method": "POST"}` {
		t.Errorf("json: %s", res.Body)
	}
	res = fetch(t, spec, HTTPRequest{Method: "POST", URL: "http://localhost/asgi", Body: []byte("streamed")})
	wantOK(t, res)
	if res.Status != 202 || string(res.Body) != "asgi /asgi streamed" || header(res, "x-asgi") != "yes" {
		t.Errorf("asgi: %d %q %+v", res.Status, res.Body, res.Headers)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Served-By", "go-test")
		w.Write([]byte("pong"))
	}))
	defer srv.Close()
	netSpec := spec
	netSpec.AllowNet = true
	netSpec.Vars = map[string]any{"OUTBOUND_URL": srv.URL}
	res = fetch(t, netSpec, HTTPRequest{URL: "http://localhost/outbound"})
	wantOK(t, res)
	if string(res.Body) != "200 pong" || header(res, "x-upstream") != "go-test" {
		t.Errorf("outbound through pyodide.http.pyfetch: %q %+v", res.Body, res.Headers)
	}
	res = fetch(t, spec, HTTPRequest{URL: "http://localhost/error"})
	if res.Status != 500 || !strings.Contains(string(res.Body), "ValueError: boom") {
		t.Errorf("error: %d %s", res.Status, res.Body)
	}
}

// The tests below the runtime find the artifacts (and the SDK) through
// testtree, which cannot import this package: both must resolve the same
// folder.
func TestTesttreeFindsTheArtifacts(t *testing.T) {
	if testtree.PyodideVersion != PyodideVersion {
		t.Errorf("testtree.PyodideVersion %q, runtime %q", testtree.PyodideVersion, PyodideVersion)
	}
	for _, env := range []string{"", t.TempDir()} {
		t.Setenv(EnvArtifacts, env)
		if got, want := testtree.ArtifactsDir(), DefaultArtifactsDir(); got != want {
			t.Errorf("PYWORKERS_ARTIFACTS=%q: testtree.ArtifactsDir() = %s, runtime.DefaultArtifactsDir() = %s", env, got, want)
		}
	}
}
