package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/handlers"
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

func codeLens(ctx context.Context, s *Server, snap *Snapshot, params json.RawMessage) (any, error) {
	var p protocol.CodeLensParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	lenses := []protocol.CodeLens{}
	doc := snap.Document(p.TextDocument.URI)
	if doc != nil && strings.HasSuffix(doc.Path, ".sql") {
		return migrationLenses(snap, doc), nil
	}
	if doc == nil || doc.Py() == nil || doc.Py().TooLarge {
		return lenses, nil
	}
	w := snap.WorkerFor(doc.Path)
	if w == nil {
		return lenses, nil
	}
	m := snap.facts.get(doc.Path, doc.Py())
	for _, h := range handlers.Find(m, doc.Text(), snap.Env(w)) {
		args := runArgs(h)
		args.URI = doc.URI
		lenses = append(lenses, protocol.CodeLens{
			Range:   lspRange(doc.Lines(), m.Start(h.NameNode()), m.End(h.NameNode())),
			Command: &protocol.Command{Title: lensTitle(h), Command: CommandRunHandler, Arguments: []any{args}},
		})
	}
	return lenses, nil
}

// runArgs are the run command's arguments for a handler.
func runArgs(h handlers.Handler) RunArgs {
	a := RunArgs{Kind: string(h.Kind), Class: h.Class}
	switch h.Kind {
	case handlers.Fetch:
		a.Method, a.Path, a.Headers, a.Body = h.Request.Method, h.Request.Path, h.Request.Headers, h.Request.Body
	case handlers.Scheduled:
		a.Cron = h.Cron
	case handlers.Queue:
		a.Queue = h.Queue
	case handlers.Workflow:
		a.Workflow, a.Params = h.Binding, h.Params
	case handlers.DurableFetch:
		a.Binding, a.Name, a.Method, a.Path = h.Binding, h.Object, h.Request.Method, h.Request.Path
	case handlers.Alarm:
		a.Binding = h.Binding
	case handlers.DurableRPC:
		a.Binding, a.Name, a.RPC, a.Args = h.Binding, h.Object, h.Method, h.Args
	}
	return a
}

// actionTitle names a handler's run in a code action menu, where the
// request it sends is not beside the handler: "▶ Run fetch GET /".
func actionTitle(h handlers.Handler) string {
	if h.Kind == handlers.Fetch {
		return fmt.Sprintf("▶ Run fetch %s %s", h.Request.Method, h.Request.Path)
	}
	return lensTitle(h)
}

// lensTitle is what the lens shows.
func lensTitle(h handlers.Handler) string {
	switch h.Kind {
	case handlers.Fetch:
		if h.Request.Method != "GET" || h.Request.Path != "/" {
			return fmt.Sprintf("▶ Run fetch (%s %s)", h.Request.Method, h.Request.Path)
		}
		return "▶ Run fetch"
	case handlers.Scheduled:
		if h.CronUnset {
			return "▶ Run scheduled"
		}
		return fmt.Sprintf("▶ Run scheduled (%s)", h.Cron)
	case handlers.Queue:
		return fmt.Sprintf("▶ Deliver queue messages (%s)", h.Queue)
	case handlers.Workflow:
		return fmt.Sprintf("▶ Start workflow (%s)", h.Binding)
	case handlers.DurableFetch:
		return fmt.Sprintf("▶ Run Durable Object fetch (%s)", h.Object)
	case handlers.Alarm:
		return "▶ Fire due alarms"
	case handlers.DurableRPC:
		return fmt.Sprintf("▶ Call %s(%s) on %s", h.Method, strings.Trim(h.Args, "[]"), h.Object)
	}
	return "▶ Run " + string(h.Kind)
}
