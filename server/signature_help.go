package server

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
	"github.com/pyworkers-lsp/pyworkers-lsp/completion"
)

func init() {
	registerRequest("textDocument/signatureHelp", signatureHelpRequest, func(c *protocol.ServerCapabilities) {
		c.SignatureHelpProvider = &protocol.SignatureHelpOptions{TriggerCharacters: []string{"(", ","}, RetriggerCharacters: []string{"="}}
	})
}

// The LSP shapes of signature help, declared here because go.lsp.dev's
// ParameterInformation.Label is only a string, while offsets into the
// signature label are exact ("key" is also inside "keys").
type signatureHelp struct {
	Signatures      []signatureInformation `json:"signatures"`
	ActiveSignature uint32                 `json:"activeSignature"`
	ActiveParameter uint32                 `json:"activeParameter"`
}

type signatureInformation struct {
	Label         string                  `json:"label"`
	Documentation *protocol.MarkupContent `json:"documentation,omitempty"`
	Parameters    []parameterInformation  `json:"parameters"`
}

type parameterInformation struct {
	Label         [2]uint32               `json:"label"` // UTF-16 offsets in the signature label
	Documentation *protocol.MarkupContent `json:"documentation,omitempty"`
}

func signatureHelpRequest(ctx context.Context, s *Server, snap *Snapshot, params json.RawMessage) (any, error) {
	var p protocol.SignatureHelpParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	req := pythonRequest(snap, p.TextDocument.URI, p.Position)
	if req == nil {
		return nil, nil
	}
	res := completion.SignatureHelp(ctx, req)
	if res == nil {
		return nil, nil
	}
	sig := signatureInformation{Label: res.Label, Parameters: []parameterInformation{}}
	if res.Doc != "" {
		sig.Documentation = &protocol.MarkupContent{Kind: protocol.Markdown, Value: res.Doc}
	}
	for _, prm := range res.Params {
		pi := parameterInformation{Label: [2]uint32{uint32(textpos.UTF16Len(res.Label[:prm.Start])), uint32(textpos.UTF16Len(res.Label[:prm.End]))}}
		if prm.Doc != "" {
			pi.Documentation = &protocol.MarkupContent{Kind: protocol.Markdown, Value: prm.Doc}
		}
		sig.Parameters = append(sig.Parameters, pi)
	}
	active := uint32(len(res.Params)) // past every parameter: nothing highlighted
	if res.ActiveParam >= 0 {
		active = uint32(res.ActiveParam)
	}
	return &signatureHelp{Signatures: []signatureInformation{sig}, ActiveParameter: active}, nil
}
