package rules

import (
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/catalog"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

func init() {
	register(&Rule{
		Code: "PW015", Name: "binding-call-not-awaited", Severity: Warning, Targets: TargetPython,
		Summary: "An async binding call is not awaited: the operation never runs, or a coroutine is used as its result.",
		Check:   checkNotAwaited,
	})
}

// typer resolves the runtime interface of binding expressions through the
// catalog: self.env.DB → D1Database, .prepare(...) → D1PreparedStatement.
type typer struct {
	p    *Pass
	uses map[*pyfacts.Node]*pyfacts.EnvUse
}

func newTyper(p *Pass) *typer {
	t := &typer{p: p, uses: map[*pyfacts.Node]*pyfacts.EnvUse{}}
	for _, u := range p.Module.EnvUses {
		t.uses[u.Expr] = u
	}
	return t
}

// typeOf returns the catalog interface of expression n, or "".
func (t *typer) typeOf(n *pyfacts.Node) string {
	n = n.Unparen()
	if n == nil {
		return ""
	}
	if u, ok := t.uses[n]; ok {
		if b := t.p.Env.Binding(u.Name); b != nil && b.Kind != nil {
			return b.Kind.Interface
		}
		return ""
	}
	switch n.Type {
	case "attribute":
		obj, attr := n.Child("object"), n.Child("attribute")
		if obj.Is("identifier") && t.p.Module.Text(obj) == "self" && t.p.Module.Text(attr) == "ctx" {
			if fn := pyfacts.EnclosingFunc(n); fn != nil {
				if f := t.p.Module.FuncOf(fn); f != nil && f.Class != nil {
					switch {
					case f.Class.HasBase("DurableObject"):
						return "DurableObjectState"
					case f.Class.HasBase("WorkerEntrypoint"):
						return "ExecutionContext"
					}
				}
			}
			return ""
		}
		if m, ok := t.member(t.typeOf(obj), t.p.Module.Text(attr)); ok && m.Property {
			return m.ReturnsInterface
		}
	case "call":
		fn := n.Child("function")
		if !fn.Is("attribute") {
			return ""
		}
		if m, ok := t.member(t.typeOf(fn.Child("object")), t.p.Module.Text(fn.Child("attribute"))); ok && !m.Async && !m.Property {
			return m.ReturnsInterface
		}
	}
	return ""
}

func (t *typer) member(iface, name string) (catalog.Member, bool) {
	if iface == "" {
		return catalog.Member{}, false
	}
	i, ok := catalog.Lookup(iface)
	if !ok {
		return catalog.Member{}, false
	}
	return i.Member(name)
}

// asyncBindingCall returns the member when call is an async binding call.
func (t *typer) asyncBindingCall(call *pyfacts.Node) (string, catalog.Member, bool) {
	fn := call.Child("function")
	if !fn.Is("attribute") {
		return "", catalog.Member{}, false
	}
	iface := t.typeOf(fn.Child("object"))
	m, ok := t.member(iface, t.p.Module.Text(fn.Child("attribute")))
	if !ok || !m.Async || m.Property {
		return "", catalog.Member{}, false
	}
	return iface, m, true
}

func checkNotAwaited(p *Pass) {
	if len(p.Module.EnvUses) == 0 && len(p.Module.Classes) == 0 {
		return
	}
	t := newTyper(p)
	for _, call := range p.Module.Calls {
		iface, m, ok := t.asyncBindingCall(call)
		if !ok {
			continue
		}
		par := call.Parent
		switch {
		case par.Is("expression_statement"):
		case par.Is("assignment") && call.Field == "right":
		default:
			continue // awaited, or handed to gather()/create_task()/wait_until()
		}
		var fixes []Fix
		if fn := pyfacts.EnclosingFunc(call); fn != nil && pyfacts.IsAsyncDef(fn) {
			fixes = p.pyFix("Add await", textEdit{p.Module.Start(call), p.Module.Start(call), "await "})
			fixes[0].Preferred = true
		}
		what := "the operation never runs"
		if par.Is("assignment") {
			what = "the variable holds a coroutine, not the result"
		}
		p.ReportNode(call, iface+"."+m.Name+"() is async and not awaited: "+what+"; add await", fixes...)
	}
}
