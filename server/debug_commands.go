package server

import (
	"context"
	"encoding/json"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
)

// CommandDocumentState reports the server's copy of a document. Tests and
// bug reports use it to check that incremental sync kept the text and tree
// exact. Like every pyworkers.internal.* command it is callable but not
// advertised in executeCommandProvider.
const CommandDocumentState = "pyworkers.internal.documentState"

func init() { registerCommand(CommandDocumentState, documentState) }

// DocumentState is the answer of CommandDocumentState.
type DocumentState struct {
	Version int32  `json:"version"`
	Text    string `json:"text"`
	// TreeMatchesFreshParse is true when the incrementally kept syntax tree
	// equals a from-scratch parse of the same text.
	TreeMatchesFreshParse bool `json:"treeMatchesFreshParse"`
	// Tree is the kept tree as an S-expression, cut at 1 MiB
	// (TreeTruncated).
	Tree          string `json:"tree,omitempty"`
	TreeTruncated bool   `json:"treeTruncated,omitempty"`
}

func documentState(ctx context.Context, s *Server, snap *Snapshot, args json.RawMessage) (any, error) {
	var uris []protocol.DocumentURI
	if err := json.Unmarshal(args, &uris); err != nil || len(uris) != 1 {
		return nil, invalidParams(errUnknownCommand("documentState takes [uri]"))
	}
	doc := snap.Document(uris[0])
	if doc == nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "document is not open: "+string(uris[0]))
	}
	st := &DocumentState{Version: doc.Version, Text: doc.Text()}
	if py := doc.Py(); py != nil && !py.TooLarge {
		fresh, err := pysyntax.Parse(ctx, doc.Text())
		if err != nil {
			return nil, err
		}
		kept, freshTree := py.Tree(), fresh.Tree()
		st.TreeMatchesFreshParse = sameTree(kept, freshTree)
		st.Tree, st.TreeTruncated = treeString(kept)
	}
	return st, nil
}
