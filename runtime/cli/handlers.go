package cli

// The run flags for handlers other than fetch and scheduled: queue delivery,
// Workflows, Durable Objects (RPC, fetch, alarms) and --reset-state, and how
// each outcome is printed. The runs go through runtime/dispatch, as the
// language server's lenses do.

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/handlers"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/dispatch"
)

type handlerFlags struct {
	queue                                  string
	workflow, params, id                   string
	workflowEvent, eventType, eventPayload string
	do, name, rpcMethod, args              string
	alarm, alarmAll, resetState            bool
}

func (h *handlerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&h.queue, "queue", "", "")
	fs.StringVar(&h.workflow, "workflow", "", "")
	fs.StringVar(&h.params, "params", "", "")
	fs.StringVar(&h.id, "id", "", "")
	fs.StringVar(&h.workflowEvent, "workflow-event", "", "")
	fs.StringVar(&h.do, "do", "", "")
	fs.StringVar(&h.name, "name", "", "")
	fs.StringVar(&h.args, "args", "", "")
	fs.BoolVar(&h.alarm, "alarm", false, "")
	fs.BoolVar(&h.alarmAll, "alarm-all", false, "")
	fs.BoolVar(&h.resetState, "reset-state", false, "")
}

// any reports whether a handler other than fetch/scheduled was asked for.
func (h *handlerFlags) any() bool {
	return h.queue != "" || h.workflow != "" || h.workflowEvent != "" || h.do != "" || h.alarm || h.alarmAll
}

// validate returns a usage error, or "".
func (h *handlerFlags) validate(scheduled, hasPath bool) string {
	modes := 0
	for _, on := range []bool{h.queue != "", h.workflow != "", h.workflowEvent != "", h.do != "", h.alarm || h.alarmAll, scheduled} {
		if on {
			modes++
		}
	}
	switch {
	case modes > 1:
		return "choose one of --queue, --workflow, --workflow-event, --do, --alarm and --scheduled"
	case (h.params != "") && h.workflow == "":
		return "--params goes with --workflow"
	case h.id != "" && h.workflow == "" && h.do == "":
		return "--id goes with --workflow or --do"
	case (h.name != "" || h.args != "") && h.do == "":
		return "--name and --args go with --do"
	case h.do != "" && h.name == "" && h.id == "":
		return "--do needs --name NAME or --id HEX"
	case h.do != "" && h.rpcMethod != "" && hasPath:
		return "--do: give an RPC --method or a PATH for fetch, not both"
	case h.args != "" && h.rpcMethod == "":
		return "--args goes with --method"
	case hasPath && (h.queue != "" || h.workflow != "" || h.alarm || h.alarmAll):
		return "a PATH goes with fetch (or --do fetch) only"
	case h.params != "" && !json.Valid([]byte(h.params)):
		return "--params is not valid JSON"
	case h.eventPayload != "" && !json.Valid([]byte(h.eventPayload)):
		return "the event payload is not valid JSON"
	}
	if h.args != "" {
		var list []any
		if err := json.Unmarshal([]byte(h.args), &list); err != nil {
			return "--args must be a JSON list, e.g. '[1, \"a\"]'"
		}
	}
	return ""
}

// fill sets the run's kind and input from the handler flags.
func (h *handlerFlags) fill(r *dispatch.Run) {
	switch {
	case h.queue != "":
		r.Kind, r.Queue = handlers.Queue, h.queue
	case h.workflow != "":
		r.Kind, r.Workflow, r.Instance, r.Params = handlers.Workflow, h.workflow, h.id, h.params
	case h.workflowEvent != "":
		r.Kind, r.Instance, r.EventType, r.EventPayload = handlers.WorkflowEvent, h.workflowEvent, h.eventType, h.eventPayload
	case h.do != "":
		r.Kind, r.Binding, r.Name, r.ObjectID = handlers.DurableFetch, h.do, h.name, h.id
		if h.rpcMethod != "" {
			r.Kind, r.RPCMethod = handlers.DurableRPC, h.rpcMethod
			if h.args != "" {
				_ = json.Unmarshal([]byte(h.args), &r.Args) // validate checked it
			}
		}
	case h.alarm || h.alarmAll:
		r.Kind, r.AllAlarms = handlers.Alarm, h.alarmAll
	}
}

// printOutcome prints a run: a response like curl -i on stdout, or a
// line per message, step or alarm; the handler's output on stderr. It
// returns the exit status.
func printOutcome(o *dispatch.Outcome, stdout, stderr io.Writer) int {
	switch o.Kind {
	case handlers.Queue:
		d := o.Queue
		code := 0
		if d.Result != nil {
			code = reportLogs(d.Result, stderr)
		}
		for _, m := range d.Messages {
			fmt.Fprintf(stdout, "%s attempts=%d %s\n", m.ID, m.Attempts, m.Outcome)
		}
		fmt.Fprintf(stdout, "queue %s: %d delivered, %d left\n", d.Queue, len(d.Messages), d.Left)
		return code
	case handlers.Workflow, handlers.WorkflowEvent:
		return reportWorkflow(o.Workflow, stdout, stderr)
	case handlers.DurableRPC:
		code := reportLogs(o.Result, stderr)
		if code == 0 {
			b, _ := json.Marshal(o.Result.Value)
			fmt.Fprintf(stdout, "%s\n", b)
		}
		return code
	case handlers.Alarm:
		code := 0
		for _, a := range o.Alarms {
			if reportLogs(a.Result, stderr) != 0 {
				code = 1
			}
			who := a.ID
			if a.Name != "" {
				who = a.Name + " (" + a.ID[:12] + "…)"
			}
			status := "ok"
			if a.Result.Error != nil {
				status = "raised (the alarm stays set)"
			}
			fmt.Fprintf(stdout, "%s %s: alarm of %s %s\n", a.Class, who, a.ScheduledTime.Format(time.RFC3339), status)
		}
		if len(o.Alarms) == 0 {
			fmt.Fprintln(stdout, "no alarms due")
		}
		return code
	}
	return report(o.Result, stdout, stderr)
}

// reportLogs prints warnings, output and the error of a run on stderr.
func reportLogs(res *runtime.RunResult, stderr io.Writer) int {
	res2 := *res
	res2.Status = 0
	return report(&res2, io.Discard, stderr)
}

func reportWorkflow(wr *actors.WorkflowResult, stdout, stderr io.Writer) int {
	if wr.Result != nil {
		// run()'s exception is the instance's error, printed below.
		res := *wr.Result
		res.Error = nil
		reportLogs(&res, stderr)
	}
	fmt.Fprintf(stdout, "workflow %s instance %s: %s\n", wr.Workflow, wr.ID, wr.Status)
	if len(wr.Replayed) > 0 {
		fmt.Fprintf(stdout, "replayed steps: %s\n", strings.Join(wr.Replayed, ", "))
	}
	if len(wr.Executed) > 0 {
		fmt.Fprintf(stdout, "ran steps: %s\n", strings.Join(wr.Executed, ", "))
	}
	switch wr.Status {
	case actors.StatusComplete:
		b, _ := json.Marshal(wr.Output)
		fmt.Fprintf(stdout, "output: %s\n", b)
	case actors.StatusWaiting:
		fmt.Fprintf(stdout, "waiting for event %q: pyworkers-lsp run --workflow-event %s %s '<JSON payload>'\n", wr.WaitingFor, wr.ID, wr.WaitingFor)
	case actors.StatusErrored:
		fmt.Fprintf(stdout, "error: %s\n", wr.Error)
		if wr.Result != nil && wr.Result.Error != nil && wr.Result.Error.Traceback != "" {
			fmt.Fprint(stderr, strings.TrimRight(wr.Result.Error.Traceback, "\n")+"\n")
		}
		return 1
	}
	return 0
}
