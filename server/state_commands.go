package server

import (
	"context"
	"encoding/json"
	"fmt"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/handlers"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/dispatch"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

// Commands on the local state the simulated bindings keep in
// <worker>/.pyworkers/state/<env>/.
const (
	CommandResetState        = "pyworkers.resetState"
	CommandSendWorkflowEvent = "pyworkers.sendWorkflowEvent"
)

func init() {
	registerCommand(CommandResetState, resetState)
	registerCommand(CommandSendWorkflowEvent, sendWorkflowEvent)
}

// stateArgs name a file of the Worker (any file in its folder; without it,
// every Worker of the workspace).
type stateArgs struct {
	URI protocol.DocumentURI `json:"uri"`
}

func resetState(ctx context.Context, s *Server, snap *Snapshot, raw json.RawMessage) (any, error) {
	var list []stateArgs
	json.Unmarshal(raw, &list)
	var uri protocol.DocumentURI
	if len(list) == 1 {
		uri = list[0].URI
	}
	workers, err := workersNamed(snap, uri)
	if err != nil {
		return nil, err
	}
	env := snap.Settings().Environment
	var reset []string
	for _, w := range workers {
		if err := actors.ResetState(w.Dir, env); err != nil {
			return nil, jsonrpc2.NewError(jsonrpc2.InternalError, fmt.Sprintf("resetting %s: %v", w.Dir, err))
		}
		reset = append(reset, w.Dir)
	}
	s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf("local state reset for %d Worker(s)", len(reset)))
	return map[string]any{"reset": reset}, nil
}

// workersNamed is the Worker holding uri, or every Worker of the workspace
// when uri is "".
func workersNamed(snap *Snapshot, uri protocol.DocumentURI) ([]*project.Worker, error) {
	if uri == "" {
		return snap.Workers(), nil
	}
	w := snap.WorkerFor(uriToPath(uri))
	if w == nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "no wrangler config found for "+string(uri))
	}
	return []*project.Worker{w}, nil
}

// specFor is the run spec of the Worker holding uri, in the snapshot's
// environment.
func specFor(snap *Snapshot, uri protocol.DocumentURI) (runtime.WorkerSpec, *project.Worker, error) {
	w := snap.WorkerFor(uriToPath(uri))
	if w == nil {
		return runtime.WorkerSpec{}, nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "no wrangler config found for "+string(uri))
	}
	spec, err := workerspec.FromEnvironment(w, snap.Env(w))
	if err != nil {
		return runtime.WorkerSpec{}, nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	return spec, w, nil
}

type workflowEventArgs struct {
	URI      protocol.DocumentURI `json:"uri"`
	Instance string               `json:"instance"`
	Type     string               `json:"type"`
	Payload  json.RawMessage      `json:"payload"`
}

// sendWorkflowEvent delivers an event to a waiting workflow instance and
// runs it on (step.wait_for_event in local mode).
func sendWorkflowEvent(ctx context.Context, s *Server, snap *Snapshot, raw json.RawMessage) (any, error) {
	var list []workflowEventArgs
	if err := json.Unmarshal(raw, &list); err != nil || len(list) != 1 || list[0].Instance == "" || list[0].Type == "" {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "pyworkers.sendWorkflowEvent takes {uri, instance, type, payload}")
	}
	a := list[0]
	spec, _, err := specFor(snap, a.URI)
	if err != nil {
		return nil, err
	}
	eng, err := s.runtime.engineFor(ctx)
	if err != nil {
		return nil, err
	}
	out, err := dispatch.Do(ctx, eng, spec, dispatch.Run{Kind: handlers.WorkflowEvent, Instance: a.Instance, EventType: a.Type, EventPayload: string(a.Payload)})
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, err.Error())
	}
	wr := out.Workflow
	s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf("workflow %s is %s", wr.ID, wr.Status))
	return map[string]any{"id": wr.ID, "status": wr.Status, "output": wr.Output, "waitingFor": wr.WaitingFor}, nil
}
