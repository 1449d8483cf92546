package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/handlers"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/rules"
)

// CodeActionRunHandler is the kind of the "▶ Run …" actions: a source
// action, so VS Code keeps it out of the light bulb (it shows the lens
// there), while Helix, which has no code lenses, and Neovim list it.
const CodeActionRunHandler protocol.CodeActionKind = "source.pyworkers.runHandler"

func init() {
	registerRequest("textDocument/codeAction", codeAction, func(c *protocol.ServerCapabilities) {
		c.CodeActionProvider = &protocol.CodeActionOptions{CodeActionKinds: []protocol.CodeActionKind{protocol.QuickFix, CodeActionRunHandler}}
	})
}

// codeAction offers the rules' fixes for the diagnostics under the range or
// named in the request's context, and every code lens of the handler under
// the range as a "▶ Run …" action.
func codeAction(ctx context.Context, s *Server, snap *Snapshot, params json.RawMessage) (any, error) {
	var p protocol.CodeActionParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	doc := snap.Document(p.TextDocument.URI)
	if doc == nil {
		return []protocol.CodeAction{}, nil
	}
	quickFixes, runs := wantedKinds(p.Context.Only)
	actions := []protocol.CodeAction{}
	if quickFixes {
		actions = append(actions, quickFixActions(ctx, snap, doc, p)...)
	}
	if runs {
		actions = append(actions, runActions(snap, doc, p.Range)...)
	}
	return actions, nil
}

// wantedKinds reads context.only: no list means every kind; a kind asks for
// itself and everything under it ("source" covers the run actions).
func wantedKinds(only []protocol.CodeActionKind) (quickFixes, runs bool) {
	if len(only) == 0 {
		return true, true
	}
	covers := func(k, kind protocol.CodeActionKind) bool {
		return k == kind || strings.HasPrefix(string(kind), string(k)+".")
	}
	for _, k := range only {
		quickFixes = quickFixes || covers(k, protocol.QuickFix)
		runs = runs || covers(k, CodeActionRunHandler)
	}
	return quickFixes, runs
}

// quickFixActions are the fixes of the diagnostics that overlap the range,
// and of those the client names in context.diagnostics wherever they are:
// Neovim asks at the cursor with the whole line's diagnostics.
func quickFixActions(ctx context.Context, snap *Snapshot, doc *Document, p protocol.CodeActionParams) []protocol.CodeAction {
	actions := []protocol.CodeAction{}
	for _, d := range ruleDiagnosticsFor(ctx, snap, doc) {
		r := toLSPRange(d.Range)
		if !overlaps(r, p.Range) && !named(p.Context.Diagnostics, d.Code, r) {
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
	return actions
}

// named says whether the client's context lists a diagnostic of ours with
// this code at this range.
func named(diags []protocol.Diagnostic, code string, r protocol.Range) bool {
	for _, d := range diags {
		if d.Range == r && fmt.Sprint(d.Code) == code && (d.Source == "" || d.Source == Name) {
			return true
		}
	}
	return false
}

// runActions offers the code lenses of the handler whose lines hold the
// range's start, for clients without lenses (Helix) and users who prefer
// the code action menu.
func runActions(snap *Snapshot, doc *Document, r protocol.Range) []protocol.CodeAction {
	actions := []protocol.CodeAction{}
	if doc.Py() == nil || doc.Py().TooLarge {
		return actions
	}
	w := snap.WorkerFor(doc.Path)
	if w == nil {
		return actions
	}
	m := snap.facts.get(doc.Path, doc.Py())
	onHandler := false
	for _, h := range handlers.Find(m, doc.Text(), snap.Env(w)) {
		// By line: at column 0 of the def line the cursor is still on it.
		def := lspRange(doc.Lines(), m.Start(h.Outer()), m.End(h.Outer()))
		if r.Start.Line < def.Start.Line || r.Start.Line > def.End.Line {
			continue
		}
		args := runArgs(h)
		args.URI = doc.URI
		onHandler = true
		actions = append(actions, protocol.CodeAction{
			Title:   actionTitle(h),
			Kind:    CodeActionRunHandler,
			Command: &protocol.Command{Title: actionTitle(h), Command: CommandRunHandler, Arguments: []any{args}},
		})
	}
	if onHandler {
		// What the runs left behind, for editors without VS Code's Bindings view.
		const title = "Show local state"
		actions = append(actions, protocol.CodeAction{
			Title:   title,
			Kind:    CodeActionRunHandler,
			Command: &protocol.Command{Title: title, Command: CommandLocalState, Arguments: []any{localStateArgs{URI: doc.URI, Show: true}}},
		})
	}
	return actions
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
