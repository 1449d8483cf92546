package server

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
	"github.com/pyworkers-lsp/pyworkers-lsp/completion"
)

// Bindings intelligence (issue 3): completion here, and the request
// builders hover.go, signature_help.go, definition.go and references.go
// share. The feature logic is in package completion; these files only
// convert between LSP and byte offsets.

func init() {
	registerRequest("textDocument/completion", completionRequest, func(c *protocol.ServerCapabilities) {
		// "." for env and members, " " for `from workers import `, `"` and
		// "[" for wrangler config values, keys and TOML headers.
		c.CompletionProvider = &protocol.CompletionOptions{TriggerCharacters: []string{".", " ", "\"", "["}}
	})
}

// pythonRequest builds a feature request for a Python document at pos;
// nil when the document is not open, not Python, or has no Worker.
func pythonRequest(snap *Snapshot, u protocol.DocumentURI, pos protocol.Position) *completion.Request {
	doc := snap.Document(u)
	if doc == nil || doc.Kind != KindPython || doc.Py() == nil {
		return nil
	}
	off, err := offsetOf(doc.Lines(), pos)
	if err != nil {
		return nil
	}
	w := snap.WorkerFor(doc.Path)
	if w == nil {
		return nil
	}
	// Files and Workers are listed lazily: most completions never need them.
	return &completion.Request{Worker: w, Env: snap.Env(w), Path: doc.Path, File: doc.Py(), Offset: off,
		AllWorkers: snap.Workers, PythonFilesOf: snap.PythonFiles, Facts: snap.facts.get}
}

// configRequest builds a feature request for an open wrangler config.
func configRequest(snap *Snapshot, u protocol.DocumentURI, pos protocol.Position) (*completion.ConfigRequest, *Document) {
	doc := snap.Document(u)
	if doc == nil || doc.Kind != KindWranglerConfig || doc.Path == "" {
		return nil, nil
	}
	off, err := offsetOf(doc.Lines(), pos)
	if err != nil {
		return nil, nil
	}
	w := snap.WorkerFor(doc.Path)
	if w == nil {
		return nil, nil
	}
	cfg := w.Config // parsed from this snapshot's view, where the open buffer wins
	if w.ConfigPath != doc.Path {
		cfg = config.Parse(doc.Path, []byte(doc.Text())) // a config other than the one in force (configPath setting)
	}
	return &completion.ConfigRequest{Doc: cfg, Worker: w, Offset: off,
		AllWorkers: snap.Workers, PythonFilesOf: snap.PythonFiles, Facts: snap.facts.get}, doc
}

func completionRequest(ctx context.Context, s *Server, snap *Snapshot, params json.RawMessage) (any, error) {
	var p protocol.CompletionParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	var items []completion.Item
	doc := snap.Document(p.TextDocument.URI)
	if req := pythonRequest(snap, p.TextDocument.URI, p.Position); req != nil {
		items = completion.Complete(ctx, req)
	} else if creq, _ := configRequest(snap, p.TextDocument.URI, p.Position); creq != nil {
		items = completion.CompleteConfig(ctx, creq)
	}
	out := make([]protocol.CompletionItem, 0, len(items))
	for _, it := range items {
		ci := protocol.CompletionItem{
			Label: it.Label, Kind: itemKind(it.Kind), Detail: it.Detail,
			SortText: it.SortText, FilterText: it.FilterText, InsertTextFormat: protocol.InsertTextFormatPlainText,
		}
		if it.Documentation != "" {
			ci.Documentation = protocol.MarkupContent{Kind: protocol.Markdown, Value: it.Documentation}
		}
		if it.IsSnippet {
			ci.InsertTextFormat = protocol.InsertTextFormatSnippet
		}
		if doc != nil && it.ReplaceEnd >= it.ReplaceStart {
			ci.TextEdit = &protocol.TextEdit{Range: lspRange(doc.Lines(), it.ReplaceStart, it.ReplaceEnd), NewText: it.InsertText}
		} else {
			ci.InsertText = it.InsertText
		}
		out = append(out, ci)
	}
	return &protocol.CompletionList{IsIncomplete: false, Items: out}, nil
}

func itemKind(k completion.ItemKind) protocol.CompletionItemKind {
	switch k {
	case completion.ItemBinding:
		return protocol.CompletionItemKindField
	case completion.ItemVariable:
		return protocol.CompletionItemKindVariable
	case completion.ItemSecret:
		return protocol.CompletionItemKindConstant
	case completion.ItemMethod:
		return protocol.CompletionItemKindMethod
	case completion.ItemProperty, completion.ItemKey:
		return protocol.CompletionItemKindProperty
	case completion.ItemClass:
		return protocol.CompletionItemKindClass
	case completion.ItemFunction:
		return protocol.CompletionItemKindFunction
	case completion.ItemModule:
		return protocol.CompletionItemKindModule
	case completion.ItemValue:
		return protocol.CompletionItemKindValue
	}
	return protocol.CompletionItemKindText
}
