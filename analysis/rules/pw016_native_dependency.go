package rules

import (
	"log/slog"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/catalog/pyodidepkgs"
)

func init() {
	register(&Rule{
		Code: "PW016", Name: "native-dependency", Severity: Error, Targets: TargetPyproject,
		Summary: "A dependency has native code and no Pyodide build for the selected Python runtime.",
		Check:   checkNativeDependency,
	})
}

// isDevGroup reports whether a dependency group is for development only
// (not installed into python_modules/).
func isDevGroup(group string) bool {
	return group != "project"
}

func checkNativeDependency(p *Pass) {
	rt := p.Env.Compat.Runtime
	ix, err := pyodidepkgs.ForPyodide(rt.PyodideIndex)
	if err != nil {
		slog.Warn("PW016: no Pyodide package list", "pyodide", rt.PyodideIndex, "err", err)
		return
	}
	for _, dep := range p.Worker.Dependencies {
		if isDevGroup(dep.Group) || dep.Node == nil {
			continue
		}
		reason, bad := ix.Unavailable(dep.Name)
		if !bad {
			continue
		}
		p.ReportConfig(dep.Node, reason+" (Python "+rt.Python+", Pyodide "+rt.PyodideIndex+" package index)")
	}
}
