package server

import (
	"context"
	"log/slog"

	"go.lsp.dev/protocol"
)

// clientLogHandler copies log records to the client as window/logMessage,
// next to the process's own log (stderr or a file). stdout is never used:
// it carries JSON-RPC.
type clientLogHandler struct {
	next   slog.Handler
	server *Server
}

func (h *clientLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *clientLogHandler) Handle(ctx context.Context, r slog.Record) error {
	forward := h.server.conn != nil && h.server.state.Load() != stateNew && !h.server.exited()
	var err error
	if !forward || !h.server.opts.ClientTakesLog {
		err = h.next.Handle(ctx, r)
	}
	if forward {
		typ := protocol.MessageTypeLog
		switch {
		case r.Level >= slog.LevelError:
			typ = protocol.MessageTypeError
		case r.Level >= slog.LevelWarn:
			typ = protocol.MessageTypeWarning
		case r.Level >= slog.LevelInfo:
			typ = protocol.MessageTypeInfo
		}
		msg := r.Message
		r.Attrs(func(a slog.Attr) bool {
			if a.Key != "stack" {
				msg += " " + a.String()
			}
			return true
		})
		h.server.notify("window/logMessage", &protocol.LogMessageParams{Type: typ, Message: msg})
	}
	return err
}

func (h *clientLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &clientLogHandler{next: h.next.WithAttrs(attrs), server: h.server}
}

func (h *clientLogHandler) WithGroup(name string) slog.Handler {
	return &clientLogHandler{next: h.next.WithGroup(name), server: h.server}
}

// exited says whether the client has sent exit (or the stream ended).
func (s *Server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}
