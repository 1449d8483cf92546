package server_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/server"
	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

// TestDeeplyNestedDocumentState: a deeply nested file (a hostile or
// generated one) does not crash the server through a recursive C call; the
// internal command is not advertised but still answers (issue 17).
func TestDeeplyNestedDocumentState(t *testing.T) {
	root := copyFixture(t, "bindings-jsonc")
	c := lsptest.Start(t, binary)
	res := c.Initialize(t, root, nil)
	if p := res.Capabilities.ExecuteCommandProvider; p != nil {
		for _, name := range p.Commands {
			if strings.HasPrefix(name, "pyworkers.internal.") {
				t.Errorf("internal command %s is advertised in executeCommandProvider", name)
			}
		}
	}
	py := filepath.Join(root, "src", "deep.py")
	for _, text := range []string{
		"x = " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000) + "\n",
		"x = " + strings.Repeat("[", 200000) + "\n",
		"x = " + strings.Repeat("-", 300000) + "1\n",
	} {
		c.Open(t, py, "python", &text)
		st := documentState(t, c, py)
		if st.Text != text {
			t.Fatalf("documentState text differs")
		}
		c.Notify(t, "textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(py)}})
	}
	// Still alive, and the server answers the same command with its
	// argument as a single value instead of an array (as Helix sends it).
	entry := filepath.Join(root, "src", "entry.py")
	c.Open(t, entry, "python", nil)
	var st server.DocumentState
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": server.CommandDocumentState, "arguments": lsptest.URI(entry)}, &st); err != nil || !st.TreeMatchesFreshParse {
		t.Fatalf("documentState with a bare argument: %v %+v\nstderr:\n%s", err, st.Version, c.Stderr)
	}
	if code := c.Shutdown(t); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// TestExecuteCommandArgumentShapes: pyworkers.runHandler (and every
// command) takes its argument object alone as well as in an array.
func TestExecuteCommandArgumentShapes(t *testing.T) {
	c := lsptest.Start(t, binary)
	c.Initialize(t, t.TempDir(), nil)
	arg := map[string]any{"uri": "file:///nowhere/entry.py", "kind": "fetch"}
	for _, args := range []any{[]any{arg}, arg} {
		err := c.Call(t, "workspace/executeCommand", map[string]any{"command": server.CommandRunHandler, "arguments": args}, nil)
		if err == nil || !strings.Contains(err.Error(), "no wrangler config found") {
			t.Fatalf("runHandler with arguments %v: got %v, want the argument read (no wrangler config found)", args, err)
		}
	}
}
