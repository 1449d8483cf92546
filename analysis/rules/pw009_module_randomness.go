package rules

import (
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

func init() {
	register(&Rule{
		Code: "PW009", Name: "module-level-randomness", Severity: Error, Targets: TargetPython,
		Summary: "Randomness at module top level breaks deploy (the memory snapshot's RNG check).",
		Check:   checkModuleRandomness,
	})
}

// isRandomCall reports whether a resolved callee draws randomness.
func isRandomCall(name string) bool {
	switch {
	case strings.HasPrefix(name, "numpy.random."):
		rest := strings.TrimPrefix(name, "numpy.random.")
		return rest != "default_rng" && rest != "RandomState" && rest != "Generator" && rest != "SeedSequence"
	case strings.HasPrefix(name, "random."), strings.HasPrefix(name, "secrets."):
		return true
	case name == "uuid.uuid4", name == "uuid.uuid1", name == "os.urandom", name == "os.getrandom":
		return true
	}
	return false
}

func checkModuleRandomness(p *Pass) {
	m := p.Module
	rngCheck := p.enabled("python_check_rng_state")
	for _, call := range m.Calls {
		name := m.Callee(call)
		if !isRandomCall(name) || !pyfacts.AtModuleLoad(call) || inMainGuard(m, call) {
			continue
		}
		stmt := pyfacts.Statement(call)
		var fixes []Fix
		if stmt != nil && stmt.Parent.Is("module") {
			if edits := p.py().moveIntoHandler(stmt); edits != nil {
				fixes = p.pyFix("Move this statement into the handler", edits...)
			}
		}
		if rngCheck {
			p.ReportNode(call, name+"() runs at module top level: deploy fails (python_check_rng_state: randomness must not be used before the memory snapshot); call it inside the handler", fixes...)
		} else {
			d := p.ReportNode(call, name+"() runs at module top level: its value is frozen into the memory snapshot and repeats on every start, and from compatibility date 2025-12-16 deploy fails; call it inside the handler", fixes...)
			d.Severity = Warning
		}
	}
}

// inMainGuard reports whether n is under `if __name__ == "__main__":`,
// which never runs in a Worker.
func inMainGuard(m *pyfacts.Module, n *pyfacts.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == "if_statement" && strings.Contains(m.Text(p.Child("condition")), "__main__") {
			return true
		}
	}
	return false
}
