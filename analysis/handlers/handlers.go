// Package handlers knows which functions of a Python Worker the runtime
// calls: the entrypoint classes, their handler methods, and the
// `# pyworkers:` comments that choose the input of a local run. It is pure
// (no LSP, no runtime): the language server maps handlers to code lenses,
// the rules and completion use the name lists, runtime/dispatch runs them.
package handlers

import (
	"slices"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

// Kind is what a local run executes. The values are the wire names of the
// language server's run command and the CLI's.
type Kind string

// The kinds of run.
const (
	Fetch        Kind = "fetch"         // a WorkerEntrypoint's (or on_fetch's) fetch
	Scheduled    Kind = "scheduled"     // scheduled, with a cron from triggers.crons
	Queue        Kind = "queue"         // queue, with the pending messages of a consumed queue
	Workflow     Kind = "workflow"      // a new instance of a WorkflowEntrypoint's run
	DurableFetch Kind = "durable-fetch" // a Durable Object's fetch
	DurableRPC   Kind = "durable-rpc"   // a public method of a Durable Object
	Alarm        Kind = "alarm"         // the Durable Objects' alarm, for the alarms set
	// WorkflowEvent resumes a waiting workflow instance; nothing in the
	// source marks it, it is sent from a command.
	WorkflowEvent Kind = "workflow-event"
)

// The entrypoint base classes of the workers module.
const (
	WorkerEntrypoint   = "WorkerEntrypoint"
	WorkflowEntrypoint = "WorkflowEntrypoint"
	DurableObject      = "DurableObject"
)

// WorkerEntrypointHandlers are the methods the runtime itself calls on a
// WorkerEntrypoint.
var WorkerEntrypointHandlers = []string{"fetch", "scheduled", "queue", "email", "tail", "trace", "test"}

// DurableObjectHandlers are the methods the runtime itself calls on a
// Durable Object; its other public methods are RPC methods.
var DurableObjectHandlers = []string{"fetch", "alarm", "webSocketMessage", "webSocketClose", "webSocketError"}

// MisnamedDurableObjectHandlers maps names people give Durable Object
// handlers, which the runtime never calls, to the DurableObjectHandlers
// name it does call.
var MisnamedDurableObjectHandlers = map[string]string{
	"web_socket_message": "webSocketMessage", "websocket_message": "webSocketMessage", "on_web_socket_message": "webSocketMessage", "on_websocket_message": "webSocketMessage", "on_message": "webSocketMessage",
	"web_socket_close": "webSocketClose", "websocket_close": "webSocketClose", "on_web_socket_close": "webSocketClose", "on_websocket_close": "webSocketClose",
	"web_socket_error": "webSocketError", "websocket_error": "webSocketError", "on_web_socket_error": "webSocketError", "on_websocket_error": "webSocketError",
	"on_alarm": "alarm", "handle_alarm": "alarm",
	"on_fetch": "fetch",
}

// IsDurableObjectHandler says whether the runtime calls a Durable Object's
// method name itself.
func IsDurableObjectHandler(name string) bool { return slices.Contains(DurableObjectHandlers, name) }

// IsRuntimeMethod says whether the runtime calls an entrypoint's method
// name itself (so it is not an RPC method of a stub or service binding).
func IsRuntimeMethod(name string) bool {
	return slices.Contains(WorkerEntrypointHandlers, name) || slices.Contains(DurableObjectHandlers, name)
}

// DefaultCron is the cron a scheduled run gets when the config sets none.
const DefaultCron = "* * * * *"

// Handler is one runnable handler of a module, with the input its
// `# pyworkers:` comments (or the config) choose.
type Handler struct {
	Kind  Kind
	Class string        // "" for module-level handlers (on_fetch)
	Func  *pyfacts.Func // the handler's def; nil when Inherited
	// Inherited is the entrypoint class whose fetch comes from another base
	// (django-cf's `class Default(DjangoCF, WorkerEntrypoint)`): the
	// handler is shown on the class.
	Inherited *pyfacts.Class

	Request Request // Fetch and DurableFetch
	// Cron is the Scheduled run's cron; CronUnset says no triggers.crons
	// is configured and Cron is DefaultCron.
	Cron      string
	CronUnset bool
	Queue     string // Queue: the consumed queue
	// Binding is the Workflow's workflows binding, or the Durable Object's
	// namespace binding.
	Binding string
	Params  string // Workflow: the instance's JSON params ("" none)
	Object  string // DurableFetch, DurableRPC: the object's name
	Method  string // DurableRPC: the method
	Args    string // DurableRPC: a JSON array
}

// Find lists the handlers of a module that can run locally in env: the
// handlers of top-level entrypoint classes (a Workflow or Durable Object
// only when env binds its class) and the legacy module-level on_fetch and
// on_scheduled, in source order.
// NameNode is where the handler is shown: its def's name, or its class's.
func (h Handler) NameNode() *pyfacts.Node {
	if h.Inherited != nil {
		return h.Inherited.NameNode
	}
	return h.Func.NameNode
}

// Outer is the definition that holds it: its def, or its class.
func (h Handler) Outer() *pyfacts.Node {
	if h.Inherited != nil {
		return h.Inherited.Node
	}
	return h.Func.Outer()
}

func Find(m *pyfacts.Module, src string, env *project.Environment) []Handler {
	var out []Handler
	add := func(h Handler) { out = append(out, h) }
	fetchAndScheduled := func(class string, fetch, scheduled *pyfacts.Func) {
		if fetch != nil {
			for _, r := range RequestsAbove(src, m.Start(fetch.Outer())) {
				add(Handler{Kind: Fetch, Class: class, Func: fetch, Request: r})
			}
		}
		if scheduled != nil {
			if len(env.Crons) == 0 {
				add(Handler{Kind: Scheduled, Class: class, Func: scheduled, Cron: DefaultCron, CronUnset: true})
			}
			for _, c := range env.Crons {
				add(Handler{Kind: Scheduled, Class: class, Func: scheduled, Cron: c.Expr})
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
		case c.HasBase(WorkerEntrypoint):
			fetchAndScheduled(c.Name, c.Method("fetch"), c.Method("scheduled"))
			if c.Method("fetch") == nil && len(c.Bases) > 1 {
				for _, r := range RequestsAbove(src, m.Start(c.Node)) {
					add(Handler{Kind: Fetch, Class: c.Name, Inherited: c, Request: r})
				}
			}
			if q := c.Method("queue"); q != nil {
				for _, name := range consumers {
					add(Handler{Kind: Queue, Class: c.Name, Func: q, Queue: name})
				}
			}
		case c.HasBase(WorkflowEntrypoint):
			if run := c.Method("run"); run != nil {
				params := ObjectDirectivesAbove(src, m.Start(run.Outer())).Params
				for _, b := range env.BindingsOf("Workflow") {
					if b.Field("class_name") == c.Name {
						add(Handler{Kind: Workflow, Class: c.Name, Func: run, Binding: b.Name, Params: params})
					}
				}
			}
		case c.HasBase(DurableObject):
			binding := durableBinding(env, c.Name)
			if binding == "" {
				continue // not bound in this environment: nothing can reach it
			}
			for _, meth := range c.Methods {
				d := ObjectDirectivesAbove(src, m.Start(meth.Outer()))
				switch {
				case meth.Name == "fetch":
					add(Handler{Kind: DurableFetch, Class: c.Name, Func: meth, Binding: binding, Object: d.Name, Request: Request{Method: "GET", Path: "/"}})
				case meth.Name == "alarm":
					add(Handler{Kind: Alarm, Class: c.Name, Func: meth, Binding: binding})
				case !strings.HasPrefix(meth.Name, "_") && !IsDurableObjectHandler(meth.Name):
					add(Handler{Kind: DurableRPC, Class: c.Name, Func: meth, Binding: binding, Object: d.Name, Method: meth.Name, Args: d.Args})
				}
			}
		}
	}
	var onFetch, onScheduled *pyfacts.Func
	for _, f := range m.Functions {
		switch f.Name {
		case "on_fetch":
			onFetch = f
		case "on_scheduled":
			onScheduled = f
		}
	}
	fetchAndScheduled("", onFetch, onScheduled)
	return out
}

// durableBinding is the first Durable Object binding of class in env, or "".
func durableBinding(env *project.Environment, class string) string {
	for _, b := range env.BindingsOf("DurableObjectNamespace") {
		if b.Field("class_name") == class {
			return b.Name
		}
	}
	return ""
}
