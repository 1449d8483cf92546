package rules

func init() {
	register(&Rule{
		Code: "PW100", Name: "config-syntax", Severity: Error, Targets: TargetConfig | TargetPyproject,
		Summary: "The wrangler config or pyproject.toml does not parse.",
		Check:   checkConfigSyntax,
	})
}

func checkConfigSyntax(p *Pass) {
	if p.Target == TargetConfig && p.Worker.ConfigErr != nil {
		p.Report(0, 0, "the config could not be read: "+p.Worker.ConfigErr.Error())
		return
	}
	for _, e := range p.Doc.Errors {
		p.Report(e.Range.Start, e.Range.End, e.Message)
	}
}
