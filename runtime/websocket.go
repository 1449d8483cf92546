package runtime

// WebSockets a fetch handler accepted: the bridge between the client end of
// a WebSocketPair (returned in a 101 Response) and a real connection, which
// the dev server holds.

import (
	"context"

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

// SetIsolates makes service-binding fetches to a Worker that lookup
// returns an isolate for go to that isolate (the dev server's Workers),
// instead of a nested run in a fresh interpreter; nil turns it off.
func (e *Engine) SetIsolates(lookup func(spec WorkerSpec) *Isolate) {
	e.isolateLookup.Store(&lookup)
}

// IsolateFor is the isolate serving spec, if SetIsolates gave one.
func (e *Engine) IsolateFor(spec WorkerSpec) *Isolate {
	p := e.isolateLookup.Load()
	if p == nil || *p == nil {
		return nil
	}
	return (*p)(spec)
}

// FetchIsolate sends req to iso from a binding of this run without holding
// up the run's loop (the call waits on its own goroutine; the run's loop
// goes on meanwhile, so the two isolates never wait for each other). The
// promise resolves with the Response; a WebSocket it accepted is bridged
// into this world.
func (r *Realm) FetchIsolate(ctx context.Context, iso *Isolate, req HTTPRequest) *Object {
	w := r.w
	p := w.NewPromise()
	w.Loop.External(func(done func(func())) {
		go func() {
			res, err := iso.Fetch(ctx, req)
			done(func() {
				if err != nil {
					w.RejectPromise(p, w.ErrorValue(err))
					return
				}
				resp := r.ResponseOf(res)
				if res.WebSocket != nil {
					webapi.ResponseWebSocket(w.ResponseOf(resp), r.webSocketFromConn(res.WebSocket))
				}
				w.ResolvePromise(p, resp)
			})
		}()
	})
	return p
}

// webSocketFromConn is this world's end of a WebSocket another isolate
// accepted: what this end sends goes to that isolate, what it sends
// arrives here as events.
func (r *Realm) webSocketFromConn(c *WebSocketConn) *Object {
	w := r.w
	pair := w.Construct(w.Ctors["WebSocketPair"], nil).(*Object)
	local := webapi.WebSocketOf(pair.Get("0"))
	remote := local.Peer
	remote.Bridge = func(m WSMessage) { c.Send(m) }
	post, closeSource := w.Loop.OpenSource()
	go func() {
		for {
			select {
			case m, ok := <-c.Outgoing():
				if !ok {
					post(closeSource)
					return
				}
				post(func() { w.DeliverWebSocket(local, m) })
			case <-c.Done():
				post(func() {
					w.DeliverWebSocket(local, WSMessage{Close: true, Code: 1011, Reason: "the Worker stopped"})
					closeSource()
				})
				return
			}
		}
	}()
	return local.Obj
}
