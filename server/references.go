package server

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/completion"
)

func init() {
	registerRequest("textDocument/references", referencesRequest, func(c *protocol.ServerCapabilities) {
		c.ReferencesProvider = true
	})
}

// referencesRequest lists the uses of a binding in the Worker's Python
// files, from a use in Python or from its entry in the config.
func referencesRequest(ctx context.Context, s *Server, snap *Snapshot, params json.RawMessage) (any, error) {
	var p protocol.ReferenceParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	var locs []completion.Location
	if req := pythonRequest(snap, p.TextDocument.URI, p.Position); req != nil {
		locs = completion.References(ctx, req, p.Context.IncludeDeclaration)
	} else if creq, _ := configRequest(snap, p.TextDocument.URI, p.Position); creq != nil {
		locs = completion.ReferencesConfig(ctx, creq, p.Context.IncludeDeclaration)
	}
	return lspLocations(locs), nil
}
