package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

const packagesLensWorker = `import msgpack
from msgpack import _cmsgpack
from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    # pyworkers: GET /native
    # pyworkers: GET /ssl
    async def fetch(self, request):
        if request.url.endswith("/ssl"):
            import ssl
            return Response(ssl.OPENSSL_VERSION)
        packed = msgpack.packb({"lens": [1, 2]})
        return Response.json({"back": msgpack.unpackb(packed), "packer": msgpack.Packer.__module__})
`

// Issue 11 through the editor: a ▶ Run lens on a Worker that vendors a
// native wheel (msgpack's Pyodide-ABI build) uses its C extension; with the
// pyworkers.packagesURL setting pointing at a folder that lacks Pyodide's
// ssl files, `import ssl` fails with an ImportError naming that folder, and
// the attempt is shown as $/progress.
func TestLensNativeModuleAndPackagesURL(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Python runtime")
	}
	site, err := filepath.Abs("../.cache/test-packages/site")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(site, ".complete")); err != nil {
		t.Fatalf("the test packages are missing (%v): run `bash testdata/packages/fetch.sh` (the Makefile does)", err)
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "src"), 0o755)
	os.WriteFile(filepath.Join(root, "wrangler.jsonc"), []byte(`{"name": "native-lens", "main": "src/entry.py",
  "compatibility_date": "2025-10-01", "compatibility_flags": ["python_workers"]}`), 0o644)
	py := filepath.Join(root, "src", "entry.py")
	os.WriteFile(py, []byte(packagesLensWorker), 0o644)
	if err := os.CopyFS(filepath.Join(root, "python_modules", "msgpack"), os.DirFS(filepath.Join(site, "msgpack"))); err != nil {
		t.Fatal(err)
	}
	mirror := t.TempDir() // a "local folder of Pyodide's packages" without the ssl files

	c := lsptest.StartWithRuntime(t, binary)
	c.Initialize(t, root, map[string]any{"pyworkers": map[string]any{"packagesURL": mirror}})
	c.Open(t, py, "python", nil)
	var lenses []protocol.CodeLens
	if err := c.Call(t, "textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(py)}}, &lenses); err != nil || len(lenses) != 2 {
		t.Fatalf("lenses %v: %v", lenses, err)
	}
	report := func(l protocol.CodeLens) string {
		t.Helper()
		var out map[string]any
		if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": l.Command.Command, "arguments": l.Command.Arguments}, &out); err != nil {
			t.Fatalf("%s: %v\nstderr:\n%s", l.Command.Title, err, c.Stderr)
		}
		b, err := os.ReadFile(out["resultFile"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if r := report(lenses[0]); !strings.Contains(r, "\"back\": {\n    \"lens\": [\n      1,\n      2\n    ]\n  }") || !strings.Contains(r, `"packer": "msgpack._cmsgpack"`) {
		t.Fatalf("native run:\n%s", r)
	}
	r := report(lenses[1])
	for _, want := range []string{"ImportError: No module named 'ssl'", filepath.Join(mirror, "libopenssl-1.1.1w.zip"), "pyworkers.packagesURL"} {
		if !strings.Contains(r, want) {
			t.Errorf("ssl run lacks %q:\n%s", want, r)
		}
	}
	if p := c.ProgressText(); !strings.Contains(p, "Installing Pyodide packages") || !strings.Contains(p, "libopenssl-1.1.1w.zip") {
		t.Errorf("no package $/progress:\n%s", p)
	}
}
