package server

import (
	"context"
	"fmt"
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
// only (incrementally, from the previous version's facts). Facts are ~25
// times the size of their source, so only the most recently used files'
// facts are kept, up to factsSourceBudget bytes of source.
type factsCache struct {
	mu    sync.Mutex
	byKey map[string]factsEntry
	order []string // least recently used first
	bytes int
	// inflight holds the computations running, by file version.
	inflight map[*pysyntax.File]*factsCall
}

type factsEntry struct {
	file *pysyntax.File
	mod  *pyfacts.Module
}

const factsSourceBudget = 512 << 10

func newFactsCache() *factsCache { return &factsCache{byKey: map[string]factsEntry{}} }

// get returns f's facts, computing them (incrementally) when needed. One
// computation per file version: a completion and the keystroke's
// diagnostics asking at once share it instead of both computing (on two
// cores that doubled the completion's latency).
func (c *factsCache) get(path string, f *pysyntax.File) *pyfacts.Module {
	if m := c.lookup(path, f); m != nil {
		return m
	}
	c.mu.Lock()
	if c.inflight == nil {
		c.inflight = map[*pysyntax.File]*factsCall{}
	}
	if call, ok := c.inflight[f]; ok {
		c.mu.Unlock()
		<-call.done
		return call.mod
	}
	call := &factsCall{done: make(chan struct{})}
	c.inflight[f] = call
	prev := c.byKey[path].mod
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.inflight, f)
		c.mu.Unlock()
		close(call.done)
	}()
	call.mod = pyfacts.ParseIncremental(path, f, prev)
	c.store(path, f, call.mod)
	return call.mod
}

// factsCall is one facts computation in progress.
type factsCall struct {
	done chan struct{}
	mod  *pyfacts.Module
}

// forget drops a file's facts (its document was closed).
func (c *factsCache) forget(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[path]
	if !ok {
		return
	}
	c.bytes -= len(e.file.Text())
	delete(c.byKey, path)
	for i, p := range c.order {
		if p == path {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
}

// lookup returns cached facts for exactly this file version, or nil.
func (c *factsCache) lookup(path string, f *pysyntax.File) *pyfacts.Module {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[path]; ok && e.file == f {
		c.touch(path)
		return e.mod
	}
	return nil
}

func (c *factsCache) store(path string, f *pysyntax.File, m *pyfacts.Module) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.byKey[path]; ok {
		c.bytes -= len(old.file.Text())
	} else {
		c.order = append(c.order, path)
	}
	c.byKey[path] = factsEntry{file: f, mod: m}
	c.bytes += len(f.Text())
	c.touch(path)
	for c.bytes > factsSourceBudget && len(c.order) > 1 {
		oldest := c.order[0]
		c.order = c.order[1:]
		c.bytes -= len(c.byKey[oldest].file.Text())
		delete(c.byKey, oldest)
	}
}

// touch moves path to the most recently used end; c.mu is held.
func (c *factsCache) touch(path string) {
	for i, p := range c.order {
		if p == path {
			copy(c.order[i:], c.order[i+1:])
			c.order[len(c.order)-1] = path
			return
		}
	}
}

// ruleInput builds the rules' input for a Worker from a snapshot. Facts
// are computed for the checked file; other files' facts are passed when
// cached, and the rules compute what else they need.
func ruleInput(snap *Snapshot, w *project.Worker, checked string) *rules.Input {
	files := snap.PythonFiles(w)
	fm := map[string]*pyfacts.Module{}
	for p, f := range files {
		if p == checked {
			fm[p] = snap.facts.get(p, f)
		} else if m := snap.facts.lookup(p, f); m != nil {
			fm[p] = m
		}
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
	if doc.Path == "" || !checkable(doc) || ctx.Err() != nil {
		return nil // a newer snapshot exists: its run will report
	}
	w := snap.WorkerFor(doc.Path)
	if w == nil {
		return nil
	}
	return rules.CheckFile(ctx, ruleInput(snap, w, doc.Path), doc.Path)
}

func ruleDiagnostics(ctx context.Context, snap *Snapshot, doc *Document) []protocol.Diagnostic {
	if doc.Kind == KindPython && doc.tooLargeToAnalyse() {
		return []protocol.Diagnostic{{
			Severity: protocol.DiagnosticSeverityInformation,
			Source:   Name,
			Message:  fmt.Sprintf("This file is larger than %d MiB: pyworkers does not analyse it (no diagnostics, lenses or completion).", maxAnalysisBytes>>20),
		}}
	}
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
