package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

// Issue 11: a Worker that vendors a real Pyodide-ABI wheel from PyPI
// (msgpack, tag pyemscripten_2025_0_wasm32, whose C extension is an
// Emscripten side module) answers through `run`, using the extension and
// not msgpack's pure-Python fallback.
func TestRunVendoredNativeWheel(t *testing.T) {
	dir := t.TempDir()
	testtree.VendorPackages(t, dir, "msgpack")
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "wrangler.jsonc"), []byte(`{"name": "native", "main": "src/entry.py",
		"compatibility_date": "2025-10-01", "compatibility_flags": ["python_workers"]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "src", "entry.py"), []byte(`
import msgpack
from msgpack import _cmsgpack
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        data = msgpack.packb({"n": list(range(5)), "s": "h\u00e9llo", "f": 1.5, "b": b"\x00\x01"})
        back = msgpack.unpackb(data)
        return Response.json({"size": len(data), "back": {k: (v.hex() if isinstance(v, bytes) else v) for k, v in back.items()},
                              "packer": msgpack.Packer.__module__})
`), 0o644)
	for run := 1; run <= 2; run++ {
		code, out, errOut := runCLI(t, "--config", filepath.Join(dir, "wrangler.jsonc"), "/")
		if code != 0 || !strings.Contains(out, `"packer": "msgpack._cmsgpack"`) ||
			!strings.Contains(out, `"back": {"n": [0, 1, 2, 3, 4], "s": "h\u00e9llo", "f": 1.5, "b": "0001"}`) {
			t.Fatalf("run %d: exit %d\nstdout:\n%s\nstderr:\n%s", run, code, out, errOut)
		}
	}
}
