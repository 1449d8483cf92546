package rules

import (
	"sort"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

func init() {
	register(&Rule{
		Code: "PW001", Name: "global-handler", Severity: Error, Targets: TargetPython,
		Summary: "A module-level on_fetch/on_scheduled/on_queue handler is ignored from 2025-08-14; use class Default(WorkerEntrypoint).",
		Check:   checkGlobalHandler,
	})
}

func checkGlobalHandler(p *Pass) {
	if !p.checksMain() {
		checkHandlerElsewhere(p)
		return
	}
	handlers := p.Module.LegacyHandlers()
	if len(handlers) == 0 {
		return
	}
	fixes := legacyToClassFix(p, handlers)
	ignored := p.enabled("python_no_global_handlers")
	for _, h := range handlers {
		method := pyfacts.LegacyHandlerNames[h.Name]
		if ignored {
			p.ReportNode(h.NameNode, "module-level handler "+h.Name+" is never called: from compatibility date 2025-08-14 (python_no_global_handlers) the runtime only calls entrypoint classes; define "+method+" on class Default(WorkerEntrypoint)", fixes...)
		} else {
			d := p.ReportNode(h.NameNode, "module-level handler "+h.Name+" is deprecated: it stops being called from compatibility date 2025-08-14 (python_no_global_handlers); define "+method+" on class Default(WorkerEntrypoint)", fixes...)
			d.Severity = Warning
			d.Tags = []string{TagDeprecated}
		}
	}
}

// checkHandlerElsewhere reports legacy handlers marked with @handler in a
// module other than main. The runtime only ever looked for module-level
// handlers in the main module, and from 2025-08-14 not even there; one the
// main module imports is judged as if it were defined there. Without the
// decorator an on_fetch outside main is an ordinary function.
func checkHandlerElsewhere(p *Pass) {
	main := p.MainModule()
	for _, h := range p.Module.LegacyHandlers() {
		if !hasHandlerDecorator(p.Module, h) {
			continue
		}
		method := pyfacts.LegacyHandlerNames[h.Name]
		reexported := false
		if main != nil {
			full, ok := main.ImportedAs(h.Name)
			reexported = ok && (full == h.Name || strings.HasSuffix(full, "."+h.Name))
		}
		switch {
		case !reexported:
			p.ReportNode(h.NameNode, "@handler "+h.Name+" is never called: this is not the main module ("+p.Env.Main+"), and the runtime only calls entrypoint classes; define "+method+" on class Default(WorkerEntrypoint) in the main module")
		case p.enabled("python_no_global_handlers"):
			p.ReportNode(h.NameNode, "@handler "+h.Name+" (imported into the main module) is never called: from compatibility date 2025-08-14 (python_no_global_handlers) the runtime only calls entrypoint classes; define "+method+" on class Default(WorkerEntrypoint)")
		default:
			d := p.ReportNode(h.NameNode, "@handler "+h.Name+" (imported into the main module) is deprecated: it stops being called from compatibility date 2025-08-14 (python_no_global_handlers); define "+method+" on class Default(WorkerEntrypoint)")
			d.Severity = Warning
			d.Tags = []string{TagDeprecated}
		}
	}
}

// hasHandlerDecorator reports whether f is decorated with workers' handler.
func hasHandlerDecorator(m *pyfacts.Module, f *pyfacts.Func) bool {
	for _, dec := range f.Decorators {
		if name := m.DecoratorName(dec); name == "workers.handler" || name == "handler" {
			return true
		}
	}
	return false
}

// legacyToClassFix rewrites every legacy handler of the module into one
// `class Default(WorkerEntrypoint)`: on_fetch(request, env, ctx) becomes
// fetch(self, request), and env/ctx in the body become self.env/self.ctx.
func legacyToClassFix(p *Pass, handlers []*pyfacts.Func) []Fix {
	m := p.Module
	if m.Class("Default") != nil {
		return nil // PW027: the class exists; merging is for the user to decide
	}
	e := p.py()
	sort.Slice(handlers, func(i, j int) bool { return m.Start(handlers[i].Node) < m.Start(handlers[j].Node) })
	var methods []string
	for _, h := range handlers {
		methods = append(methods, legacyMethodText(m, h))
	}
	class := "class Default(WorkerEntrypoint):\n" + strings.Join(methods, "\n")
	var edits []textEdit
	for i, h := range handlers {
		start, end := e.lineRange(m.Start(h.Outer()), m.End(h.Outer()))
		if i == 0 {
			edits = append(edits, textEdit{start, end, class})
			continue
		}
		// Take the blank lines above a removed handler with it.
		for start > 0 && start >= 2 && m.Src[start-2] == '\n' {
			start--
		}
		edits = append(edits, textEdit{start, end, ""})
	}
	edits = append(e.addImport("workers", "WorkerEntrypoint"), edits...)
	return p.newFix("Convert to class Default(WorkerEntrypoint)").add(p.Path, edits...).preferred().fixes()
}

// legacyMethodText renders one legacy handler as a method of Default.
func legacyMethodText(m *pyfacts.Module, h *pyfacts.Func) string {
	method := pyfacts.LegacyHandlerNames[h.Name]
	params := "self"
	rename := map[string]string{}
	for i, prm := range h.Params {
		switch i {
		case 0:
			params += ", " + prm.Name
		case 1:
			rename[prm.Name] = "self.env"
		case 2:
			rename[prm.Name] = "self.ctx"
		}
	}
	def := "def "
	if h.Async {
		def = "async def "
	}
	if h.Body == nil {
		return "    " + def + method + "(" + params + "):\n        pass\n"
	}
	bodyStart := lineStartOf(m.Src, m.Start(h.Body))
	bodyEnd := m.End(h.Body)
	// Replace the env/ctx parameter names where they are used as values.
	type rep struct {
		start, end int
		text       string
	}
	var reps []rep
	h.Body.Walk(func(n *pyfacts.Node) bool {
		if n.Type != "identifier" {
			return true
		}
		to, ok := rename[m.Text(n)]
		if !ok {
			return true
		}
		if par := n.Parent; par != nil && (par.Type == "attribute" && n.Field == "attribute" || par.Type == "keyword_argument" && n.Field == "name") {
			return true
		}
		reps = append(reps, rep{m.Start(n), m.End(n), to})
		return true
	})
	body := m.Src[bodyStart:bodyEnd]
	for i := len(reps) - 1; i >= 0; i-- {
		r := reps[i]
		body = body[:r.start-bodyStart] + r.text + body[r.end-bodyStart:]
	}
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = "    " + l
		}
	}
	return "    " + def + method + "(" + params + "):\n" + strings.Join(lines, "\n") + "\n"
}
