package rules

import (
	"path/filepath"
	"strings"
)

func init() {
	register(&Rule{
		Code: "PW018", Name: "src-prefix-import", Severity: Error, Targets: TargetPython,
		Summary: "import src.x / from src.x import — the Worker's root is src/, so the prefix must go.",
		Check:   checkSrcPrefix,
	})
}

func checkSrcPrefix(p *Pass) {
	if p.Env.MainPath == "" || filepath.Base(filepath.Dir(p.Env.MainPath)) != "src" {
		return
	}
	seen := map[int]bool{}
	for _, imp := range p.Module.Imports {
		n := imp.Node
		if n == nil || seen[p.Module.Start(n)] || !(imp.Module == "src" || strings.HasPrefix(imp.Module, "src.")) {
			continue
		}
		seen[p.Module.Start(n)] = true
		fixes := []Fix(nil)
		if strings.HasPrefix(imp.Module, "src.") {
			// Drop "src." (the first dotted part and its dot).
			fixes = p.pyFix("Drop the src. prefix", textEdit{p.Module.Start(n), p.Module.Start(n) + strings.Index(p.Module.Text(n), ".") + 1, ""})
			fixes[0].Preferred = true
		}
		p.ReportNode(n, "the Worker's modules are imported relative to src/, so \""+imp.Module+"\" fails (\"shouldn't include a 'src.' prefix\"); import "+strings.TrimPrefix(imp.Module, "src.")+" instead", fixes...)
	}
}
