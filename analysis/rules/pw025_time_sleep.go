package rules

import "github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"

func init() {
	register(&Rule{
		Code: "PW025", Name: "blocking-sleep", Severity: Warning, Targets: TargetPython,
		Summary: "time.sleep(...) in an async handler blocks the isolate; use await asyncio.sleep(...).",
		Check:   checkTimeSleep,
	})
}

func checkTimeSleep(p *Pass) {
	m := p.Module
	for _, call := range m.Calls {
		if m.Callee(call) != "time.sleep" {
			continue
		}
		fn := pyfacts.EnclosingFunc(call)
		if fn == nil || !pyfacts.IsAsyncDef(fn) {
			continue
		}
		fnNode := call.Child("function")
		edits := []textEdit{{p.Module.Start(call), p.Module.End(fnNode), "await asyncio.sleep"}}
		if _, ok := m.ImportedAs("asyncio"); !ok {
			edits = append(p.py().addImport("asyncio", ""), edits...)
		}
		p.ReportNode(call, "time.sleep() blocks the whole isolate, and every request it serves, while it waits; use await asyncio.sleep()",
			p.newFix("Use await asyncio.sleep()").add(p.Path, edits...).preferred().fixes()...)
	}
}
