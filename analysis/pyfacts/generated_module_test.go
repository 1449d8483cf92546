package pyfacts

import (
	"context"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/bench/workergen"
)

// The benchmark module once crashed build (a named node under a dropped
// anonymous one had no kept parent).
func TestGeneratedWorkerModule(t *testing.T) {
	f, err := pysyntax.Parse(context.Background(), "from pyodide.ffi import to_py\n"+workergen.Module(2000))
	if err != nil {
		t.Fatal(err)
	}
	m := Parse("entry.py", f)
	if m.Class("Default") == nil || len(m.EnvUses) == 0 {
		t.Fatalf("facts missing: classes %d env uses %d", len(m.Classes), len(m.EnvUses))
	}
	var check func(n *Node)
	check = func(n *Node) {
		for _, c := range n.Children {
			if c.Parent != n && !(n == m.Root && c.Parent == ModuleParent) {
				t.Fatalf("%s child %s has the wrong parent", n.Type, c.Type)
			}
			check(c)
		}
	}
	check(m.Root)
}
