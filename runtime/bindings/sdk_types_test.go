package bindings

import (
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

// TestResultsArePythonValues: like workers-runtime-sdk 1.6, the SDK converts
// binding results — a D1 row is a dict (with attribute access), a missing
// KV key is None — for the built-in SDK and the real one alike.
func TestResultsArePythonValues(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			w := newWorker(t, sdk)
			out := w.get(t, "/sdk/types")
			wantJSON(t, "row is a dict", out["row_n"], `7`)
			wantJSON(t, "row attribute", out["row_attr"], `"x"`)
			wantJSON(t, "missing KV key", out["missing_is_none"], `true`)
		})
	}
}
