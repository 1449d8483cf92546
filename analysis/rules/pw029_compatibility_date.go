package rules

import (
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/compat"
)

func init() {
	register(&Rule{
		Code: "PW029", Name: "compatibility-date", Severity: Error, Targets: TargetConfig,
		Summary: "compatibility_date is missing, malformed, or in the future.",
		Check:   checkCompatibilityDate,
	})
}

func checkCompatibilityDate(p *Pass) {
	today := p.Now().UTC().Format("2006-01-02")
	fix := func(title string) []Fix {
		return p.newFix(title).add(p.Worker.ConfigPath, p.setDateEdits(today)...).preferred().fixes()
	}
	n := p.Env.CompatDateNode
	if n == nil {
		if !p.isPythonWorker() {
			return
		}
		start, end := p.configAnchor()
		d := p.Report(start, end, "compatibility_date is not set: wrangler uses today's date, so the runtime's behaviour changes on every deploy", fix("Set compatibility_date to today ("+today+")")...)
		d.Severity = Warning
		return
	}
	if _, err := compat.ParseDate(p.Env.CompatDate); err != nil {
		p.ReportConfig(n, "compatibility_date must be a YYYY-MM-DD date, not "+quoteOr(p.Doc.Text[n.Range.Start:n.Range.End]), fix("Set compatibility_date to today ("+today+")")...)
		return
	}
	if p.Env.CompatDate > today {
		p.ReportConfig(n, "compatibility_date "+p.Env.CompatDate+" is in the future: deploys fail until that date", fix("Set compatibility_date to today ("+today+")")...)
	}
}

func quoteOr(s string) string {
	if s == "" {
		return "an empty value"
	}
	return s
}
