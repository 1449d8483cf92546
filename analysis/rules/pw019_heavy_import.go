package rules

import (
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

func init() {
	register(&Rule{
		Code: "PW019", Name: "heavy-top-level-import", Severity: Information, Targets: TargetPython,
		Summary: "A known-heavy package imported at module top level slows cold starts (startup CPU limit, Error 1104).",
		Check:   checkHeavyImport,
	})
}

// heavyPackages take long to import: seconds of startup CPU in Pyodide.
var heavyPackages = map[string]bool{
	"langchain": true, "langchain_core": true, "langchain_community": true, "langchain_openai": true, "langgraph": true,
	"mcp": true, "openai": true, "anthropic": true, "pandas": true, "scipy": true, "sklearn": true,
	"matplotlib": true, "sympy": true, "transformers": true, "llama_index": true, "polars": true, "nltk": true,
}

func checkHeavyImport(p *Pass) {
	for _, imp := range p.Module.Imports {
		top, _, _ := strings.Cut(imp.Module, ".")
		if !imp.TopLevel || !heavyPackages[top] || imp.Node == nil || inMainGuard(p.Module, imp.Stmt) {
			continue
		}
		var fixes []Fix
		if imp.Stmt.Parent.Is("module") && onlyUsedInFunctions(p.Module, imp) {
			fixes = p.pyFix("Import lazily inside the handler", p.py().moveIntoHandler(imp.Stmt)...)
		}
		p.ReportNode(imp.Node, top+" is slow to import; at module top level it adds to every cold start and can exceed the startup CPU limit (Error 1104): import it inside the handler that needs it", fixes...)
	}
}

// onlyUsedInFunctions reports whether the names an import binds are used
// only inside the entry handler, so moving the import there is safe.
func onlyUsedInFunctions(m *pyfacts.Module, imp *pyfacts.Import) bool {
	h := entryHandler(m)
	if h == nil {
		return false
	}
	name := imp.Alias
	if name == "" {
		name, _, _ = strings.Cut(imp.Module, ".")
	}
	ok := true
	m.Root.Walk(func(n *pyfacts.Node) bool {
		if !ok {
			return false
		}
		if n == imp.Stmt {
			return false
		}
		if n.Type == "identifier" && m.Text(n) == name && !(m.Start(n) >= m.Start(h.Body) && m.End(n) <= m.End(h.Body)) {
			if par := n.Parent; par != nil && par.Type == "attribute" && n.Field == "attribute" {
				return true
			}
			ok = false
		}
		return true
	})
	return ok
}
