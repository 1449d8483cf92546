package server

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/bindings"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/localdata"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

// CommandLocalState lists what each binding holds in the local state: the
// data of VS Code's Bindings view; with "show", also as a document (the
// "Show local state" code action of Neovim and Helix users).
// CommandDeleteLocalState deletes one item of it.
// CommandD1Query runs SQL on a D1 binding's local database (the view's
// query box), as `pyworkers-lsp d1 execute` does.
const (
	CommandLocalState       = "pyworkers.localState"
	CommandDeleteLocalState = "pyworkers.deleteLocalState"
	CommandD1Query          = "pyworkers.d1Query"
)

func init() {
	registerCommand(CommandLocalState, localState)
	registerCommand(CommandDeleteLocalState, deleteLocalState)
	registerCommand(CommandD1Query, d1Query)
}

type localStateArgs struct {
	URI  protocol.DocumentURI `json:"uri"`
	Show bool                 `json:"show"`
}

// localStateLimit is how many keys, tables, objects or instances (and
// children of each) one binding lists.
const localStateLimit = 200

// WorkerState is one Worker's answer: its folder, environment and bindings.
type WorkerState struct {
	Dir         string                `json:"dir"`
	Config      protocol.DocumentURI  `json:"config"`
	Environment string                `json:"environment"`
	Bindings    []actors.BindingState `json:"bindings"`
	Error       string                `json:"error,omitempty"`
}

// localState takes [{uri}] (a file of the Worker) or nothing (every Worker
// of the workspace) and reads, never writes, their local state.
func localState(ctx context.Context, s *Server, snap *Snapshot, raw json.RawMessage) (any, error) {
	var list []localStateArgs
	json.Unmarshal(raw, &list)
	var uri protocol.DocumentURI
	if len(list) == 1 {
		uri = list[0].URI
	}
	workers, err := workersNamed(snap, uri)
	if err != nil {
		return nil, err
	}
	out := []WorkerState{}
	for _, w := range workers {
		env := snap.Env(w)
		ws := WorkerState{Dir: w.Dir, Config: pathToURI(w.ConfigPath), Environment: snap.Settings().Environment, Bindings: []actors.BindingState{}}
		spec, err := workerspec.FromEnvironment(w, env)
		if err == nil {
			ws.Bindings, err = actors.LocalState(spec, localStateLimit)
		}
		if err != nil {
			ws.Error = err.Error()
		}
		out = append(out, ws)
	}
	if len(list) == 1 && list[0].Show && len(workers) == 1 {
		path := filepath.Join(workers[0].Dir, ".pyworkers", "results", "local-state.txt")
		text := formatLocalState(out[0])
		if err := writeResult(path, text); err != nil {
			return nil, jsonrpc2.NewError(jsonrpc2.InternalError, err.Error())
		}
		if !s.showResultDocument(path) {
			s.showMessage(protocol.MessageTypeInfo, text)
		}
		return map[string]any{"workers": out, "resultFile": path}, nil
	}
	return map[string]any{"workers": out}, nil
}

// formatLocalState renders one Worker's state as the document shows it.
func formatLocalState(ws WorkerState) string {
	var b strings.Builder
	env := ws.Environment
	if env == "" {
		env = "top level"
	}
	fmt.Fprintf(&b, "### local state of %s (environment: %s)\n", filepath.Base(ws.Dir), env)
	if ws.Error != "" {
		fmt.Fprintf(&b, "\n### error\n%s\n", ws.Error)
	}
	if len(ws.Bindings) == 0 {
		b.WriteString("\nno bindings with local state in this config\n")
	}
	var items func(list []actors.StateItem, indent string)
	items = func(list []actors.StateItem, indent string) {
		for _, it := range list {
			if it.Detail != "" {
				fmt.Fprintf(&b, "%s%s = %s\n", indent, it.Name, it.Detail)
			} else {
				fmt.Fprintf(&b, "%s%s\n", indent, it.Name)
			}
			items(it.Children, indent+"  ")
		}
	}
	for _, bs := range ws.Bindings {
		fmt.Fprintf(&b, "\n%s (%s %s): %d\n", bs.Binding, kindLabel(bs.Kind), bs.Resource, bs.Count)
		items(bs.Items, "  ")
		if more := bs.Count - len(bs.Items); more > 0 {
			fmt.Fprintf(&b, "  … %d more\n", more)
		}
	}
	return b.String()
}

// kindLabel names a binding kind for people: "KV namespace", "D1 database".
func kindLabel(kind string) string {
	switch kind {
	case "kv_namespaces":
		return "KV namespace"
	case "d1_databases":
		return "D1 database"
	case "r2_buckets":
		return "R2 bucket"
	case "durable_objects", "durable_objects.bindings":
		return "Durable Object class"
	case "workflows":
		return "Workflow"
	case "queues", "queues.producers":
		return "Queue"
	}
	return kind
}

type deleteArgs struct {
	URI     protocol.DocumentURI `json:"uri"`
	Binding string               `json:"binding"`
	Name    string               `json:"name"`
}

// deleteLocalState removes one key, object, message or instance.
func deleteLocalState(ctx context.Context, s *Server, snap *Snapshot, raw json.RawMessage) (any, error) {
	var list []deleteArgs
	if err := json.Unmarshal(raw, &list); err != nil || len(list) != 1 || list[0].Binding == "" || list[0].Name == "" {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, CommandDeleteLocalState+" takes {uri, binding, name}")
	}
	a := list[0]
	spec, _, err := specFor(snap, a.URI)
	if err != nil {
		return nil, err
	}
	if err := actors.DeleteLocalState(spec, a.Binding, a.Name); err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	return map[string]any{"deleted": a.Name}, nil
}

type d1QueryArgs struct {
	URI     protocol.DocumentURI `json:"uri"`
	Binding string               `json:"binding"`
	SQL     string               `json:"sql"`
}

// d1Query runs a script on a D1 binding's local database in one
// transaction (a failing statement changes nothing) and shows the result
// as .pyworkers/results/d1-query.txt.
func d1Query(ctx context.Context, s *Server, snap *Snapshot, raw json.RawMessage) (any, error) {
	var list []d1QueryArgs
	if err := json.Unmarshal(raw, &list); err != nil || len(list) != 1 || list[0].Binding == "" || strings.TrimSpace(list[0].SQL) == "" {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, CommandD1Query+" takes {uri, binding, sql}")
	}
	a := list[0]
	spec, w, err := specFor(snap, a.URI)
	if err != nil {
		return nil, err
	}
	database := ""
	for _, b := range spec.Bindings {
		if b.Name == a.Binding && b.Kind == "d1_databases" {
			database = actors.StorageResource(b)
		}
	}
	if database == "" {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "no D1 binding "+a.Binding+" in the config")
	}
	start := time.Now()
	res, err := bindings.Open(spec.ProjectDir, spec.Env).D1Execute(database, a.SQL)
	if err != nil {
		msg := a.Binding + ": " + err.Error() + " (nothing was changed)"
		s.showMessage(protocol.MessageTypeError, msg)
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, msg)
	}
	var text strings.Builder
	fmt.Fprintf(&text, "### %s (D1 %s, local)\n%s\n\n", a.Binding, database, strings.TrimSpace(a.SQL))
	localdata.PrintD1(&text, res, false, time.Since(start))
	path := filepath.Join(w.Dir, ".pyworkers", "results", "d1-query.txt")
	if err := writeResult(path, text.String()); err == nil && !s.showResultDocument(path) {
		s.showMessage(protocol.MessageTypeInfo, text.String())
	}
	var results []map[string]any
	for _, st := range res {
		rows := make([][]any, len(st.Rows))
		for i, r := range st.Rows {
			rows[i] = make([]any, len(r))
			for j, v := range r {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				rows[i][j] = v
			}
		}
		results = append(results, map[string]any{"columns": st.Columns, "rows": rows, "changes": st.Changes})
	}
	return map[string]any{"results": results, "resultFile": path}, nil
}
