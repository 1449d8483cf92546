package webapi

// WebSocketPair and the WebSocket ends it makes, as in Cloudflare Workers:
// the handler accept()s the server end and returns the client end in a 101
// Response; the runtime bridges the client end to a real connection (the
// dev server). Messages the real client sends arrive as "message" events
// on the server end (or, for a socket a Durable Object accepted with
// ctx.acceptWebSocket, as calls of its webSocketMessage method).

import (
	"context"
	"time"

	"github.com/coder/websocket"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

// WSMessage is one message or the close of a WebSocket.
type WSMessage struct {
	Text     string
	Binary   []byte
	IsBinary bool
	Close    bool // a close frame: Code and Reason
	Code     int
	Reason   string
}

// WebSocket is one end of a pair.
type WebSocket struct {
	Obj      *Object
	Peer     *WebSocket
	accepted bool
	closed   bool
	pending  []WSMessage // arrived before accept()
	// Bridge, when set, receives what the peer sends to this end (the
	// client end of a 101 response, bridged to a real connection).
	Bridge func(WSMessage)
	// Hibernatable, when set, receives what arrives at this end instead of
	// event listeners (ctx.acceptWebSocket).
	Hibernatable func(WSMessage)
	listeners    map[string][]Value
	attachment   Value
	Tags         []string
	// remote, for a client socket (new WebSocket(url)), writes to the
	// connection; nil while it connects.
	remote     func(WSMessage)
	connecting bool
}

// WebSocketOf is the WebSocket behind a JS value, or nil.
func WebSocketOf(v Value) *WebSocket {
	if o, ok := v.(*Object); ok {
		if ws, ok := o.Host.(*WebSocket); ok {
			return ws
		}
	}
	return nil
}

// WebSocketOfResponse is the webSocket a 101 Response carries, or nil.
func WebSocketOfResponse(r *Response) *WebSocket { return WebSocketOf(r.webSocket) }

func (w *Web) installWebSocket(allowNet bool) {
	P := w.NewObject()
	newEnd := func() *WebSocket {
		ws := &WebSocket{listeners: map[string][]Value{}}
		ws.Obj = w.NewHostObject("WebSocket", P, ws)
		return ws
	}
	w.DefineClass("WebSocket", P, func(args []Value) Value {
		url := js.ToString(js.Arg(args, 0))
		if !allowNet {
			w.ThrowError("TypeError", netDisabledMessage+" (new WebSocket("+url+"))")
		}
		ws := newEnd()
		ws.accepted, ws.connecting = true, true
		w.dialWebSocket(ws, url)
		return ws.Obj
	})
	PP := w.NewObject()
	w.DefineClass("WebSocketPair", PP, func(args []Value) Value {
		client, server := newEnd(), newEnd()
		client.Peer, server.Peer = server, client
		return w.NewObjectFrom("0", client.Obj, "1", server.Obj)
	})
	// WebSocketRequestResponsePair(request, response): an auto-response a
	// Durable Object sets with ctx.setWebSocketAutoResponse.
	RP := w.NewObject()
	w.DefineClass("WebSocketRequestResponsePair", RP, func(args []Value) Value {
		o := w.NewHostObject("WebSocketRequestResponsePair", RP, nil)
		o.Set("request", js.ToString(js.Arg(args, 0)))
		o.Set("response", js.ToString(js.Arg(args, 1)))
		return o
	})
	of := func(this Value) *WebSocket {
		ws := WebSocketOf(this)
		if ws == nil {
			w.ThrowError("TypeError", "Illegal invocation: not a WebSocket")
		}
		return ws
	}
	w.Method(P, "accept", func(this Value, a []Value) Value {
		ws := of(this)
		if ws.accepted {
			return Undefined
		}
		ws.accepted = true
		pending := ws.pending
		ws.pending = nil
		for _, m := range pending {
			w.DeliverWebSocket(ws, m)
		}
		return Undefined
	})
	w.Method(P, "send", func(this Value, a []Value) Value {
		ws := of(this)
		if ws.connecting {
			w.ThrowError("Error", "Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.")
		}
		if !ws.accepted && ws.Hibernatable == nil {
			w.ThrowError("TypeError", "You must call accept() on this WebSocket before sending messages.")
		}
		if ws.closed {
			w.ThrowError("TypeError", "Can't call WebSocket send() after close().")
		}
		m := WSMessage{}
		switch x := js.Arg(a, 0).(type) {
		case string:
			m.Text = x
		case *Object:
			if x.Kind == js.KindArrayBuffer || x.Kind == js.KindUint8Array {
				m.Binary, m.IsBinary = append([]byte(nil), x.Bytes()...), true
			} else {
				m.Text = js.ToString(x)
			}
		default:
			m.Text = js.ToString(x)
		}
		w.sendToPeer(ws, m)
		return Undefined
	})
	w.Method(P, "close", func(this Value, a []Value) Value {
		ws := of(this)
		if ws.closed {
			return Undefined
		}
		ws.closed = true
		code := 1000
		if c := js.Arg(a, 0); c != Undefined && c != nil {
			code = int(js.ToNumber(c))
		}
		reason := ""
		if r := js.Arg(a, 1); r != Undefined && r != nil {
			reason = js.ToString(r)
		}
		w.sendToPeer(ws, WSMessage{Close: true, Code: code, Reason: reason})
		return Undefined
	})
	w.Method(P, "addEventListener", func(this Value, a []Value) Value {
		ws := of(this)
		typ := js.ToString(js.Arg(a, 0))
		ws.listeners[typ] = append(ws.listeners[typ], js.Arg(a, 1))
		return Undefined
	})
	w.Method(P, "removeEventListener", func(this Value, a []Value) Value {
		ws := of(this)
		typ := js.ToString(js.Arg(a, 0))
		kept := ws.listeners[typ][:0]
		for _, f := range ws.listeners[typ] {
			if f != js.Arg(a, 1) {
				kept = append(kept, f)
			}
		}
		ws.listeners[typ] = kept
		return Undefined
	})
	w.Getter(P, "readyState", func(this *Object) Value {
		if ws := WebSocketOf(this); ws != nil && ws.closed {
			return float64(3)
		}
		return float64(1)
	})
	// Attachments are copied (as JSON, a subset of the structured clone
	// Cloudflare uses), so they outlive the value passed in and survive
	// the object's hibernation.
	w.Method(P, "serializeAttachment", func(this Value, a []Value) Value {
		ws := of(this)
		text, ok := w.JSONStringify(js.Arg(a, 0), "")
		if !ok {
			w.ThrowError("TypeError", "serializeAttachment: the value cannot be serialized")
		}
		if len(text) > 2048 {
			w.ThrowError("RangeError", "serializeAttachment: the serialized value is larger than 2,048 bytes")
		}
		ws.attachment = text
		return Undefined
	})
	w.Method(P, "deserializeAttachment", func(this Value, a []Value) Value {
		text, _ := of(this).attachment.(string)
		if text == "" {
			return nil
		}
		v, err := w.JSONParse(text)
		if err != nil {
			return nil
		}
		return v
	})
}

// sendToPeer passes a message from ws to the other end: to a bridge (a
// real connection), or as an event on that end in this world.
func (w *Web) sendToPeer(ws *WebSocket, m WSMessage) {
	if ws.remote != nil {
		ws.remote(m)
		return
	}
	peer := ws.Peer
	if peer == nil {
		return
	}
	if peer.Bridge != nil {
		peer.Bridge(m)
		return
	}
	w.Loop.QueueMicrotask(func() { w.DeliverWebSocket(peer, m) })
}

// DeliverWebSocket makes a message (or close) arrive at ws: a "message"
// (or "close") event for its listeners and on* property, or its
// Hibernatable handler; queued until accept(). Called on the loop.
func (w *Web) DeliverWebSocket(ws *WebSocket, m WSMessage) {
	if ws.Hibernatable != nil {
		if m.Close {
			ws.closed = true
		}
		ws.Hibernatable(m)
		return
	}
	if !ws.accepted {
		ws.pending = append(ws.pending, m)
		return
	}
	typ := "message"
	ev := w.NewObject()
	if m.Close {
		typ = "close"
		ev.Set("code", float64(m.Code))
		ev.Set("reason", m.Reason)
		ev.Set("wasClean", true)
		ws.closed = true
	} else {
		ev.Set("data", w.MessageData(m))
	}
	ev.Set("type", typ)
	handlers := append([]Value(nil), ws.listeners[typ]...)
	if f, ok := ws.Obj.Get("on" + typ).(*Object); ok && f.Call != nil {
		handlers = append(handlers, f)
	}
	for _, h := range handlers {
		if th := w.Catch(func() { w.Call(h, ws.Obj, ev) }); th != nil {
			w.Loop.QueueMicrotask(func() { panic(&js.Throw{Value: th.Value}) })
		}
	}
}

// MessageData is a message as JS data: a string, or an ArrayBuffer.
func (w *Web) MessageData(m WSMessage) Value {
	if m.IsBinary {
		return w.NewArrayBuffer(m.Binary)
	}
	return m.Text
}

// FlushPending delivers what arrived before the end was accepted.
func (ws *WebSocket) FlushPending(w *Web) {
	pending := ws.pending
	ws.pending = nil
	for _, m := range pending {
		w.DeliverWebSocket(ws, m)
	}
}

// Closed reports whether the end was closed (by either side).
func (ws *WebSocket) Closed() bool { return ws.closed }

// ResponseWebSocket sets the webSocket a 101 Response carries.
func ResponseWebSocket(r *Response, ws Value) { r.webSocket = ws }

// dialWebSocket connects a client socket (new WebSocket(url)) on its own
// goroutines: "open" when connected, "message" for each message, "close"
// (and "error" when it failed or broke) at the end.
func (w *Web) dialWebSocket(ws *WebSocket, url string) {
	post, closeSource := w.Loop.OpenSource()
	fire := func(typ string, set func(ev *Object)) {
		ev := w.NewObject()
		ev.Set("type", typ)
		if set != nil {
			set(ev)
		}
		handlers := append([]Value(nil), ws.listeners[typ]...)
		if f, ok := ws.Obj.Get("on" + typ).(*Object); ok && f.Call != nil {
			handlers = append(handlers, f)
		}
		for _, h := range handlers {
			if th := w.Catch(func() { w.Call(h, ws.Obj, ev) }); th != nil {
				w.Loop.QueueMicrotask(func() { panic(&js.Throw{Value: th.Value}) })
			}
		}
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		conn, _, err := websocket.Dial(ctx, url, nil)
		cancel()
		if err != nil {
			post(func() {
				ws.connecting, ws.closed = false, true
				fire("error", func(ev *Object) { ev.Set("message", "WebSocket connection to "+url+" failed: "+err.Error()) })
				fire("close", func(ev *Object) { ev.Set("code", float64(1006)); ev.Set("reason", ""); ev.Set("wasClean", false) })
				closeSource()
			})
			return
		}
		conn.SetReadLimit(1 << 20)
		out := make(chan WSMessage, 1024)
		go func() { // writes, in order
			for m := range out {
				if m.Close {
					conn.Close(websocket.StatusCode(m.Code), m.Reason)
					return
				}
				typ, data := websocket.MessageText, []byte(m.Text)
				if m.IsBinary {
					typ, data = websocket.MessageBinary, m.Binary
				}
				if conn.Write(context.Background(), typ, data) != nil {
					return
				}
			}
		}()
		post(func() {
			ws.connecting = false
			ws.remote = func(m WSMessage) {
				select {
				case out <- m:
				default:
				}
				if m.Close {
					close(out)
					ws.remote = func(WSMessage) {}
				}
			}
			fire("open", nil)
		})
		for {
			typ, data, err := conn.Read(context.Background())
			if err != nil {
				code := int(websocket.CloseStatus(err))
				post(func() {
					if code == -1 {
						code = 1006
						fire("error", func(ev *Object) { ev.Set("message", err.Error()) })
					}
					ws.closed = true
					fire("close", func(ev *Object) {
						ev.Set("code", float64(code))
						ev.Set("reason", "")
						ev.Set("wasClean", code != 1006)
					})
					closeSource()
				})
				return
			}
			m := WSMessage{Text: string(data)}
			if typ == websocket.MessageBinary {
				m = WSMessage{Binary: data, IsBinary: true}
			}
			post(func() { fire("message", func(ev *Object) { ev.Set("data", w.MessageData(m)) }) })
		}
	}()
}
