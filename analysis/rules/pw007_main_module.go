package rules

import "github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"

func init() {
	register(&Rule{
		Code: "PW007", Name: "main-module", Severity: Error, Targets: TargetConfig,
		Summary: "main is missing, names a file that does not exist, or is not a .py file.",
		Check:   checkMainModule,
	})
}

func checkMainModule(p *Pass) {
	env := p.Env
	if env.MainNode == nil {
		if len(p.PythonFilesOrNil()) == 0 && !env.Compat.PythonWorkers {
			return // not recognisably a Python Worker
		}
		start, end := p.configAnchor()
		p.Report(start, end, "main is not set: wrangler needs the Worker's entry module, a .py file such as \"src/entry.py\"")
		return
	}
	if env.Main == "" {
		p.ReportConfig(env.MainNode, "main must be a path to the Worker's entry module, a .py file")
		return
	}
	if !env.IsPythonMain() {
		if !env.Compat.PythonWorkers {
			return // a JavaScript Worker: not ours to judge
		}
		p.ReportConfig(env.MainNode, "main must name a .py file for a Python Worker (\"Main module needs to end with a .py file extension\")")
		return
	}
	if p.in.PythonFiles[env.MainPath] != nil {
		return
	}
	switch _, err := project.ReadFileFS(p.fs(), env.MainPath, project.MaxSourceBytes); {
	case project.Refused(err):
		p.ReportConfig(env.MainNode, "main module "+env.Main+" cannot be read: "+err.Error())
	case err != nil:
		p.ReportConfig(env.MainNode, "main module "+env.Main+" does not exist")
	}
}
