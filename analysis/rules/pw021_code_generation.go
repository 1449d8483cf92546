package rules

func init() {
	register(&Rule{
		Code: "PW021", Name: "js-code-generation", Severity: Error, Targets: TargetPython,
		Summary: "js.eval(...) / js.Function(...) fail: \"Code generation from strings disallowed\".",
		Check:   checkCodeGeneration,
	})
}

func checkCodeGeneration(p *Pass) {
	m := p.Module
	for _, call := range m.Calls {
		switch name := m.Callee(call); name {
		case "js.eval", "js.Function", "js.globalThis.eval", "js.globalThis.Function", "js.WebAssembly.compile":
			p.ReportNode(call, name+"() compiles code from a string, which Workers forbid (\"Code generation from strings disallowed\")")
		}
	}
}
