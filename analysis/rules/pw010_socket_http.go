package rules

import "strings"

func init() {
	register(&Rule{
		Code: "PW010", Name: "socket-http-client", Severity: Warning, Targets: TargetPython,
		Summary: "urllib.request, http.client and socket need raw sockets, which Workers do not have (requests/httpx.Client also fail on the 3.12 runtime).",
		Check:   checkSocketHTTP,
	})
}

func checkSocketHTTP(p *Pass) {
	m := p.Module
	py312 := strings.HasPrefix(p.Env.Compat.Runtime.Python, "3.12")
	for _, imp := range m.Imports {
		full := imp.Module
		if imp.Name != "" {
			full = imp.Module + "." + imp.Name
		}
		switch {
		case socketModule(imp.Module):
			p.ReportNode(imp.Node, imp.Module+" opens raw sockets, which Workers do not have; use await workers.fetch(...) or httpx.AsyncClient")
		case imp.Name != "" && socketModule(full):
			p.ReportNode(imp.NameNode, full+" opens raw sockets, which Workers do not have; use await workers.fetch(...) or httpx.AsyncClient")
		case py312 && (imp.Module == "requests" || strings.HasPrefix(imp.Module, "requests.")):
			p.ReportNode(imp.Node, "requests needs synchronous sockets, which the Python 3.12 runtime (compatibility date before 2025-09-29) does not provide; use await workers.fetch(...) or httpx.AsyncClient")
		}
	}
	if !py312 {
		return
	}
	for _, call := range m.Calls {
		if name := m.Callee(call); name == "httpx.Client" || name == "httpx.get" || name == "httpx.post" {
			p.ReportNode(call.Child("function"), name+" is synchronous and needs sockets the Python 3.12 runtime does not provide; use httpx.AsyncClient or await workers.fetch(...)")
		}
	}
}

// socketModule reports whether a module is (inside) one that needs raw
// sockets.
func socketModule(name string) bool {
	for _, bad := range []string{"urllib.request", "http.client", "socket"} {
		if name == bad || strings.HasPrefix(name, bad+".") {
			return true
		}
	}
	return false
}
