package rules

import (
	"fmt"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

func init() {
	register(&Rule{
		Code: "PW014", Name: "step-parameters", Severity: Error, Targets: TargetPython,
		Summary: "Step function parameters must name earlier steps or ctx (implicit mode), or match len(depends) (legacy mode).",
		Check:   checkStepParameters,
	})
}

func checkStepParameters(p *Pass) {
	implicit := p.enabled("python_workflows_implicit_dependencies")
	for _, wr := range workflowRuns(p.Module) {
		for i, sf := range wr.steps {
			var earlier []string
			for _, prev := range wr.steps[:i] {
				earlier = append(earlier, prev.f.Name)
			}
			if implicit {
				checkImplicitParams(p, sf, earlier)
			} else {
				checkLegacyParams(p, wr, sf, earlier)
			}
		}
	}
}

func checkImplicitParams(p *Pass, sf *stepFunc, earlier []string) {
	for _, prm := range sf.f.Params {
		if prm.Name == "ctx" || contains(earlier, prm.Name) {
			continue
		}
		var fixes []Fix
		if best, ok := closest(prm.Name, earlier); ok {
			fixes = p.pyFix("Rename to "+best, renameInFunc(p.Module, sf.f, prm.Name, best)...)
		}
		p.ReportNode(prm.Node, "parameter "+prm.Name+" of step "+sf.f.Name+" is neither ctx nor the name of an earlier step: the step fails with \"TypeError: Received unexpected parameter "+prm.Name+"\" (implicit dependencies, compatibility date 2026-02-25 or later)", fixes...)
	}
}

func checkLegacyParams(p *Pass, wr *workflowRun, sf *stepFunc, earlier []string) {
	var params []string
	for _, prm := range sf.f.Params {
		if prm.Name != "ctx" {
			params = append(params, prm.Name)
		}
	}
	depends, dependsNode := -1, (*pyfacts.Node)(nil)
	if sf.call != nil {
		args := sf.call.Child("arguments").NamedChildren()
		positional := 0
		for _, a := range args {
			if a.Type == "keyword_argument" {
				if p.Module.Text(a.Child("name")) == "depends" {
					dependsNode = a.Child("value")
				}
				continue
			}
			positional++
			if positional == 2 {
				dependsNode = a
			}
		}
	}
	switch {
	case dependsNode == nil || dependsNode.Type == "none":
		depends = 0
	case dependsNode.Type == "list" || dependsNode.Type == "tuple":
		depends = len(dependsNode.NamedChildren())
	default:
		return // computed: cannot tell
	}
	if depends == len(params) {
		return
	}
	ps := sf.f.Node.Child("parameters")
	var fixes []Fix
	if dependsNode == nil && sf.call != nil && allIn(params, earlier) {
		args := sf.call.Child("arguments")
		sep := ", "
		if len(args.NamedChildren()) == 0 {
			sep = ""
		}
		fixes = p.pyFix("Add depends=["+strings.Join(params, ", ")+"]", textEdit{p.Module.End(args) - 1, p.Module.End(args) - 1, sep + "depends=[" + strings.Join(params, ", ") + "]"})
	}
	p.ReportNode(ps, fmt.Sprintf("step %s takes %d parameter(s) besides ctx but depends lists %d step(s): before compatibility date 2026-02-25 the counts must match", sf.f.Name, len(params), depends), fixes...)
}

// renameInFunc renames a parameter and its uses inside one function.
func renameInFunc(m *pyfacts.Module, f *pyfacts.Func, from, to string) []textEdit {
	var edits []textEdit
	f.Node.Walk(func(n *pyfacts.Node) bool {
		if n.Type == "identifier" && m.Text(n) == from {
			if par := n.Parent; par != nil && (par.Type == "attribute" && n.Field == "attribute" || par.Type == "keyword_argument" && n.Field == "name") {
				return true
			}
			if n == f.NameNode {
				return true
			}
			edits = append(edits, textEdit{m.Start(n), m.End(n), to})
		}
		return true
	})
	return edits
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func allIn(list, set []string) bool {
	for _, x := range list {
		if !contains(set, x) {
			return false
		}
	}
	return true
}
