// Package dispatch runs one handler of a Worker locally, whatever its kind:
// fetch and scheduled in the engine, queue delivery, workflows, Durable
// Object calls and alarms against the simulated bindings of runtime/actors.
// The language server's run command and `pyworkers-lsp run` both call Run,
// so a lens and the CLI execute a handler the same way.
//
// It is a package of its own, not part of actors, because it is the front
// ends' entry (input defaults, one result shape), while actors implements
// what a running handler can reach; dispatch depends on actors, never the
// other way.
package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/handlers"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/assets"
)

// Origin is the scheme and host of the requests a local run sends, the
// address `wrangler dev` serves on.
const Origin = "http://localhost:8787"

// Run says which handler to run and with what input. Fields a kind does
// not use are ignored.
type Run struct {
	Kind handlers.Kind // "" runs nothing (with ResetState: only the reset)

	// Fetch and DurableFetch: the request. Method "" is GET, Path "" is /.
	Method  string
	Path    string // path and query
	Headers [][2]string
	Body    []byte

	Cron string    // Scheduled
	Now  time.Time // Scheduled's time, and what "due" means for Alarm; zero: now

	Queue string // Queue: the queue whose pending messages are delivered

	// Workflow: the workflow (binding, workflow name or class), the new
	// instance's id ("" a fresh one) and its JSON params.
	Workflow, Params string
	// Instance is the Workflow instance's id, or WorkflowEvent's target;
	// EventType and EventPayload (JSON) are the event sent.
	Instance, EventType, EventPayload string

	// DurableFetch and DurableRPC: the object (binding or class; Name as
	// idFromName, or ObjectID in hex), and DurableRPC's method and args.
	Binding, Name, ObjectID string
	RPCMethod               string
	Args                    []any

	AllAlarms bool // Alarm: fire every set alarm, not only the due ones

	// ResetState deletes the Worker's local state before the run.
	ResetState bool
}

// Outcome is what a run produced; which fields are set depends on the kind.
type Outcome struct {
	Kind   handlers.Kind
	Result *runtime.RunResult // Fetch, Scheduled, DurableFetch, DurableRPC
	Queue  *actors.QueueDelivery
	// Workflow is the instance after Workflow or WorkflowEvent.
	Workflow *actors.WorkflowResult
	Alarms   []actors.AlarmRun
}

// UsageError is a run that cannot start as asked (an unknown kind); the
// caller's input is wrong, not the Worker.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Request is the HTTP request of a Fetch or DurableFetch run.
func (r Run) Request() runtime.HTTPRequest {
	method, path := strings.ToUpper(r.Method), r.Path
	if method == "" {
		method = "GET"
	}
	if path == "" {
		path = "/"
	}
	return runtime.HTTPRequest{Method: method, URL: Origin + path, Headers: r.Headers, Body: r.Body}
}

// ParseHeader splits a "Name: value" header line, trimming both parts; ok
// is false without a colon.
func ParseHeader(line string) (name, value string, ok bool) {
	name, value, ok = strings.Cut(line, ":")
	return strings.TrimSpace(name), strings.TrimSpace(value), ok
}

// Do resets the local state when asked, then runs the handler with eng
// (which may be nil when r.Kind is "").
func Do(ctx context.Context, eng *runtime.Engine, spec runtime.WorkerSpec, r Run) (*Outcome, error) {
	if r.ResetState {
		if err := actors.ResetState(spec.ProjectDir, spec.Env); err != nil {
			return nil, fmt.Errorf("resetting the local state: %w", err)
		}
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	out := &Outcome{Kind: r.Kind}
	var err error
	switch r.Kind {
	case "":
		if !r.ResetState {
			return nil, &UsageError{"no handler kind given"}
		}
	case handlers.Fetch:
		// Static assets answer first, as on Cloudflare (runtime/assets).
		req := r.Request()
		res, served, aerr := assets.ServeFirst(spec, req)
		if served {
			out.Result = res
			break
		}
		out.Result, err = eng.RunFetch(ctx, spec, req)
		if aerr != nil && out.Result != nil {
			out.Result.Warnings = append(out.Result.Warnings, "assets: "+aerr.Error()+" (nothing is served from it)")
		}
	case handlers.Scheduled:
		out.Result, err = eng.RunScheduled(ctx, spec, r.Cron, now)
	case handlers.Queue:
		out.Queue, err = actors.DeliverQueue(ctx, eng, spec, r.Queue)
	case handlers.Workflow:
		out.Workflow, err = actors.StartWorkflow(ctx, eng, spec, r.Workflow, r.Instance, r.Params)
	case handlers.WorkflowEvent:
		out.Workflow, err = actors.SendWorkflowEvent(ctx, eng, spec, r.Instance, r.EventType, r.EventPayload)
	case handlers.DurableFetch, handlers.DurableRPC:
		call := actors.DurableObjectCall{Binding: r.Binding, Name: r.Name, ID: r.ObjectID}
		if r.Kind == handlers.DurableFetch {
			req := r.Request()
			call.Request = &req
		} else {
			call.Method, call.Args = r.RPCMethod, r.Args
		}
		out.Result, err = actors.CallDurableObject(ctx, eng, spec, call)
	case handlers.Alarm:
		out.Alarms, err = actors.FireAlarms(ctx, eng, spec, now, r.AllAlarms)
	default:
		return nil, &UsageError{"unknown handler kind " + string(r.Kind)}
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Describe is a one-line account of what r runs: "GET /items",
// `COUNTER.getByName("a").increment(2)`.
func (r Run) Describe() string {
	req := r.Request()
	path := strings.TrimPrefix(req.URL, Origin)
	switch r.Kind {
	case handlers.Fetch:
		return req.Method + " " + path
	case handlers.Scheduled:
		return "scheduled " + r.Cron
	case handlers.Queue:
		return "queue " + r.Queue
	case handlers.Workflow:
		return "workflow " + r.Workflow
	case handlers.WorkflowEvent:
		return fmt.Sprintf("event %s to workflow instance %s", r.EventType, r.Instance)
	case handlers.DurableFetch:
		return fmt.Sprintf("%s.getByName(%q).fetch %s %s", r.Binding, r.Name, req.Method, path)
	case handlers.DurableRPC:
		args := make([]string, len(r.Args))
		for i, a := range r.Args {
			b, _ := json.Marshal(a)
			args[i] = string(b)
		}
		return fmt.Sprintf("%s.getByName(%q).%s(%s)", r.Binding, r.Name, r.RPCMethod, strings.Join(args, ", "))
	case handlers.Alarm:
		if r.Binding != "" {
			return "alarms of " + r.Binding
		}
		return "alarms"
	}
	return string(r.Kind)
}

// RunResult is the outcome as one run result: a queue delivery, workflow
// instance or alarm round becomes output lines (and warnings when nothing
// happened), added to the handler's own output.
func (o *Outcome) RunResult() *runtime.RunResult {
	switch {
	case o.Queue != nil:
		return queueResult(o.Queue)
	case o.Workflow != nil:
		return workflowResult(o.Workflow)
	case o.Kind == handlers.Alarm:
		return alarmResult(o.Alarms)
	case o.Result != nil:
		return o.Result
	}
	return &runtime.RunResult{}
}

func queueResult(d *actors.QueueDelivery) *runtime.RunResult {
	res := &runtime.RunResult{}
	if d.Result != nil {
		res = d.Result
	}
	if len(d.Messages) == 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("no pending messages in queue %q (send some with the Queue binding first)", d.Queue))
	}
	for _, m := range d.Messages {
		res.Logs = append(res.Logs, runtime.LogLine{Stream: "queue", Text: fmt.Sprintf("message %s: %s (attempt %d)", m.ID, m.Outcome, m.Attempts)})
	}
	res.Logs = append(res.Logs, runtime.LogLine{Stream: "queue", Text: fmt.Sprintf("%d message(s) left in %s", d.Left, d.Queue)})
	return res
}

func workflowResult(wr *actors.WorkflowResult) *runtime.RunResult {
	res := &runtime.RunResult{}
	if wr.Result != nil {
		res = wr.Result
	}
	out, _ := json.Marshal(wr.Output)
	res.Logs = append(res.Logs, runtime.LogLine{Stream: "workflow", Text: fmt.Sprintf("instance %s: %s; executed %v, replayed %v; output %s", wr.ID, wr.Status, wr.Executed, wr.Replayed, out)})
	if wr.Error != "" && res.Error == nil {
		res.Error = &runtime.RunError{Kind: "exception", Message: wr.Error}
	}
	return res
}

func alarmResult(runs []actors.AlarmRun) *runtime.RunResult {
	res := &runtime.RunResult{}
	if len(runs) == 0 {
		res.Warnings = append(res.Warnings, "no alarm is set (call ctx.storage.setAlarm first)")
	}
	for _, a := range runs {
		if a.Result != nil {
			res.Logs = append(res.Logs, a.Result.Logs...)
			res.Duration += a.Result.Duration
			if a.Result.Error != nil && res.Error == nil {
				res.Error = a.Result.Error
			}
		}
		res.Logs = append(res.Logs, runtime.LogLine{Stream: "alarm", Text: fmt.Sprintf("%s %s: alarm() called", a.Class, a.Name)})
	}
	return res
}
