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

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

// CommandRunHandler runs a handler from a code lens.
const CommandRunHandler = "pyworkers.runHandler"

func init() {
	registerRequest("textDocument/codeLens", codeLens, func(c *protocol.ServerCapabilities) {
		c.CodeLensProvider = &protocol.CodeLensOptions{}
	})
	registerCommand(CommandRunHandler, runHandler)
}

// RunArgs are a lens's command arguments: which handler, and the request.
type RunArgs struct {
	URI     protocol.DocumentURI `json:"uri"`
	Kind    string               `json:"kind"` // fetch | scheduled | queue | workflow | durable-fetch | durable-rpc | alarm
	Class   string               `json:"class,omitempty"`
	Method  string               `json:"method,omitempty"`
	Path    string               `json:"path,omitempty"`
	Headers []string             `json:"headers,omitempty"` // "Name: value"
	Body    string               `json:"body,omitempty"`
	Cron    string               `json:"cron,omitempty"`
	Queue   string               `json:"queue,omitempty"`
	// Workflow is the workflows binding; Params its JSON params.
	Workflow string `json:"workflow,omitempty"`
	Params   string `json:"params,omitempty"`
	// Binding, Name, RPC and Args pick a Durable Object and its method.
	Binding string `json:"binding,omitempty"`
	Name    string `json:"name,omitempty"`
	RPC     string `json:"rpc,omitempty"`
	Args    string `json:"args,omitempty"` // a JSON array
}

// requestSpec is one request chosen by `# pyworkers:` comments above a
// fetch handler:
//
//	# pyworkers: POST /items?draft=1
//	# pyworkers: header content-type: application/json
//	# pyworkers: body {"name": "x"}
//
// Several METHOD lines give several lenses; header and body lines apply to
// the METHOD line before them. Without comments the lens runs GET /.
type requestSpec struct {
	method, path string
	headers      []string
	body         string
}

// objectComments reads `# pyworkers: name NAME`, `# pyworkers: args [..]`
// and `# pyworkers: params {..}` above a Durable Object method or a
// workflow's run (defaults: name "default", args [], params null).
func objectComments(src string, offset int) (name, args, params string) {
	name, args = "default", "[]"
	lineStart := strings.LastIndexByte(src[:offset], '\n') + 1
	for end := lineStart - 1; end > 0; {
		start := strings.LastIndexByte(src[:end], '\n') + 1
		line := strings.TrimSpace(src[start:end])
		if !strings.HasPrefix(line, "#") {
			break
		}
		if rest, ok := strings.CutPrefix(strings.TrimSpace(strings.TrimPrefix(line, "#")), "pyworkers:"); ok {
			word, arg, _ := strings.Cut(strings.TrimSpace(rest), " ")
			switch word {
			case "name":
				name = strings.TrimSpace(arg)
			case "args":
				args = strings.TrimSpace(arg)
			case "params":
				params = strings.TrimSpace(arg)
			}
		}
		end = start - 1
	}
	return name, args, params
}

var httpMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true}

// requestComments reads the comment block directly above offset (the start
// of a def or its decorators).
func requestComments(src string, offset int) []requestSpec {
	lineStart := strings.LastIndexByte(src[:offset], '\n') + 1
	var lines []string
	for end := lineStart - 1; end > 0; {
		start := strings.LastIndexByte(src[:end], '\n') + 1
		line := strings.TrimSpace(src[start:end])
		if !strings.HasPrefix(line, "#") {
			break
		}
		lines = append([]string{line}, lines...)
		end = start - 1
	}
	var specs []requestSpec
	for _, l := range lines {
		rest, ok := strings.CutPrefix(strings.TrimSpace(strings.TrimPrefix(l, "#")), "pyworkers:")
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		word, arg, _ := strings.Cut(rest, " ")
		switch {
		case httpMethods[strings.ToUpper(word)]:
			path := strings.TrimSpace(arg)
			if path == "" {
				path = "/"
			}
			specs = append(specs, requestSpec{method: strings.ToUpper(word), path: path})
		case word == "header" && len(specs) > 0:
			specs[len(specs)-1].headers = append(specs[len(specs)-1].headers, strings.TrimSpace(arg))
		case word == "body" && len(specs) > 0:
			specs[len(specs)-1].body = strings.TrimSpace(arg)
		}
	}
	if len(specs) == 0 {
		specs = []requestSpec{{method: "GET", path: "/"}}
	}
	return specs
}

func codeLens(ctx context.Context, s *Server, snap *Snapshot, params json.RawMessage) (any, error) {
	var p protocol.CodeLensParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	lenses := []protocol.CodeLens{}
	doc := snap.Document(p.TextDocument.URI)
	if doc == nil || doc.Py == nil || doc.Py.TooLarge {
		return lenses, nil
	}
	w := snap.WorkerFor(doc.Path)
	if w == nil {
		return lenses, nil
	}
	env := snap.Env(w)
	m := facts.get(doc.Path, doc.Py)
	lens := func(f *pyfacts.Func, title string, args RunArgs) {
		args.URI = doc.URI
		r := lspRange(doc.Lines(), f.NameNode.Start, f.NameNode.End)
		lenses = append(lenses, protocol.CodeLens{Range: r, Command: &protocol.Command{
			Title: title, Command: CommandRunHandler, Arguments: []any{args},
		}})
	}
	handlers := func(class string, fetch, scheduled *pyfacts.Func) {
		if fetch != nil {
			for _, spec := range requestComments(doc.Text(), fetch.Outer().Start) {
				title := "▶ Run fetch"
				if spec.method != "GET" || spec.path != "/" {
					title = fmt.Sprintf("▶ Run fetch (%s %s)", spec.method, spec.path)
				}
				lens(fetch, title, RunArgs{Kind: "fetch", Class: class, Method: spec.method, Path: spec.path, Headers: spec.headers, Body: spec.body})
			}
		}
		if scheduled != nil {
			crons := env.Crons
			if len(crons) == 0 {
				lens(scheduled, "▶ Run scheduled", RunArgs{Kind: "scheduled", Class: class, Cron: "* * * * *"})
			}
			for _, c := range crons {
				lens(scheduled, fmt.Sprintf("▶ Run scheduled (%s)", c.Expr), RunArgs{Kind: "scheduled", Class: class, Cron: c.Expr})
			}
		}
	}
	var consumers []string
	if qs := env.Block.Path("queues", "consumers"); qs != nil {
		for _, it := range qs.Items {
			if q := it.Get("queue").String(); q != "" {
				consumers = append(consumers, q)
			}
		}
	}
	for _, c := range m.Classes {
		if !c.TopLevel {
			continue
		}
		switch {
		case c.HasBase("WorkerEntrypoint"):
			handlers(c.Name, c.Method("fetch"), c.Method("scheduled"))
			if q := c.Method("queue"); q != nil {
				for _, name := range consumers {
					lens(q, fmt.Sprintf("▶ Deliver queue messages (%s)", name), RunArgs{Kind: "queue", Class: c.Name, Queue: name})
				}
			}
		case c.HasBase("WorkflowEntrypoint"):
			if run := c.Method("run"); run != nil {
				_, _, params := objectComments(doc.Text(), run.Outer().Start)
				for _, b := range env.BindingsOf("Workflow") {
					if b.Field("class_name") == c.Name {
						lens(run, fmt.Sprintf("▶ Start workflow (%s)", b.Name), RunArgs{Kind: "workflow", Class: c.Name, Workflow: b.Name, Params: params})
					}
				}
			}
		case c.HasBase("DurableObject"):
			var binding string
			for _, b := range env.BindingsOf("DurableObjectNamespace") {
				if b.Field("class_name") == c.Name {
					binding = b.Name
					break
				}
			}
			if binding == "" {
				continue // not bound in this environment: nothing can reach it
			}
			for _, meth := range c.Methods {
				name, args, _ := objectComments(doc.Text(), meth.Outer().Start)
				switch {
				case meth.Name == "fetch":
					lens(meth, fmt.Sprintf("▶ Run Durable Object fetch (%s)", name), RunArgs{Kind: "durable-fetch", Class: c.Name, Binding: binding, Name: name, Method: "GET", Path: "/"})
				case meth.Name == "alarm":
					lens(meth, "▶ Fire due alarms", RunArgs{Kind: "alarm", Class: c.Name, Binding: binding})
				case !strings.HasPrefix(meth.Name, "_") && !durableHandlerNames[meth.Name]:
					lens(meth, fmt.Sprintf("▶ Call %s(%s) on %s", meth.Name, strings.Trim(args, "[]"), name), RunArgs{Kind: "durable-rpc", Class: c.Name, Binding: binding, Name: name, RPC: meth.Name, Args: args})
				}
			}
		}
	}
	// Legacy module-level handlers.
	var onFetch, onScheduled *pyfacts.Func
	for _, f := range m.Functions {
		switch f.Name {
		case "on_fetch":
			onFetch = f
		case "on_scheduled":
			onScheduled = f
		}
	}
	handlers("", onFetch, onScheduled)
	return lenses, nil
}

// durableHandlerNames are the runtime's own Durable Object handlers, which
// are not RPC methods.
var durableHandlerNames = map[string]bool{"webSocketMessage": true, "webSocketClose": true, "webSocketError": true}

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
