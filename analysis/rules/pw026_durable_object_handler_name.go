package rules

import "github.com/pyworkers-lsp/pyworkers-lsp/analysis/handlers"

func init() {
	register(&Rule{
		Code: "PW026", Name: "durable-object-handler-name", Severity: Warning, Targets: TargetPython,
		Summary: "A Durable Object handler in snake_case (web_socket_message, on_alarm) is never called; the runtime calls camelCase names.",
		Check:   checkDOHandlerName,
	})
}

func checkDOHandlerName(p *Pass) {
	for _, c := range classesWithBase(p.Module, handlers.DurableObject) {
		for _, f := range c.Methods {
			want, ok := handlers.MisnamedDurableObjectHandlers[f.Name]
			if !ok || c.Method(want) != nil {
				continue
			}
			edits := []textEdit{{p.Module.Start(f.NameNode), p.Module.End(f.NameNode), want}}
			// Calls through self.<old>() in the class follow the rename.
			for _, call := range p.Module.Calls {
				fn := call.Child("function")
				if fn.Is("attribute") && p.Module.Start(call) >= p.Module.Start(c.Node) && p.Module.End(call) <= p.Module.End(c.Node) && p.Module.Text(fn.Child("object")) == "self" && p.Module.Text(fn.Child("attribute")) == f.Name {
					a := fn.Child("attribute")
					edits = append(edits, textEdit{p.Module.Start(a), p.Module.End(a), want})
				}
			}
			fix := p.pyFix("Rename to "+want, edits...)
			fix[0].Preferred = true
			p.ReportNode(f.NameNode, "Durable Object method "+f.Name+" is never called by the runtime, which dispatches to "+want+"; rename it", fix...)
		}
	}
}
