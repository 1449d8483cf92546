package server

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"
)

// How a feature plugs into the server, without editing shared files: a
// feature file (completion.go, hover.go, ...) calls these from its init().
//
//	func init() {
//		registerRequest("textDocument/hover", hover, func(c *protocol.ServerCapabilities) {
//			c.HoverProvider = true
//		})
//	}
//	func hover(ctx context.Context, s *Server, snap *Snapshot, params json.RawMessage) (any, error) {
//		var p protocol.HoverParams
//		if err := decode(params, &p); err != nil { return nil, err }
//		doc := snap.Document(p.TextDocument.URI) // nil when not open
//		...
//	}
//
// A request handler reads only its snapshot (immutable), runs on its own
// goroutine, and should check ctx (cancelled by $/cancelRequest). A
// capability is advertised only when its handler is registered.

// RequestHandler answers one request method from a snapshot.
type RequestHandler func(ctx context.Context, s *Server, snap *Snapshot, params json.RawMessage) (any, error)

// NotificationHandler handles one notification; notifications run in order
// on the connection's reading goroutine, so they must be quick.
type NotificationHandler func(ctx context.Context, s *Server, params json.RawMessage) error

type requestEntry struct {
	fn        RequestHandler
	advertise func(*protocol.ServerCapabilities)
}

var (
	requestHandlers      = map[string]requestEntry{}
	notificationHandlers = map[string]NotificationHandler{}
	capabilityHooks      []func(*protocol.ServerCapabilities)
	commandNames         []string
)

func registerRequest(method string, fn RequestHandler, advertise func(*protocol.ServerCapabilities)) {
	requestHandlers[method] = requestEntry{fn: fn, advertise: advertise}
	if advertise != nil {
		capabilityHooks = append(capabilityHooks, advertise)
	}
}

func registerNotification(method string, fn NotificationHandler) {
	notificationHandlers[method] = fn
}

// registerCommand adds a workspace/executeCommand command name; the
// executeCommand handler dispatches to commandHandlers.
func registerCommand(name string, fn RequestHandler) {
	commandNames = append(commandNames, name)
	commandHandlers[name] = fn
}

var commandHandlers = map[string]RequestHandler{}

// DiagnosticProvider computes diagnostics for one open document of a
// snapshot. Providers are called concurrently for different documents.
type DiagnosticProvider func(ctx context.Context, snap *Snapshot, doc *Document) []protocol.Diagnostic

var diagnosticProviders []DiagnosticProvider

func registerDiagnostics(p DiagnosticProvider) { diagnosticProviders = append(diagnosticProviders, p) }
