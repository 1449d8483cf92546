package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
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
	for _, d := range directivesAbove(src, offset) {
		switch d.word {
		case "name":
			name = d.arg
		case "args":
			args = d.arg
		case "params":
			params = d.arg
		}
	}
	return name, args, params
}

// directive is one `# pyworkers: WORD ARG` comment line.
type directive struct{ word, arg string }

// directivesAbove returns the `# pyworkers:` lines of the comment block
// directly above offset (the start of a def or its decorators), top first.
func directivesAbove(src string, offset int) []directive {
	var out []directive
	lineStart := strings.LastIndexByte(src[:offset], '\n') + 1
	for end := lineStart - 1; end > 0; {
		start := strings.LastIndexByte(src[:end], '\n') + 1
		line := strings.TrimSpace(src[start:end])
		if !strings.HasPrefix(line, "#") {
			break
		}
		if rest, ok := strings.CutPrefix(strings.TrimSpace(strings.TrimPrefix(line, "#")), "pyworkers:"); ok {
			word, arg, _ := strings.Cut(strings.TrimSpace(rest), " ")
			out = append([]directive{{word, strings.TrimSpace(arg)}}, out...)
		}
		end = start - 1
	}
	return out
}

var httpMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true}

// requestComments reads the requests of the comment block above offset.
func requestComments(src string, offset int) []requestSpec {
	var specs []requestSpec
	for _, d := range directivesAbove(src, offset) {
		switch {
		case httpMethods[strings.ToUpper(d.word)]:
			path := d.arg
			if path == "" {
				path = "/"
			}
			specs = append(specs, requestSpec{method: strings.ToUpper(d.word), path: path})
		case d.word == "header" && len(specs) > 0:
			specs[len(specs)-1].headers = append(specs[len(specs)-1].headers, d.arg)
		case d.word == "body" && len(specs) > 0:
			specs[len(specs)-1].body = d.arg
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
