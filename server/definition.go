package server

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/completion"
)

func init() {
	registerRequest("textDocument/definition", definitionRequest, func(c *protocol.ServerCapabilities) {
		c.DefinitionProvider = true
	})
}

// definitionRequest jumps from a binding to its config entry, from an RPC
// call to the method, and in a config from class_name/main/service to the
// Python code.
func definitionRequest(ctx context.Context, s *Server, snap *Snapshot, params json.RawMessage) (any, error) {
	var p protocol.DefinitionParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	var locs []completion.Location
	if req := pythonRequest(snap, p.TextDocument.URI, p.Position); req != nil {
		locs = completion.Definition(ctx, req)
	} else if creq, _ := configRequest(snap, p.TextDocument.URI, p.Position); creq != nil {
		locs = completion.DefinitionConfig(ctx, creq)
	}
	if len(locs) == 0 {
		return nil, nil
	}
	return lspLocations(locs), nil
}

func lspLocations(locs []completion.Location) []protocol.Location {
	out := make([]protocol.Location, 0, len(locs))
	for _, l := range locs {
		out = append(out, protocol.Location{URI: pathToURI(l.Path),
			Range: protocol.Range{Start: fromTextpos(l.StartPos), End: fromTextpos(l.EndPos)}})
	}
	return out
}
