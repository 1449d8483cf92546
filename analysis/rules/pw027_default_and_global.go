package rules

func init() {
	register(&Rule{
		Code: "PW027", Name: "default-class-and-global-handler", Severity: Error, Targets: TargetPython,
		Summary: "A module defines both class Default and a module-level handler: \"Cannot define multiple default entrypoints\".",
		Check:   checkDefaultAndGlobal,
	})
}

func checkDefaultAndGlobal(p *Pass) {
	if !p.checksMain() {
		return
	}
	c := p.Module.Class("Default")
	handlers := p.Module.LegacyHandlers()
	if c == nil || len(handlers) == 0 {
		return
	}
	p.ReportNode(c.NameNode, "class Default and the module-level handler "+handlers[0].Name+" both define the default entrypoint; the runtime refuses the module (\"Cannot define multiple default entrypoints\"): move "+handlers[0].Name+" into the class")
}
