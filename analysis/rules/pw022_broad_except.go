package rules

import "github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"

func init() {
	register(&Rule{
		Code: "PW022", Name: "broad-except-in-durable-object", Severity: Warning, Targets: TargetPython,
		Summary: "except BaseException: / bare except: in a Durable Object swallows ctx.abort().",
		Check:   checkBroadExcept,
	})
}

func checkBroadExcept(p *Pass) {
	m := p.Module
	for _, ex := range m.Excepts {
		fn := pyfacts.EnclosingFunc(ex)
		f := m.FuncOf(fn)
		if f == nil || f.Class == nil || !f.Class.HasBase("DurableObject") {
			continue
		}
		if reraises(m, ex) {
			continue
		}
		kw := ex.Children[0] // "except"
		var typ *pyfacts.Node
		for _, c := range ex.NamedChildren() {
			if c.Type != "block" && c.Type != "comment" {
				typ = c
				break
			}
		}
		switch {
		case typ == nil:
			p.Report(p.Module.Start(kw), p.Module.End(kw), "bare except: in a Durable Object also catches the DurableObjectAbort that ctx.abort() raises, so the object keeps running; catch Exception",
				p.pyFix("Catch Exception", textEdit{p.Module.End(kw), p.Module.End(kw), " Exception"})...)
		default:
			t := typ
			if t.Type == "as_pattern" && len(t.Children) > 0 {
				t = t.Children[0]
			}
			if m.Resolve(t) != "BaseException" {
				continue
			}
			p.Report(p.Module.Start(kw), p.Module.End(t), "except BaseException in a Durable Object also catches the DurableObjectAbort that ctx.abort() raises, so the object keeps running; catch Exception",
				p.pyFix("Catch Exception", textEdit{p.Module.Start(t), p.Module.End(t), "Exception"})...)
		}
	}
}

// reraises reports whether an except clause's block ends by re-raising.
func reraises(m *pyfacts.Module, ex *pyfacts.Node) bool {
	found := false
	ex.Walk(func(n *pyfacts.Node) bool {
		if n.Type == "raise_statement" && len(n.NamedChildren()) == 0 {
			found = true
		}
		return !found && n.Type != "function_definition"
	})
	return found
}
