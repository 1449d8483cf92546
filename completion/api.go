// Package completion turns the Worker model (wrangler config, environments,
// the runtime catalog) into editor features for Python files and for the
// wrangler config itself: completion, hover, signature help, definition and
// references. It knows nothing of LSP: offsets are bytes, and the server
// converts.
//
// Only Workers knowledge is offered (bindings on env, the methods of binding
// objects, step/ctx/storage, the SDK's exports); plain Python names are left
// to pyright.
package completion

import (
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

// Request is one question about a Python document.
type Request struct {
	Worker *project.Worker
	Env    *project.Environment // the selected environment

	Path   string
	File   *pysyntax.File
	Offset int // byte offset of the cursor

	// PythonFiles holds every .py file of the Worker (open buffers
	// override the disk), for Durable Object classes and references. It
	// may omit File itself. When nil, PythonFilesOf(Worker) is called the
	// first time a lookup needs it (most completions never do).
	PythonFiles map[string]*pysyntax.File
	// Workers is every Worker of the workspace (service bindings and
	// script_name point at them); when nil, AllWorkers is called on first
	// need.
	Workers    []*project.Worker
	AllWorkers func() []*project.Worker
	// PythonFilesOf returns a Worker's Python files; nil disables
	// cross-Worker lookups.
	PythonFilesOf func(w *project.Worker) map[string]*pysyntax.File
	// Facts returns a Python file's facts, every reading of Python here
	// goes through them. The server passes its per-version cache (the one
	// diagnostics fill), so a keystroke's facts are computed once, and
	// incrementally; nil parses each file needed from scratch, once per
	// request.
	Facts FactsFunc

	parsed map[string]*pyfacts.Module // Facts is nil: this request's parses
}

// FactsFunc returns the facts of one version of a Python file.
type FactsFunc func(path string, f *pysyntax.File) *pyfacts.Module

// facts returns the facts of f (the file at path).
func (req *Request) facts(path string, f *pysyntax.File) *pyfacts.Module {
	if req.Facts != nil {
		return req.Facts(path, f)
	}
	if m, ok := req.parsed[path]; ok && m.Src == f.Text() {
		return m
	}
	if req.parsed == nil {
		req.parsed = map[string]*pyfacts.Module{}
	}
	m := pyfacts.Parse(path, f)
	req.parsed[path] = m
	return m
}

// pythonFiles returns the Worker's files, loading them on first need.
func (req *Request) pythonFiles() map[string]*pysyntax.File {
	if req.PythonFiles == nil && req.PythonFilesOf != nil && req.Worker != nil {
		req.PythonFiles = req.PythonFilesOf(req.Worker)
	}
	return req.PythonFiles
}

// workers returns the workspace's Workers, listing them on first need.
func (req *Request) workers() []*project.Worker {
	if req.Workers == nil && req.AllWorkers != nil {
		req.Workers = req.AllWorkers()
	}
	return req.Workers
}

// ItemKind says what a completion item is; the server maps it to LSP's
// CompletionItemKind.
type ItemKind int

// The item kinds.
const (
	ItemBinding  ItemKind = iota // a binding on env (KV, D1, ...)
	ItemVariable                 // a var from the config
	ItemSecret                   // a secret name
	ItemMethod                   // a method of a runtime object
	ItemProperty                 // an attribute of a runtime object
	ItemClass                    // an SDK class
	ItemFunction                 // an SDK function
	ItemModule                   // an SDK submodule
	ItemValue                    // a config value (a compatibility flag)
	ItemKey                      // a config key
)

// Item is one completion item.
type Item struct {
	Label         string
	Kind          ItemKind
	Detail        string
	Documentation string // markdown
	InsertText    string
	IsSnippet     bool // InsertText uses LSP snippet syntax
	SortText      string
	FilterText    string
	// ReplaceStart/ReplaceEnd is the byte range the item replaces (the
	// partly typed word or string at the cursor).
	ReplaceStart, ReplaceEnd int
}

// HoverResult is markdown about the range [Start, End).
type HoverResult struct {
	Markdown   string
	Start, End int
}

// SignatureResult is signature help for the call around the cursor.
type SignatureResult struct {
	Label  string // "put(key: str, value: str, *, expirationTtl: int = None) -> None"
	Doc    string // markdown
	Params []ParamLabel
	// ActiveParam indexes Params; -1 when the cursor is past every
	// parameter.
	ActiveParam int
}

// ParamLabel is one parameter of a signature: its byte range in Label.
type ParamLabel struct {
	Start, End int
	Doc        string
}

// Location is a range in a file. Start/End are byte offsets when known
// (-1 otherwise); StartPos/EndPos are always set (LSP line and UTF-16
// column), so callers need not read the file.
type Location struct {
	Path             string
	Start, End       int
	StartPos, EndPos textpos.Position
}

func locationIn(path string, lines *textpos.Index, start, end int) Location {
	return Location{Path: path, Start: start, End: end, StartPos: lines.Position(start), EndPos: lines.Position(end)}
}
