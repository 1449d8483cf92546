package rules

import (
	"sort"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

// workflowRun is the run() method of a WorkflowEntrypoint class with the
// step functions defined in it.
type workflowRun struct {
	m         *pyfacts.Module
	class     *pyfacts.Class
	run       *pyfacts.Func
	stepParam string // the name run() receives the step object as
	steps     []*stepFunc
}

// stepFunc is a function decorated with @step.do(...).
type stepFunc struct {
	f    *pyfacts.Func
	call *pyfacts.Node // the step.do(...) call; nil for a bare @step.do
}

// workflowRuns finds the run() methods of the module's Workflow classes.
func workflowRuns(m *pyfacts.Module) []*workflowRun {
	var out []*workflowRun
	for _, c := range m.Classes {
		if !c.HasBase("WorkflowEntrypoint") {
			continue
		}
		run := c.Method("run")
		if run == nil || run.Body == nil {
			continue
		}
		wr := &workflowRun{m: m, class: c, run: run, stepParam: "step"}
		if len(run.Params) >= 3 {
			wr.stepParam = run.Params[2].Name
		}
		for _, f := range m.AllFuncs() {
			if m.Start(f.Node) < m.Start(run.Body) || m.End(f.Node) > m.End(run.Body) {
				continue
			}
			for _, dec := range f.Decorators {
				if m.DecoratorName(dec) != wr.stepParam+".do" {
					continue
				}
				sf := &stepFunc{f: f}
				if e := dec.NamedChildren(); len(e) > 0 && e[0].Type == "call" {
					sf.call = e[0]
				}
				wr.steps = append(wr.steps, sf)
			}
		}
		sort.Slice(wr.steps, func(i, j int) bool { return m.Start(wr.steps[i].f.Node) < m.Start(wr.steps[j].f.Node) })
		out = append(out, wr)
	}
	return out
}

// stepOf returns the step function whose body holds n, or nil.
func (wr *workflowRun) stepOf(n *pyfacts.Node) *stepFunc {
	for _, s := range wr.steps {
		if wr.m.Start(n) >= wr.m.Start(s.f.Node) && wr.m.End(n) <= wr.m.End(s.f.Node) {
			return s
		}
	}
	return nil
}
