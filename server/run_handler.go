package server

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

// runHandler executes a lens: it runs the handler in the embedded runtime,
// writes the full result to a file in the project's state folder and shows
// it, with a one-line summary.
func runHandler(ctx context.Context, s *Server, snap *Snapshot, raw json.RawMessage) (any, error) {
	var list []RunArgs
	if err := json.Unmarshal(raw, &list); err != nil || len(list) != 1 {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "pyworkers.runHandler takes one argument object")
	}
	args := list[0]
	path := uriToPath(args.URI)
	w := snap.WorkerFor(path)
	if w == nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "no wrangler config found for "+path)
	}
	env := snap.Env(w)
	spec, err := workerspec.FromEnvironment(w, env)
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	st := snap.Settings()
	if st.RunTimeoutSeconds > 0 {
		spec.Limits.WallClock = time.Duration(st.RunTimeoutSeconds * float64(time.Second))
	}
	if st.MemoryLimitMB > 0 {
		spec.Limits.Memory = uint64(st.MemoryLimitMB) << 20
	}
	spec.AllowNet = st.AllowNet

	prog := s.beginProgress("pyworkers: running " + args.Kind)
	defer prog.end("done")
	prog.report("waiting for the Python runtime", 0)
	eng, err := s.runtime.engineFor(ctx)
	if err != nil {
		return nil, err
	}
	prog.report("running", 50)
	var res *runtime.RunResult
	var request string
	switch args.Kind {
	case "fetch":
		method := args.Method
		if method == "" {
			method = "GET"
		}
		p := args.Path
		if p == "" {
			p = "/"
		}
		req := runtime.HTTPRequest{Method: method, URL: "http://localhost:8787" + p, Body: []byte(args.Body)}
		for _, h := range args.Headers {
			if name, value, ok := strings.Cut(h, ":"); ok {
				req.Headers = append(req.Headers, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
			}
		}
		request = method + " " + p
		res, err = eng.RunFetch(ctx, spec, req)
	case "scheduled":
		request = "scheduled " + args.Cron
		res, err = eng.RunScheduled(ctx, spec, args.Cron, time.Now())
	case "queue":
		request = "queue " + args.Queue
		var d *actors.QueueDelivery
		if d, err = actors.DeliverQueue(ctx, eng, spec, args.Queue); err == nil {
			res = queueResult(d)
		}
	case "workflow":
		request = "workflow " + args.Workflow
		var wr *actors.WorkflowResult
		if wr, err = actors.StartWorkflow(ctx, eng, spec, args.Workflow, "", args.Params); err == nil {
			res = workflowResult(wr)
		}
	case "durable-fetch":
		request = fmt.Sprintf("%s.getByName(%q).fetch %s %s", args.Binding, args.Name, args.Method, args.Path)
		res, err = actors.CallDurableObject(ctx, eng, spec, actors.DurableObjectCall{Binding: args.Binding, Name: args.Name,
			Request: &runtime.HTTPRequest{Method: args.Method, URL: "http://localhost:8787" + args.Path}})
	case "durable-rpc":
		request = fmt.Sprintf("%s.getByName(%q).%s(%s)", args.Binding, args.Name, args.RPC, strings.Trim(args.Args, "[]"))
		var callArgs []any
		if args.Args != "" {
			if jerr := json.Unmarshal([]byte(args.Args), &callArgs); jerr != nil {
				return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "`# pyworkers: args` must be a JSON array: "+jerr.Error())
			}
		}
		res, err = actors.CallDurableObject(ctx, eng, spec, actors.DurableObjectCall{Binding: args.Binding, Name: args.Name, Method: args.RPC, Args: callArgs})
	case "alarm":
		request = "alarms of " + args.Class
		var runs []actors.AlarmRun
		if runs, err = actors.FireAlarms(ctx, eng, spec, time.Now(), true); err == nil {
			res = alarmResult(runs)
		}
	default:
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "unknown handler kind "+args.Kind)
	}
	if err != nil {
		s.showMessage(protocol.MessageTypeError, "pyworkers: "+err.Error())
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, err.Error())
	}
	summary := runSummary(args.Kind, res)
	for _, l := range res.Logs {
		s.notify("window/logMessage", &protocol.LogMessageParams{Type: protocol.MessageTypeLog, Message: "[" + l.Stream + "] " + l.Text})
	}
	report := formatRun(request, res)
	resultPath := filepath.Join(w.Dir, ".pyworkers", "results", args.Kind+".http")
	if err := writeResult(resultPath, report); err != nil {
		s.log.Warn("could not write the run result", "path", resultPath, "error", err)
		resultPath = ""
	}
	shown := false
	if s.client.showDocument && resultPath != "" {
		var out struct {
			Success bool `json:"success"`
		}
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := s.call(cctx, "window/showDocument", map[string]any{"uri": pathToURI(resultPath), "takeFocus": false}, &out)
		cancel()
		shown = err == nil && out.Success
	}
	if shown {
		s.showMessage(messageTypeFor(res.Error == nil), "pyworkers: "+summary)
	} else {
		s.showMessage(messageTypeFor(res.Error == nil), "pyworkers: "+summary+"\n\n"+report)
	}
	return map[string]any{"summary": summary, "status": res.Status, "resultFile": resultPath}, nil
}

// queueResult turns a delivery into a result whose output lists what
// happened to each message.
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
	if wr.WaitingFor != "" {
		res.Warnings = append(res.Warnings, fmt.Sprintf("waiting for event %q: send it with the pyworkers.sendWorkflowEvent command (instance %s)", wr.WaitingFor, wr.ID))
	}
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

// runSummary is the one-line outcome: "200 OK · 12 ms".
func runSummary(kind string, res *runtime.RunResult) string {
	ms := fmt.Sprintf("%d ms", res.Duration.Milliseconds())
	switch {
	case res.Error != nil && res.Status == 0:
		return fmt.Sprintf("%s failed (%s) · %s", kind, res.Error.Error(), ms)
	case res.Status != 0:
		return fmt.Sprintf("%d %s · %s", res.Status, res.StatusText, ms)
	}
	return kind + " completed · " + ms
}

// formatRun renders a run like `curl -i`, followed by the handler's output.
func formatRun(request string, res *runtime.RunResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s (%s)\n\n", request, res.Duration.Round(time.Millisecond))
	if res.Status != 0 {
		fmt.Fprintf(&b, "HTTP/1.1 %d %s\n", res.Status, res.StatusText)
		for _, h := range res.Headers {
			fmt.Fprintf(&b, "%s: %s\n", h.Name, h.Value)
		}
		b.WriteString("\n")
		b.Write(res.Body)
		if len(res.Body) > 0 && res.Body[len(res.Body)-1] != '\n' {
			b.WriteString("\n")
		}
	}
	if res.Value != nil {
		v, _ := json.MarshalIndent(res.Value, "", "  ")
		fmt.Fprintf(&b, "returned %s\n", v)
	}
	if res.Error != nil {
		fmt.Fprintf(&b, "\n### error (%s)\n%s\n", res.Error.Kind, res.Error.Error())
		if res.Error.Traceback != "" {
			b.WriteString(res.Error.Traceback)
			b.WriteString("\n")
		}
	}
	if len(res.Logs) > 0 {
		b.WriteString("\n### output\n")
		for _, l := range res.Logs {
			fmt.Fprintf(&b, "[%s] %s\n", l.Stream, l.Text)
		}
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(&b, "\n### warning\n%s\n", w)
	}
	return b.String()
}

// writeResult writes atomically, and keeps the state folder out of git.
func writeResult(path, text string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ignore := filepath.Join(filepath.Dir(dir), ".gitignore")
	if _, err := os.Stat(ignore); os.IsNotExist(err) {
		os.WriteFile(ignore, []byte("*\n"), 0o644)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
