package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/bench/workergen"
	"github.com/pyworkers-lsp/pyworkers-lsp/server"
	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

const codeActionWorker = `from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        self.env.CACHE.put("k", "v")
        return Response("stored")
`

func codeActionProject(t *testing.T) (root, py string) {
	t.Helper()
	root = t.TempDir()
	os.MkdirAll(filepath.Join(root, "src"), 0o755)
	os.WriteFile(filepath.Join(root, "wrangler.jsonc"), []byte(`{
  "name": "actions", "main": "src/entry.py",
  "compatibility_date": "2025-10-01", "compatibility_flags": ["python_workers"],
  "kv_namespaces": [{ "binding": "CACHE", "id": "local" }]
}`), 0o644)
	py = filepath.Join(root, "src", "entry.py")
	os.WriteFile(py, []byte(codeActionWorker), 0o644)
	return root, py
}

func codeActions(t testing.TB, c *lsptest.Client, py string, at protocol.Position, diags []protocol.Diagnostic, only ...protocol.CodeActionKind) []protocol.CodeAction {
	t.Helper()
	if diags == nil {
		diags = []protocol.Diagnostic{}
	}
	ctx := map[string]any{"diagnostics": diags}
	if len(only) > 0 {
		ctx["only"] = only
	}
	var actions []protocol.CodeAction
	if err := c.Call(t, "textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": lsptest.URI(py)},
		"range":        protocol.Range{Start: at, End: at},
		"context":      ctx,
	}, &actions); err != nil {
		t.Fatal(err)
	}
	return actions
}

func titles(actions []protocol.CodeAction) []string {
	var out []string
	for _, a := range actions {
		out = append(out, a.Title)
	}
	return out
}

// Neovim asks for code actions at the cursor, with the line's diagnostics in
// the context: at column 0 of a PW015 line the fix must be offered although
// the cursor is outside the diagnostic's range.
func TestCodeActionForContextDiagnosticOutsideRange(t *testing.T) {
	root, py := codeActionProject(t)
	c := lsptest.Start(t, binary)
	c.Initialize(t, root, nil)
	c.Open(t, py, "python", nil)
	p := c.WaitDiagnostics(t, py, 10*time.Second, func(p *protocol.PublishDiagnosticsParams) bool {
		for _, d := range p.Diagnostics {
			if d.Code == "PW015" {
				return true
			}
		}
		return false
	})
	var pw015 []protocol.Diagnostic
	for _, d := range p.Diagnostics {
		if d.Code == "PW015" {
			pw015 = append(pw015, d)
		}
	}
	line := pw015[0].Range.Start.Line
	if pw015[0].Range.Start.Character == 0 {
		t.Fatalf("the test needs a diagnostic that does not start at column 0: %+v", pw015[0].Range)
	}
	col0 := protocol.Position{Line: line, Character: 0}

	if got := titles(codeActions(t, c, py, col0, nil, protocol.QuickFix)); len(got) != 0 {
		t.Errorf("without context diagnostics, column 0 is outside the diagnostic: got %q", got)
	}
	got := codeActions(t, c, py, col0, pw015, protocol.QuickFix)
	if len(got) != 1 || got[0].Title != "Add await" || got[0].Kind != protocol.QuickFix {
		t.Fatalf("with the line's diagnostics in the context: got %q", titles(got))
	}
	edited := applyEdits(t, codeActionWorker, got[0].Edit.Changes[lsptest.URI(py)])
	if !strings.Contains(edited, `        await self.env.CACHE.put("k", "v")`) {
		t.Errorf("Add await applied:\n%s", edited)
	}
	// A diagnostic of another server at the same place is not ours to fix.
	foreign := pw015[0]
	foreign.Source = "pyright"
	if got := titles(codeActions(t, c, py, col0, []protocol.Diagnostic{foreign}, protocol.QuickFix)); len(got) != 0 {
		t.Errorf("another server's diagnostic: got %q", got)
	}
}

// Helix has no code lenses: each lens is also a code action on its handler,
// and the command accepts what a user types into :lsp-workspace-command.
func TestRunHandlerCodeActionAndCommandShapes(t *testing.T) {
	root, py := codeActionProject(t)
	c := lsptest.StartWithRuntime(t, binary)
	init := c.Initialize(t, root, nil)
	if caps, _ := json.Marshal(init.Capabilities.CodeActionProvider); !strings.Contains(string(caps), `"`+string(server.CodeActionRunHandler)+`"`) {
		t.Errorf("codeActionKinds do not advertise %s: %#v", server.CodeActionRunHandler, init.Capabilities.CodeActionProvider)
	}
	c.Open(t, py, "python", nil)

	onDef := protocol.Position{Line: 4, Character: 8}   // "async def fetch"
	defCol0 := protocol.Position{Line: 4, Character: 0} // Helix's cursor at the line's start
	inBody := protocol.Position{Line: 6, Character: 10} // "return Response"
	outside := protocol.Position{Line: 0, Character: 0} // the import
	for _, at := range []protocol.Position{onDef, defCol0, inBody} {
		got := codeActions(t, c, py, at, nil)
		var run *protocol.CodeAction
		for i := range got {
			if got[i].Kind == server.CodeActionRunHandler && strings.HasPrefix(got[i].Title, "▶") {
				run = &got[i]
			}
		}
		if run == nil || run.Title != "▶ Run fetch GET /" || run.Command == nil || run.Command.Command != server.CommandRunHandler {
			t.Fatalf("at %v: no run action: %q", at, titles(got))
		}
		if at == onDef {
			var out struct {
				Status     int    `json:"status"`
				ResultFile string `json:"resultFile"`
			}
			if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": run.Command.Command, "arguments": run.Command.Arguments}, &out); err != nil {
				t.Fatal(err)
			}
			if out.Status != 200 {
				t.Errorf("run action: status %d", out.Status)
			}
		}
	}
	if got := codeActions(t, c, py, outside, nil); len(got) != 0 {
		t.Errorf("outside every handler: %q", titles(got))
	}
	if got := codeActions(t, c, py, onDef, nil, protocol.QuickFix); len(got) != 0 {
		t.Errorf("only quickfix asked for: %q", titles(got))
	}
	if got := titles(codeActions(t, c, py, onDef, nil, protocol.Source)); len(got) != 2 || got[0] != "▶ Run fetch GET /" || got[1] != "Show local state" {
		t.Errorf("only source asked for: %q", got)
	}

	// Typed by hand: the file's URI alone (Helix sends a lone argument bare),
	// the URI and a kind, and nothing at all.
	for _, args := range []any{string(lsptest.URI(py)), []any{lsptest.URI(py), "fetch"}, map[string]any{"uri": lsptest.URI(py)}} {
		var out struct {
			Status int `json:"status"`
		}
		if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": server.CommandRunHandler, "arguments": args}, &out); err != nil || out.Status != 200 {
			t.Errorf("arguments %v: status %d, error %v", args, out.Status, err)
		}
	}
	for _, args := range []any{nil, []any{}, []any{lsptest.URI(py), "queue"}} {
		err := c.Call(t, "workspace/executeCommand", map[string]any{"command": server.CommandRunHandler, "arguments": args}, nil)
		if err == nil {
			t.Errorf("arguments %v: no error", args)
			continue
		}
		if args == nil && !strings.Contains(err.Error(), "needs the handler to run") {
			t.Errorf("arguments %v: %v", args, err)
		}
		if _, shown := c.Logs(); !containsText(shown, err.Error()[strings.LastIndex(err.Error(), ":")+1:]) {
			t.Errorf("arguments %v: the error is not shown to the user (Helix only logs failed commands): %q", args, shown)
		}
	}
}

func containsText(list []string, s string) bool {
	s = strings.TrimSpace(s)
	for _, x := range list {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// Editors put a server's stderr and its window/logMessage in one panel: a
// record forwarded to the client must not also be written to stderr.
func TestLogLinesReachTheClientOnce(t *testing.T) {
	root, py := codeActionProject(t)
	c := lsptest.Start(t, binary)
	c.Initialize(t, root, nil)
	c.Open(t, py, "python", nil)
	c.WaitDiagnostics(t, py, 10*time.Second, func(p *protocol.PublishDiagnosticsParams) bool { return true })
	// An edit older than the document is logged as a warning.
	at := protocol.Range{Start: protocol.Position{Line: 0}, End: protocol.Position{Line: 0}}
	c.Change(t, py, 5, at, "# newer\n")
	c.Change(t, py, 3, at, "# older\n")
	const warning = "ignoring a stale didChange"
	deadline := time.Now().Add(5 * time.Second)
	for !containsText(first(c.Logs()), warning) {
		if time.Now().After(deadline) {
			t.Fatalf("no window/logMessage %q; logs %q, stderr:\n%s", warning, first(c.Logs()), c.Stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(c.Stderr.String(), warning) {
		t.Errorf("logged twice, as logMessage and on stderr:\n%s", c.Stderr)
	}
}

func first(a, _ []string) []string { return a }

// BenchmarkCodeActionOnHandler is what the code action menu (Helix's
// space a, Neovim's code_action(), VS Code's light bulb on every cursor
// move) costs over LSP on a 5,000-line Worker module: the run actions of
// the handler under the cursor and the quick fixes of its line.
func BenchmarkCodeActionOnHandler(b *testing.B) {
	root := copyFixture(b, "bindings-jsonc")
	c := lsptest.Start(b, binary)
	c.Initialize(b, root, nil)
	path := filepath.Join(root, "src", "big.py")
	text := workergen.Module(5000)
	c.Open(b, path, "python", &text)
	def := strings.LastIndex(text, "    async def fetch(")
	at := protocol.Position{Line: uint32(strings.Count(text[:def], "\n")), Character: 4}
	codeActions(b, c, path, at, nil) // the first builds the module's facts
	var durations []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		got := codeActions(b, c, path, at, nil)
		durations = append(durations, time.Since(start))
		if len(got) == 0 || !strings.HasPrefix(got[0].Title, "▶ Run fetch") {
			b.Fatalf("no run action: %q", titles(got))
		}
	}
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds()), "p99-µs")
}
