package rules

func init() {
	register(&Rule{
		Code: "PW026", Name: "durable-object-handler-name", Severity: Warning, Targets: TargetPython,
		Summary: "A Durable Object handler in snake_case (web_socket_message, on_alarm) is never called; the runtime calls camelCase names.",
		Check:   checkDOHandlerName,
	})
}

// doHandlerNames maps handler names the runtime never calls to the ones it
// does.
var doHandlerNames = map[string]string{
	"web_socket_message": "webSocketMessage", "websocket_message": "webSocketMessage", "on_web_socket_message": "webSocketMessage", "on_websocket_message": "webSocketMessage", "on_message": "webSocketMessage",
	"web_socket_close": "webSocketClose", "websocket_close": "webSocketClose", "on_web_socket_close": "webSocketClose", "on_websocket_close": "webSocketClose",
	"web_socket_error": "webSocketError", "websocket_error": "webSocketError", "on_web_socket_error": "webSocketError", "on_websocket_error": "webSocketError",
	"on_alarm": "alarm", "handle_alarm": "alarm",
	"on_fetch": "fetch",
}

func checkDOHandlerName(p *Pass) {
	for _, c := range classesWithBase(p.Module, "DurableObject") {
		for _, f := range c.Methods {
			want, ok := doHandlerNames[f.Name]
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
