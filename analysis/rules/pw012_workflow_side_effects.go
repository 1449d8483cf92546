package rules

import (
	"fmt"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

func init() {
	register(&Rule{
		Code: "PW012", Name: "workflow-io-outside-step", Severity: Warning, Targets: TargetPython,
		Summary: "I/O or non-determinism in WorkflowEntrypoint.run outside a @step.do function repeats or diverges on replay.",
		Check:   checkWorkflowSideEffects,
	})
}

// sideEffectCall names calls that do I/O or differ between runs.
func sideEffectCall(name string) (string, bool) {
	switch {
	case name == "workers.fetch", name == "js.fetch", name == "pyodide.http.pyfetch":
		return "fetch", true
	case strings.HasPrefix(name, "httpx."), strings.HasPrefix(name, "aiohttp."):
		return "HTTP", true
	case isRandomCall(name):
		return "randomness", true
	case name == "time.time", name == "time.time_ns", name == "time.monotonic",
		name == "datetime.datetime.now", name == "datetime.datetime.utcnow", name == "datetime.date.today":
		return "the current time", true
	}
	return "", false
}

// isGlobalFetch reports whether call is a bare fetch(...) that means the
// Workers global (the form the Python Workers guides show): not imported
// under another meaning, not a function or variable of the module, not a
// local of run().
func isGlobalFetch(m *pyfacts.Module, run *pyfacts.Func, call *pyfacts.Node) bool {
	fn := call.Child("function")
	if !fn.Is("identifier") || m.Text(fn) != "fetch" {
		return false
	}
	if _, imported := m.ImportedAs("fetch"); imported || m.Function("fetch") != nil || m.Class("fetch") != nil {
		return false // an import is judged by its resolved name; a def is the module's own
	}
	if run.Param("fetch") != nil || m.LastBinding(run, "fetch", m.Start(call)) != nil {
		return false
	}
	return true
}

// rootsInEnv reports whether a call's callee chain starts at a binding.
func rootsInEnv(call *pyfacts.Node, uses map[*pyfacts.Node]bool) bool {
	for n := call.Child("function"); n != nil; {
		if uses[n] {
			return true
		}
		switch n.Type {
		case "attribute":
			n = n.Child("object")
		case "call":
			n = n.Child("function")
		default:
			return false
		}
	}
	return false
}

func checkWorkflowSideEffects(p *Pass) {
	m := p.Module
	runs := workflowRuns(m)
	if len(runs) == 0 {
		return
	}
	uses := map[*pyfacts.Node]bool{}
	for _, u := range m.EnvUses {
		uses[u.Expr] = true
	}
	for _, wr := range runs {
		for _, call := range m.Calls {
			if p.Module.Start(call) < p.Module.Start(wr.run.Body) || p.Module.End(call) > p.Module.End(wr.run.Body) || wr.stepOf(call) != nil {
				continue
			}
			if fn := pyfacts.EnclosingFunc(call); fn != wr.run.Node {
				continue // a helper defined in run(), or a lambda: not judged
			}
			what := ""
			if rootsInEnv(call, uses) {
				what = "a binding call"
			} else if kind, ok := sideEffectCall(m.Callee(call)); ok {
				what = kind
			} else if isGlobalFetch(m, wr.run, call) {
				what = "fetch"
			} else {
				continue
			}
			stmt := pyfacts.Statement(call)
			var fixes []Fix
			if stmt != nil && stmt.Parent == wr.run.Body {
				fixes = p.pyFix("Move into a step", wrapInStep(p, wr, stmt)...)
			}
			p.ReportNode(call, what+" in Workflow run() outside a step re-runs on every replay and may differ each time; move it into a @"+wr.stepParam+".do function", fixes...)
		}
	}
}

// wrapInStep turns `x = expr` / `expr` directly in run() into a step
// function and an awaited call of it.
func wrapInStep(p *Pass, wr *workflowRun, stmt *pyfacts.Node) []textEdit {
	m := p.Module
	e := p.py()
	if !e.ownsLines(stmt) || strings.Contains(m.Text(stmt), "\n") {
		return nil
	}
	indent := e.lineIndent(p.Module.Start(stmt))
	line := m.Lines.Position(p.Module.Start(stmt)).Line + 1
	name := fmt.Sprintf("step_%d", line)
	var body, after string
	inner := stmt
	if len(stmt.Children) == 1 {
		inner = stmt.Children[0]
	}
	if inner.Type == "assignment" && inner.Child("left").Is("identifier") && inner.Child("type") == nil {
		target := m.Text(inner.Child("left"))
		name = "step_" + target
		body = "return " + m.Text(inner.Child("right"))
		after = target + " = await " + name + "()"
	} else {
		body = m.Text(stmt)
		after = "await " + name + "()"
	}
	text := "@" + wr.stepParam + ".do(\"" + strings.TrimPrefix(name, "step_") + "\")\n" +
		indent + "async def " + name + "():\n" +
		indent + "    " + body + "\n" +
		indent + after
	return []textEdit{{p.Module.Start(stmt), p.Module.End(stmt), text}}
}
