package server

import (
	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

// lspPosition converts a byte offset to an LSP position.
func lspPosition(lines *textpos.Index, offset int) protocol.Position {
	p := lines.Position(offset)
	return protocol.Position{Line: uint32(p.Line), Character: uint32(p.Character)}
}

// lspRange converts a byte range to an LSP range.
func lspRange(lines *textpos.Index, start, end int) protocol.Range {
	return protocol.Range{Start: lspPosition(lines, start), End: lspPosition(lines, end)}
}

// offsetOf converts an LSP position to a byte offset.
func offsetOf(lines *textpos.Index, p protocol.Position) (int, error) {
	return lines.Offset(textpos.Position{Line: int(p.Line), Character: int(p.Character)})
}

// fromTextpos converts an analysis position to an LSP one.
func fromTextpos(p textpos.Position) protocol.Position {
	return protocol.Position{Line: uint32(p.Line), Character: uint32(p.Character)}
}
