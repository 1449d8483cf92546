package server

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/rules"
)

func init() {
	registerRequest("textDocument/codeAction", codeAction, func(c *protocol.ServerCapabilities) {
		c.CodeActionProvider = &protocol.CodeActionOptions{CodeActionKinds: []protocol.CodeActionKind{protocol.QuickFix}}
	})
}

// codeAction offers the rules' fixes for the diagnostics under the range.
func codeAction(ctx context.Context, s *Server, snap *Snapshot, params json.RawMessage) (any, error) {
	var p protocol.CodeActionParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	doc := snap.Document(p.TextDocument.URI)
	if doc == nil {
		return []protocol.CodeAction{}, nil
	}
	if len(p.Context.Only) > 0 {
		wanted := false
		for _, k := range p.Context.Only {
			wanted = wanted || k == protocol.QuickFix || k == "quickfix"
		}
		if !wanted {
			return []protocol.CodeAction{}, nil
		}
	}
	actions := []protocol.CodeAction{}
	for _, d := range ruleDiagnosticsFor(ctx, snap, doc) {
		r := toLSPRange(d.Range)
		if !overlaps(r, p.Range) {
			continue
		}
		lspDiag := toLSPDiagnostic(d)
		for _, fix := range d.Fixes {
			actions = append(actions, protocol.CodeAction{
				Title:       fix.Title,
				Kind:        protocol.QuickFix,
				Diagnostics: []protocol.Diagnostic{lspDiag},
				IsPreferred: fix.Preferred,
				Edit:        workspaceEdit(fix),
			})
		}
	}
	return actions, nil
}

// overlaps says whether two ranges touch (an empty cursor range inside or at
// the edge of a diagnostic counts).
func overlaps(a, b protocol.Range) bool {
	before := func(x, y protocol.Position) bool {
		return x.Line < y.Line || x.Line == y.Line && x.Character < y.Character
	}
	return !before(a.End, b.Start) && !before(b.End, a.Start)
}

func workspaceEdit(fix rules.Fix) *protocol.WorkspaceEdit {
	changes := map[protocol.DocumentURI][]protocol.TextEdit{}
	for _, e := range fix.Edits {
		u := pathToURI(e.Path)
		changes[u] = append(changes[u], protocol.TextEdit{Range: toLSPRange(e.Range), NewText: e.NewText})
	}
	return &protocol.WorkspaceEdit{Changes: changes}
}
