package rules

import (
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

func init() {
	register(&Rule{
		Code: "PW024", Name: "nested-event-loop", Severity: Error, Targets: TargetPython,
		Summary: "asyncio.run(...) / loop.run_until_complete(...) fail in a Worker: the event loop is already running.",
		Check:   checkNestedLoop,
	})
}

func checkNestedLoop(p *Pass) {
	m := p.Module
	for _, call := range m.Calls {
		name := m.Callee(call)
		if name != "asyncio.run" && !strings.HasSuffix(name, ".run_until_complete") && !(name == "" && strings.HasSuffix(m.Text(call.Child("function")), ".run_until_complete")) {
			continue
		}
		if inMainGuard(m, call) {
			continue
		}
		var fixes []Fix
		args := call.Child("arguments").NamedChildren()
		fn := pyfacts.EnclosingFunc(call)
		if len(args) == 1 && args[0].Type != "keyword_argument" && fn != nil && pyfacts.IsAsyncDef(fn) {
			fixes = p.pyFix("Await it instead", textEdit{p.Module.Start(call), p.Module.End(call), "await " + m.Text(args[0])})
			fixes[0].Preferred = true
		}
		what := "asyncio.run()"
		if name != "asyncio.run" {
			what = "run_until_complete()"
		}
		p.ReportNode(call, what+" fails in a Worker: the event loop is already running (Pyodide's WebLoop); await the coroutine instead", fixes...)
	}
}
