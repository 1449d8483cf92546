package server

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/completion"
)

func init() {
	registerRequest("textDocument/hover", hoverRequest, func(c *protocol.ServerCapabilities) {
		c.HoverProvider = true
	})
}

// hoverRequest describes bindings and binding methods in Python, and the
// runtime that compatibility settings select in a wrangler config.
func hoverRequest(ctx context.Context, s *Server, snap *Snapshot, params json.RawMessage) (any, error) {
	var p protocol.HoverParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	var res *completion.HoverResult
	doc := snap.Document(p.TextDocument.URI)
	if req := pythonRequest(snap, p.TextDocument.URI, p.Position); req != nil {
		res = completion.Hover(ctx, req)
	} else if creq, _ := configRequest(snap, p.TextDocument.URI, p.Position); creq != nil {
		res = completion.HoverConfig(ctx, creq)
	}
	if res == nil || doc == nil {
		return nil, nil
	}
	r := lspRange(doc.Lines(), res.Start, res.End)
	return &protocol.Hover{Contents: protocol.MarkupContent{Kind: protocol.Markdown, Value: res.Markdown}, Range: &r}, nil
}
