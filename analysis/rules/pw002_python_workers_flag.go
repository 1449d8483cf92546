package rules

func init() {
	register(&Rule{
		Code: "PW002", Name: "missing-python-workers-flag", Severity: Error, Targets: TargetConfig,
		Summary: "compatibility_flags lacks python_workers: wrangler fails with only \"internal error\".",
		Check:   checkPythonWorkersFlag,
	})
}

func checkPythonWorkersFlag(p *Pass) {
	if p.Env.Compat.PythonWorkers || !p.isPythonWorker() {
		return
	}
	start, end := p.configAnchor()
	if n := p.Env.CompatFlagsNode; n != nil {
		start, end = n.Range.Start, n.Range.End
	}
	p.Report(start, end, "the python_workers compatibility flag is missing: every Python Worker needs it, and without it wrangler fails with only \"internal error\"",
		p.newFix("Add the python_workers compatibility flag").add(p.Worker.ConfigPath, p.addFlagEdits("python_workers")...).preferred().fixes()...)
}
