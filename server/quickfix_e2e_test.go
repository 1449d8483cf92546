package server_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

// applyEdits applies LSP text edits to text (edits must not overlap).
func applyEdits(t *testing.T, text string, edits []protocol.TextEdit) string {
	t.Helper()
	lines := lsptestOffsets(text)
	type span struct {
		start, end int
		newText    string
	}
	var spans []span
	for _, e := range edits {
		spans = append(spans, span{lines(e.Range.Start), lines(e.Range.End), e.NewText})
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].start > spans[j].start })
	for _, s := range spans {
		text = text[:s.start] + s.newText + text[s.end:]
	}
	return text
}

// lsptestOffsets maps LSP positions to byte offsets (ASCII fixtures).
func lsptestOffsets(text string) func(protocol.Position) int {
	starts := []int{0}
	for i, c := range text {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return func(p protocol.Position) int { return starts[p.Line] + int(p.Character) }
}

const quickfixConfig = `// The Worker's config: comments must survive a quick fix.
{
  "name": "fixme", // trailing comment
  "main": "src/entry.py",
  "compatibility_date": "2025-11-01",
  /* flags */
  "compatibility_flags": ["nodejs_compat"],
}
`

func TestQuickFixEditsConfigAndKeepsComments(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "src"), 0o755)
	os.WriteFile(filepath.Join(root, "wrangler.jsonc"), []byte(quickfixConfig), 0o644)
	py := "from workers import Response, WorkerEntrypoint\nfrom pyodide.ffi import to_py\n\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return Response(\"hi\")\n"
	os.WriteFile(filepath.Join(root, "src", "entry.py"), []byte(py), 0o644)

	c := lsptest.Start(t, binary)
	c.Initialize(t, root, nil)
	cfg := filepath.Join(root, "wrangler.jsonc")
	c.Open(t, cfg, "jsonc", nil)
	p := c.WaitDiagnostics(t, cfg, 10*time.Second, func(p *protocol.PublishDiagnosticsParams) bool {
		for _, d := range p.Diagnostics {
			if d.Code == "PW002" {
				return true
			}
		}
		return false
	})
	var pw002 protocol.Diagnostic
	for _, d := range p.Diagnostics {
		if d.Code == "PW002" {
			pw002 = d
		}
	}
	if pw002.Source != "pyworkers" || pw002.CodeDescription == nil || !strings.Contains(string(pw002.CodeDescription.Href), "PW002") {
		t.Fatalf("PW002 diagnostic: %+v", pw002)
	}
	var actions []protocol.CodeAction
	if err := c.Call(t, "textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": lsptest.URI(cfg)},
		"range":        pw002.Range,
		"context":      map[string]any{"diagnostics": []any{pw002}},
	}, &actions); err != nil {
		t.Fatal(err)
	}
	var fix *protocol.CodeAction
	for i := range actions {
		if actions[i].Kind == protocol.QuickFix && strings.Contains(actions[i].Title, "python_workers") {
			fix = &actions[i]
		}
	}
	if fix == nil || fix.Edit == nil {
		t.Fatalf("no python_workers quick fix among %+v", actions)
	}
	edits := fix.Edit.Changes[lsptest.URI(cfg)]
	got := applyEdits(t, quickfixConfig, edits)
	if !strings.Contains(got, `"python_workers"`) || !strings.Contains(got, "// trailing comment") ||
		!strings.Contains(got, "/* flags */") || !strings.Contains(got, "// The Worker's config") {
		t.Fatalf("fixed config lost something:\n%s", got)
	}
	// Apply it in the editor: the diagnostic goes away.
	c.Notify(t, "textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": lsptest.URI(cfg), "version": 2},
		"contentChanges": []any{map[string]any{"text": got}},
	})
	c.WaitDiagnostics(t, cfg, 10*time.Second, func(p *protocol.PublishDiagnosticsParams) bool {
		if p.Version != 2 {
			return false
		}
		for _, d := range p.Diagnostics {
			if d.Code == "PW002" {
				return false
			}
		}
		return true
	})

	// A Python quick fix: the to_py import (PW008).
	pyPath := filepath.Join(root, "src", "entry.py")
	c.Open(t, pyPath, "python", nil)
	pd := c.WaitDiagnostics(t, pyPath, 10*time.Second, func(p *protocol.PublishDiagnosticsParams) bool {
		for _, d := range p.Diagnostics {
			if d.Code == "PW008" {
				return true
			}
		}
		return false
	})
	for _, d := range pd.Diagnostics {
		if d.Code == "PW008" && (d.Range.Start.Line != 1 || d.Range.Start.Character == 0) {
			t.Fatalf("PW008 should point at the to_py name on line 2: %+v", d.Range)
		}
	}
}
