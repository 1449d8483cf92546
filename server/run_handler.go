package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/handlers"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/dispatch"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

// runHandler executes a lens: it runs the handler in the embedded runtime,
// writes the full result to a file in the project's state folder and shows
// it, with a one-line summary.
func runHandler(ctx context.Context, s *Server, snap *Snapshot, raw json.RawMessage) (any, error) {
	args, err := decodeRunArgs(snap, raw)
	if err != nil {
		s.showMessage(protocol.MessageTypeError, err.Error())
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
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
	run, err := args.run()
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	out, err := dispatch.Do(ctx, eng, spec, run)
	var usage *dispatch.UsageError
	if errors.As(err, &usage) {
		s.showMessage(protocol.MessageTypeError, usage.Msg) // Helix only logs a failed command
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, usage.Msg)
	}
	if err != nil {
		s.showMessage(protocol.MessageTypeError, err.Error())
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, err.Error())
	}
	res := out.RunResult()
	if wr := out.Workflow; wr != nil && wr.WaitingFor != "" {
		res.Warnings = append(res.Warnings, fmt.Sprintf("waiting for event %q: send it with the %s command (instance %s)", wr.WaitingFor, CommandSendWorkflowEvent, wr.ID))
	}
	request := run.Describe()
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
	if resultPath != "" && s.showResultDocument(resultPath) {
		s.showMessage(messageTypeFor(res.Error == nil), summary)
	} else {
		s.showMessage(messageTypeFor(res.Error == nil), summary+"\n\n"+report)
	}
	return map[string]any{"summary": summary, "status": res.Status, "resultFile": resultPath}, nil
}

// runHandlerUsage is said when the command gets no handler to run: typed
// by hand (Helix's :lsp-workspace-command) rather than sent by a lens or a
// code action.
const runHandlerUsage = CommandRunHandler + ` needs the handler to run: use the code action "▶ Run …" on the handler (Helix: space a), or pass {"uri": "file:///…/entry.py", "kind": "fetch"} or the file's URI`

// decodeRunArgs reads the command's arguments in the shapes clients send:
// [RunArgs] from a lens or code action; typed by hand, a document URI
// alone or RunArgs with only uri, which run that file's first handler, or
// the URI and a kind (a fetch then sends GET /).
func decodeRunArgs(snap *Snapshot, raw json.RawMessage) (RunArgs, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 || len(list) > 2 {
		return RunArgs{}, errors.New(runHandlerUsage)
	}
	var args RunArgs
	var uri string
	if json.Unmarshal(list[0], &uri) == nil {
		args.URI = protocol.DocumentURI(uri)
		if len(list) == 2 && json.Unmarshal(list[1], &args.Kind) != nil {
			return RunArgs{}, errors.New(runHandlerUsage)
		}
	} else if json.Unmarshal(list[0], &args) != nil || len(list) != 1 {
		return RunArgs{}, errors.New(runHandlerUsage)
	}
	if args.URI == "" {
		return RunArgs{}, errors.New(runHandlerUsage)
	}
	if args.Kind != "" {
		return args, nil // a lens's or code action's own arguments, or a kind given by hand
	}
	return firstHandler(snap, args.URI)
}

// firstHandler is the run of an open document's first handler.
func firstHandler(snap *Snapshot, uri protocol.DocumentURI) (RunArgs, error) {
	doc := snap.Document(uri)
	if doc == nil || doc.Py() == nil {
		return RunArgs{}, fmt.Errorf("%s: %s is not an open Python file", CommandRunHandler, uri)
	}
	w := snap.WorkerFor(doc.Path)
	if w == nil {
		return RunArgs{}, fmt.Errorf("%s: no wrangler config found for %s", CommandRunHandler, doc.Path)
	}
	m := snap.facts.get(doc.Path, doc.Py())
	if hs := handlers.Find(m, doc.Text(), snap.Env(w)); len(hs) > 0 {
		args := runArgs(hs[0])
		args.URI = doc.URI
		return args, nil
	}
	return RunArgs{}, fmt.Errorf("%s: %s has no handler that can run here", CommandRunHandler, doc.Path)
}

// showResultDocument asks the client to show a result file beside the
// code; false when it cannot (no window/showDocument) or did not.
func (s *Server) showResultDocument(path string) bool {
	if !s.client.showDocument {
		return false
	}
	var out struct {
		Success bool `json:"success"`
	}
	cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.call(cctx, "window/showDocument", map[string]any{"uri": pathToURI(path), "takeFocus": false}, &out)
	return err == nil && out.Success
}

// run is the dispatcher's run for a lens's arguments.
func (a RunArgs) run() (dispatch.Run, error) {
	r := dispatch.Run{Kind: handlers.Kind(a.Kind), Method: a.Method, Path: a.Path, Cron: a.Cron, Queue: a.Queue,
		Workflow: a.Workflow, Params: a.Params, Binding: a.Binding, Name: a.Name, RPCMethod: a.RPC, AllAlarms: true}
	if r.Kind == handlers.Fetch {
		r.Body = []byte(a.Body) // a POST without a body line still sends an empty one
	}
	for _, h := range a.Headers {
		if name, value, ok := dispatch.ParseHeader(h); ok {
			r.Headers = append(r.Headers, [2]string{name, value})
		}
	}
	if r.Kind == handlers.DurableRPC && a.Args != "" {
		if err := json.Unmarshal([]byte(a.Args), &r.Args); err != nil {
			return r, fmt.Errorf("`# pyworkers: args` must be a JSON array: %w", err)
		}
	}
	return r, nil
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
		body := readableBody(res)
		b.Write(body)
		if len(body) > 0 && body[len(body)-1] != '\n' {
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

// readableBody is the body as the result document shows it: a JSON body
// indented (the run's summary and status are unchanged), anything else as
// sent.
func readableBody(res *runtime.RunResult) []byte {
	isJSON := false
	for _, h := range res.Headers {
		if strings.EqualFold(h.Name, "content-type") {
			mt, _, _ := strings.Cut(strings.ToLower(h.Value), ";")
			mt = strings.TrimSpace(mt)
			isJSON = mt == "application/json" || strings.HasSuffix(mt, "+json")
		}
	}
	if !isJSON || len(res.Body) > 1<<20 {
		return res.Body
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, res.Body, "", "  ") != nil {
		return res.Body // not JSON after all: shown as sent
	}
	return pretty.Bytes()
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
