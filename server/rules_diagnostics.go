package server

import (
	"context"
	"path/filepath"
	"sync"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/rules"
)

func init() { registerDiagnostics(ruleDiagnostics) }

// factsCache keeps each Python file's facts keyed by the file version they
// were computed from, so a keystroke recomputes facts for the edited file
// only (incrementally, from the previous version's facts).
type factsCache struct {
	mu    sync.Mutex
	byKey map[string]factsEntry
}

type factsEntry struct {
	file *pysyntax.File
	mod  *pyfacts.Module
}

var facts = &factsCache{byKey: map[string]factsEntry{}}

func (c *factsCache) get(path string, f *pysyntax.File) *pyfacts.Module {
	c.mu.Lock()
	e, ok := c.byKey[path]
	c.mu.Unlock()
	if ok && e.file == f {
		return e.mod
	}
	var prev *pyfacts.Module
	if ok {
		prev = e.mod
	}
	m := pyfacts.ParseIncremental(path, f, prev)
	c.mu.Lock()
	c.byKey[path] = factsEntry{file: f, mod: m}
	c.mu.Unlock()
	return m
}

// ruleInput builds the rules' input for a Worker from a snapshot.
func ruleInput(snap *Snapshot, w *project.Worker) *rules.Input {
	files := snap.PythonFiles(w)
	fm := make(map[string]*pyfacts.Module, len(files))
	for p, f := range files {
		fm[p] = facts.get(p, f)
	}
	disabled := map[string]bool{}
	for _, c := range snap.settings.DisabledRules {
		disabled[c] = true
	}
	return &rules.Input{Worker: w, Env: snap.Env(w), PythonFiles: files, Disabled: disabled, FS: snap.FS(), Facts: fm}
}

// checkable says whether the rules look at a document.
func checkable(doc *Document) bool {
	base := filepath.Base(doc.Path)
	return doc.Kind == KindPython || doc.Kind == KindWranglerConfig || doc.Kind == KindPyproject ||
		base == "requirements.txt" || base == "cf-requirements.txt"
}

// ruleDiagnosticsFor runs the rules on one document.
func ruleDiagnosticsFor(ctx context.Context, snap *Snapshot, doc *Document) []rules.Diagnostic {
	if doc.Path == "" || !checkable(doc) {
		return nil
	}
	w := snap.WorkerFor(doc.Path)
	if w == nil {
		return nil
	}
	return rules.CheckFile(ctx, ruleInput(snap, w), doc.Path)
}

func ruleDiagnostics(ctx context.Context, snap *Snapshot, doc *Document) []protocol.Diagnostic {
	var out []protocol.Diagnostic
	for _, d := range ruleDiagnosticsFor(ctx, snap, doc) {
		out = append(out, toLSPDiagnostic(d))
	}
	return out
}

func toLSPRange(r rules.Range) protocol.Range {
	return protocol.Range{Start: fromTextpos(r.Start), End: fromTextpos(r.End)}
}

func toLSPDiagnostic(d rules.Diagnostic) protocol.Diagnostic {
	out := protocol.Diagnostic{
		Range:    toLSPRange(d.Range),
		Severity: protocol.DiagnosticSeverity(d.Severity),
		Code:     d.Code,
		Source:   Name,
		Message:  d.Message,
	}
	if d.DocsURL != "" {
		out.CodeDescription = &protocol.CodeDescription{Href: protocol.URI(d.DocsURL)}
	}
	for _, t := range d.Tags {
		switch t {
		case rules.TagDeprecated:
			out.Tags = append(out.Tags, protocol.DiagnosticTagDeprecated)
		case rules.TagUnnecessary:
			out.Tags = append(out.Tags, protocol.DiagnosticTagUnnecessary)
		}
	}
	return out
}
