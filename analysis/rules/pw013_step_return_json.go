package rules

import (
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

func init() {
	register(&Rule{
		Code: "PW013", Name: "step-returns-non-json", Severity: Error, Targets: TargetPython,
		Summary: "A step returns a value that is not JSON-like (datetime, tuple, set, bytes, class instance, awaitable) and cannot cross to JS.",
		Check:   checkStepReturn,
	})
}

func checkStepReturn(p *Pass) {
	m := p.Module
	runs := workflowRuns(m)
	if len(runs) == 0 {
		return
	}
	asyncFuncs := map[string]bool{}
	for _, f := range m.AllFuncs() {
		if f.Async && f.Class == nil {
			asyncFuncs[f.Name] = true
		}
	}
	for _, wr := range runs {
		for _, ret := range m.Returns {
			sf := wr.stepOf(ret)
			if sf == nil || pyfacts.EnclosingFunc(ret) != sf.f.Node {
				continue
			}
			vals := ret.NamedChildren()
			if len(vals) != 1 {
				continue
			}
			checkStepValue(p, sf, vals[0].Unparen(), vals[0], asyncFuncs)
		}
	}
}

func checkStepValue(p *Pass, sf *stepFunc, v, written *pyfacts.Node, asyncFuncs map[string]bool) {
	m := p.Module
	src := m.Text(written)
	report := func(what string, sev Severity, fixes ...Fix) {
		d := p.ReportNode(written, "step "+sf.f.Name+" returns "+what+", which is not JSON-like and cannot be sent over RPC (TypeError on the way to the Workflow engine); return a dict, list, str, number, bool or None", fixes...)
		d.Severity = sev
	}
	switch v.Type {
	case "tuple", "expression_list":
		inner := src
		if v.Type == "tuple" {
			inner = strings.TrimSuffix(strings.TrimPrefix(m.Text(v), "("), ")")
		}
		report("a tuple", Error, p.pyFix("Return a list", textEdit{p.Module.Start(written), p.Module.End(written), "[" + strings.TrimSuffix(strings.TrimSpace(inner), ",") + "]"})...)
	case "set", "set_comprehension":
		report("a set", Error, p.pyFix("Return a list", textEdit{p.Module.Start(written), p.Module.End(written), "list(" + src + ")"})...)
	case "string", "concatenated_string":
		prefix := strings.ToLower(src[:min(2, len(src))])
		if strings.HasPrefix(prefix, "b") || strings.HasPrefix(prefix, "rb") {
			report("bytes", Error, p.pyFix("Return text", textEdit{p.Module.End(written), p.Module.End(written), ".decode()"})...)
		}
	case "call":
		name := m.Callee(v)
		fn := v.Child("function")
		switch {
		case strings.HasPrefix(name, "datetime.") && (strings.HasSuffix(name, ".now") || strings.HasSuffix(name, ".utcnow") || strings.HasSuffix(name, ".today") ||
			name == "datetime.datetime" || name == "datetime.date" || strings.HasSuffix(name, ".fromisoformat") || strings.HasSuffix(name, ".fromtimestamp")):
			report("a datetime", Error, p.pyFix("Return an ISO 8601 string", textEdit{p.Module.End(written), p.Module.End(written), ".isoformat()"})...)
		case name == "set", name == "frozenset", name == "tuple":
			report("a "+name, Error, p.pyFix("Return a list", textEdit{p.Module.Start(fn), p.Module.End(fn), "list"})...)
		case name == "bytes", name == "bytearray":
			report(name, Error)
		case fn.Is("identifier") && asyncFuncs[name]:
			var fixes []Fix
			if sf.f.Async {
				fixes = p.pyFix("Add await", textEdit{p.Module.Start(v), p.Module.Start(v), "await "})
			}
			report("a coroutine (the call is not awaited)", Error, fixes...)
		case fn.Is("identifier") && p.Module.Class(name) != nil:
			report("an instance of class "+name, Warning)
		}
	}
}
