package runtime

// WebSockets a fetch handler accepted: the bridge between the client end of
// a WebSocketPair (returned in a 101 Response) and a real connection, which
// the dev server holds.

import (
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/webapi"
)

// WSMessage is one WebSocket message, or its close (Close, Code, Reason).
type WSMessage = webapi.WSMessage

// WebSocketConn is the Worker's side of an accepted WebSocket: Outgoing
// gives what the Worker sends (ending after a close), Send passes what the
// client sends to the Worker.
type WebSocketConn struct {
	out     chan WSMessage
	closed  bool // the Worker closed it (loop goroutine only)
	deliver func(WSMessage)
	done    <-chan struct{}
}

// outgoingBuffer bounds the messages queued for a slow client.
const outgoingBuffer = 1024

// Outgoing is the channel of the Worker's messages; it is closed after the
// Worker closes the socket (the close itself is its last message).
func (c *WebSocketConn) Outgoing() <-chan WSMessage { return c.out }

// Done is closed when the Worker's isolate ends (the socket is gone).
func (c *WebSocketConn) Done() <-chan struct{} { return c.done }

// Send delivers a message (or, with Close, the client's close) to the
// Worker's end.
func (c *WebSocketConn) Send(m WSMessage) { c.deliver(m) }

// bridge connects the client end of a pair to a new WebSocketConn; post
// runs a function on the world's loop.
func bridgeWebSocket(w *pyodide.World, client *webapi.WebSocket, post func(func()), done <-chan struct{}) *WebSocketConn {
	c := &WebSocketConn{out: make(chan WSMessage, outgoingBuffer), done: done}
	client.Bridge = func(m WSMessage) {
		if c.closed {
			return
		}
		select {
		case c.out <- m:
		default: // the client does not read: drop rather than stall the Worker
		}
		if m.Close {
			c.closed = true
			close(c.out)
		}
	}
	server := client.Peer
	c.deliver = func(m WSMessage) {
		post(func() { w.DeliverWebSocket(server, m) })
	}
	return c
}

// AcceptHibernatable makes a WebSocketPair end deliver what arrives to
// onMessage and onClose (run on the loop) instead of its event listeners:
// the Durable Object hibernation API (ctx.acceptWebSocket).
func (r *Realm) AcceptHibernatable(v Value, onMessage func(data Value), onClose func(code int, reason string)) error {
	ws := webapi.WebSocketOf(v)
	if ws == nil {
		return &JSError{Name: "TypeError", Message: "acceptWebSocket: expected the server end of a WebSocketPair"}
	}
	ws.Hibernatable = func(m WSMessage) {
		if m.Close {
			onClose(m.Code, m.Reason)
			return
		}
		onMessage(r.w.MessageData(m))
	}
	ws.FlushPending(r.w.Web)
	return nil
}

// WebSocketClosed reports whether v is a WebSocket end that was closed.
func (r *Realm) WebSocketClosed(v Value) bool {
	ws := webapi.WebSocketOf(v)
	return ws == nil || ws.Closed()
}
