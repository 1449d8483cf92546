package server

import (
	"context"

	"go.lsp.dev/protocol"
)

func init() { registerDiagnostics(configSyntaxDiagnostics) }

// configSyntaxDiagnostics reports a wrangler config that does not parse, at
// the error's location.
func configSyntaxDiagnostics(ctx context.Context, snap *Snapshot, doc *Document) []protocol.Diagnostic {
	if doc.Kind != KindWranglerConfig {
		return nil
	}
	w := snap.worker(doc.Path)
	var out []protocol.Diagnostic
	for _, e := range w.Config.Errors {
		out = append(out, protocol.Diagnostic{
			Range:    lspRange(doc.Lines(), e.Range.Start, e.Range.End),
			Severity: protocol.DiagnosticSeverityError,
			Source:   Name,
			Message:  e.Message,
		})
	}
	return out
}
