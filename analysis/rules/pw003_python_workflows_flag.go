package rules

import "github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"

func init() {
	register(&Rule{
		Code: "PW003", Name: "python-workflows-not-enabled", Severity: Error, Targets: TargetConfig | TargetPython,
		Summary: "Workflows are used but Python Workflows are not enabled (no python_workflows flag, date before 2025-09-20).",
		Check:   checkPythonWorkflows,
	})
}

const pw003Message = "Python Workflows are not enabled for this Worker: add the python_workflows compatibility flag or use a compatibility date of 2025-09-20 or later"

func checkPythonWorkflows(p *Pass) {
	if p.enabled("python_workflows") || !p.isPythonWorker() {
		return
	}
	fix := func() []Fix {
		return p.newFix("Add the python_workflows compatibility flag").add(p.Worker.ConfigPath, p.addFlagEdits("python_workflows")...).preferred().fixes()
	}
	if p.Target == TargetPython {
		for _, c := range classesWithBase(p.Module, "WorkflowEntrypoint") {
			for i, b := range c.Bases {
				if b == "WorkflowEntrypoint" || len(b) > 19 && b[len(b)-19:] == ".WorkflowEntrypoint" {
					p.ReportNode(c.BaseNodes[i], "class "+c.Name+" is a Workflow, but "+pw003Message, fix()...)
				}
			}
		}
		return
	}
	if wf := p.Env.Block.Get("workflows"); wf != nil && wf.Kind == config.Array && len(wf.Items) > 0 {
		p.Report(wf.KeyRange.Start, wf.KeyRange.End, "workflows are declared, but "+pw003Message, fix()...)
		return
	}
	for _, m := range p.Modules() {
		if cs := classesWithBase(m, "WorkflowEntrypoint"); len(cs) > 0 {
			start, end := p.configAnchor()
			p.Report(start, end, "class "+cs[0].Name+" in "+relPath(p.Worker.Dir, m.Path)+" is a Workflow, but "+pw003Message, fix()...)
			return
		}
	}
}
