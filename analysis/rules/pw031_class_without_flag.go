package rules

func init() {
	register(&Rule{
		Code: "PW031", Name: "entrypoint-class-with-global-handlers", Severity: Error, Targets: TargetPython,
		Summary: "A WorkerEntrypoint class is the only handler while global handlers are still in force (date before 2025-08-14, no python_no_global_handlers).",
		Check:   checkClassWithoutFlag,
	})
}

func checkClassWithoutFlag(p *Pass) {
	if !p.checksMain() || p.enabled("python_no_global_handlers") || len(p.Module.LegacyHandlers()) > 0 {
		return
	}
	c := p.Module.Class("Default")
	if c == nil || !c.HasBase("WorkerEntrypoint") {
		return
	}
	fixes := p.newFix("Add the python_no_global_handlers compatibility flag").add(p.Worker.ConfigPath, p.addFlagEdits("python_no_global_handlers")...).preferred().fixes()
	fixes = append(fixes, p.newFix("Set compatibility_date to 2025-08-14").add(p.Worker.ConfigPath, p.setDateEdits("2025-08-14")...).fixes()...)
	p.ReportNode(c.NameNode, "class Default is never called: with compatibility date "+dateOrUnset(p.Env.CompatDate)+" the runtime still looks for a module-level on_fetch (\"Method on_fetch does not exist\"); add the python_no_global_handlers flag or move the date to 2025-08-14 or later", fixes...)
}

func dateOrUnset(d string) string {
	if d == "" {
		return "(unset)"
	}
	return d
}
