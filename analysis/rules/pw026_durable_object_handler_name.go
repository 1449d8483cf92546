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
			edits := []textEdit{{f.NameNode.Start, f.NameNode.End, want}}
			// Calls through self.<old>() in the class follow the rename.
			for _, call := range p.Module.Calls {
				fn := call.Child("function")
				if fn.Is("attribute") && call.Start >= c.Node.Start && call.End <= c.Node.End && p.Module.Text(fn.Child("object")) == "self" && p.Module.Text(fn.Child("attribute")) == f.Name {
					a := fn.Child("attribute")
					edits = append(edits, textEdit{a.Start, a.End, want})
				}
			}
			fix := p.pyFix("Rename to "+want, edits...)
			fix[0].Preferred = true
			p.ReportNode(f.NameNode, "Durable Object method "+f.Name+" is never called by the runtime, which dispatches to "+want+"; rename it", fix...)
		}
	}
}
