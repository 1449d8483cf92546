package webapi

// The Web APIs a Python Worker reaches through `js` and the workers SDK:
// Headers, Request, Response, URL, URLSearchParams, fetch, console, crypto,
// AbortController and basic ReadableStreams.

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

// ---- Headers

type HeaderList struct {
	names  []string // lower-case, first-insertion order
	values map[string][]string
}

// Web is the Web platform of one JS heap: the APIs below are installed on
// its globalThis and share its event loop.
type Web struct{ *js.World }

func NewHeaderList() *HeaderList { return &HeaderList{values: map[string][]string{}} }

func (h *HeaderList) Add(name, value string) {
	n := strings.ToLower(strings.TrimSpace(name))
	if _, ok := h.values[n]; !ok {
		h.names = append(h.names, n)
	}
	h.values[n] = append(h.values[n], strings.TrimSpace(value))
}

func (h *HeaderList) set(name, value string) {
	n := strings.ToLower(strings.TrimSpace(name))
	h.del(n)
	h.Add(n, value)
}

func (h *HeaderList) del(n string) {
	n = strings.ToLower(n)
	if _, ok := h.values[n]; !ok {
		return
	}
	delete(h.values, n)
	for i, x := range h.names {
		if x == n {
			h.names = append(h.names[:i:i], h.names[i+1:]...)
			break
		}
	}
}

// Get is the combined value of header n, and whether it is present.
func (h *HeaderList) Get(n string) (string, bool) { return h.get(n) }

func (h *HeaderList) get(n string) (string, bool) {
	v, ok := h.values[strings.ToLower(n)]
	if !ok {
		return "", false
	}
	return strings.Join(v, ", "), true
}

// sorted lists name/value pairs as the Fetch spec iterates them: sorted by
// name, values combined, except set-cookie which stays separate.
func (h *HeaderList) Sorted() [][2]string {
	names := append([]string{}, h.names...)
	sort.Strings(names)
	var out [][2]string
	for _, n := range names {
		if n == "set-cookie" {
			for _, v := range h.values[n] {
				out = append(out, [2]string{n, v})
			}
			continue
		}
		out = append(out, [2]string{n, strings.Join(h.values[n], ", ")})
	}
	return out
}

func (h *HeaderList) clone() *HeaderList {
	c := NewHeaderList()
	for _, n := range h.names {
		for _, v := range h.values[n] {
			c.Add(n, v)
		}
	}
	return c
}

func (w *Web) headersOf(v Value) *HeaderList {
	o, ok := v.(*Object)
	if ok {
		if h, ok := o.Host.(*HeaderList); ok {
			return h
		}
	}
	w.ThrowError("TypeError", "Illegal invocation: not a Headers object")
	return nil
}

// fillHeaders adds init (Headers, [[k, v]...], Map or record) to h.
func (w *Web) fillHeaders(h *HeaderList, init Value) {
	o, ok := init.(*Object)
	if !ok {
		if !js.IsNullish(init) {
			w.ThrowError("TypeError", "Failed to construct 'Headers': The provided value is not of type 'HeadersInit'")
		}
		return
	}
	if src, ok := o.Host.(*HeaderList); ok {
		for _, n := range src.names {
			for _, v := range src.values[n] {
				h.Add(n, v)
			}
		}
		return
	}
	if o.Kind == js.KindArray || o.Kind == js.KindMap || w.HasMethod(o, "@@iterator") {
		// WebIDL sequence<sequence<ByteString>>: each pair is iterated too.
		w.Iterate(o, func(e Value) {
			var pair []Value
			w.Iterate(e, func(v Value) { pair = append(pair, v) })
			if len(pair) != 2 {
				w.ThrowError("TypeError", "Failed to construct 'Headers': each header must be a [name, value] pair")
			}
			h.Add(js.ToString(pair[0]), js.ToString(pair[1]))
		})
		return
	}
	for _, k := range o.OwnKeys() {
		h.Add(k, js.ToString(o.Get(k)))
	}
}

func (w *Web) newHeaders(h *HeaderList) *Object {
	return w.NewHostObject("Headers", w.Ctors["Headers"].Get("prototype").(*Object), h)
}

func (w *Web) installHeaders() {
	P := w.ProtoOf("Headers")
	w.DefineClass("Headers", P, func(args []Value) Value {
		h := NewHeaderList()
		w.fillHeaders(h, js.Arg(args, 0))
		return w.newHeaders(h)
	})
	w.Method(P, "get", func(this Value, a []Value) Value {
		v, ok := w.headersOf(this).get(js.ToString(js.Arg(a, 0)))
		if !ok {
			return nil
		}
		return v
	})
	w.Method(P, "getAll", func(this Value, a []Value) Value {
		out := w.NewArray()
		for _, v := range w.headersOf(this).values[strings.ToLower(js.ToString(js.Arg(a, 0)))] {
			out.Arr = append(out.Arr, v)
		}
		return out
	})
	w.Method(P, "getSetCookie", func(this Value, a []Value) Value {
		out := w.NewArray()
		for _, v := range w.headersOf(this).values["set-cookie"] {
			out.Arr = append(out.Arr, v)
		}
		return out
	})
	w.Method(P, "has", func(this Value, a []Value) Value {
		_, ok := w.headersOf(this).get(js.ToString(js.Arg(a, 0)))
		return ok
	})
	w.Method(P, "set", func(this Value, a []Value) Value {
		w.headersOf(this).set(js.ToString(js.Arg(a, 0)), js.ToString(js.Arg(a, 1)))
		return Undefined
	})
	w.Method(P, "append", func(this Value, a []Value) Value {
		w.headersOf(this).Add(js.ToString(js.Arg(a, 0)), js.ToString(js.Arg(a, 1)))
		return Undefined
	})
	w.Method(P, "delete", func(this Value, a []Value) Value {
		w.headersOf(this).del(js.ToString(js.Arg(a, 0)))
		return Undefined
	})
	pairs := func(this Value, pick func(p [2]string) Value) Value {
		var items []Value
		for _, p := range w.headersOf(this).Sorted() {
			items = append(items, pick(p))
		}
		return w.MakeIterator(items)
	}
	entries := w.Method(P, "entries", func(this Value, a []Value) Value {
		return pairs(this, func(p [2]string) Value { return w.NewArray(p[0], p[1]) })
	})
	P.Set("@@iterator", entries)
	w.Method(P, "keys", func(this Value, a []Value) Value { return pairs(this, func(p [2]string) Value { return p[0] }) })
	w.Method(P, "values", func(this Value, a []Value) Value { return pairs(this, func(p [2]string) Value { return p[1] }) })
	w.Method(P, "forEach", func(this Value, a []Value) Value {
		for _, p := range w.headersOf(this).Sorted() {
			w.Call(js.Arg(a, 0), Undefined, p[1], p[0], this)
		}
		return Undefined
	})
}

// ---- bodies and streams

// body is the payload of a Request or Response: bytes known up front, or a
// ReadableStream the handler fills.
type Body struct {
	Data   []byte
	Stream *Object // a ReadableStream, when the body is streamed
	used   bool
	Null   bool
}

type StreamState struct {
	chunks  [][]byte
	closed  bool
	err     Value
	waiting []*Object // pending read() promises
	locked  bool
}

func (w *Web) BodyFrom(v Value) *Body {
	switch x := v.(type) {
	case nil, js.UndefinedType:
		return &Body{Null: true}
	case string:
		return &Body{Data: []byte(x)}
	case *Object:
		switch {
		case x.Kind == js.KindArrayBuffer || x.Kind == js.KindUint8Array:
			return &Body{Data: append([]byte{}, x.Bytes()...)}
		case x.Class == "ReadableStream":
			return &Body{Stream: x}
		case x.Class == "URLSearchParams":
			return &Body{Data: []byte(js.ToString(x))}
		case x.Class == "Blob" || x.Class == "File":
			b, _ := x.Host.([]byte)
			return &Body{Data: b}
		}
	}
	return &Body{Data: []byte(js.ToString(v))}
}

func (w *Web) streamOf(o *Object) *StreamState {
	s, ok := o.Host.(*StreamState)
	if !ok {
		w.ThrowError("TypeError", "not a ReadableStream")
	}
	return s
}

func (w *Web) NewReadableStream(s *StreamState) *Object {
	return w.NewHostObject("ReadableStream", w.Ctors["ReadableStream"].Get("prototype").(*Object), s)
}

func (w *Web) StreamEnqueue(s *StreamState, b []byte) {
	if len(s.waiting) > 0 {
		p := s.waiting[0]
		s.waiting = s.waiting[1:]
		w.ResolvePromise(p, w.NewObjectFrom("value", w.NewUint8Array(b), "done", false))
		return
	}
	s.chunks = append(s.chunks, b)
}

// StreamError errors the stream: pending and later reads reject with e.
func (w *Web) StreamError(s *StreamState, e Value) {
	s.err = e
	for _, p := range s.waiting {
		w.RejectPromise(p, e)
	}
	s.waiting = nil
}

func (w *Web) StreamClose(s *StreamState) {
	s.closed = true
	for _, p := range s.waiting {
		w.ResolvePromise(p, w.NewObjectFrom("value", Undefined, "done", true))
	}
	s.waiting = nil
}

func (w *Web) streamRead(s *StreamState) *Object {
	p := w.NewPromise()
	switch {
	case len(s.chunks) > 0:
		c := s.chunks[0]
		s.chunks = s.chunks[1:]
		w.ResolvePromise(p, w.NewObjectFrom("value", w.NewUint8Array(c), "done", false))
	case s.err != nil:
		w.RejectPromise(p, s.err)
	case s.closed:
		w.ResolvePromise(p, w.NewObjectFrom("value", Undefined, "done", true))
	default:
		s.waiting = append(s.waiting, p)
	}
	return p
}

// readAll returns a promise of a body's bytes, marking it used.
func (w *Web) ReadAll(b *Body) *Object {
	if b.used {
		return w.Rejected(w.NewError("TypeError", "Body has already been used. It can only be used once. Use tee() first if you need to read it twice."))
	}
	b.used = true
	if b.Stream == nil {
		return w.PromiseResolve(w.NewArrayBuffer(append([]byte{}, b.Data...)))
	}
	s := w.streamOf(b.Stream)
	out := w.NewPromise()
	var buf bytes.Buffer
	var step func()
	step = func() {
		w.OnSettled(w.streamRead(s), func(r Value) {
			if js.Truthy(w.Get(r, "done")) {
				w.ResolvePromise(out, w.NewArrayBuffer(buf.Bytes()))
				return
			}
			if c, ok := w.Get(r, "value").(*Object); ok {
				buf.Write(c.Bytes())
			} else {
				buf.WriteString(js.ToString(w.Get(r, "value")))
			}
			step()
		}, func(e Value) { w.RejectPromise(out, e) })
	}
	step()
	return out
}

// installBodyMethods adds text/json/arrayBuffer/bytes/blob and bodyUsed/body.
func (w *Web) installBodyMethods(P *Object, bodyOf func(this Value) *Body) {
	then := func(p *Object, f func(b []byte) Value) Value {
		out := w.NewPromise()
		w.OnSettled(p, func(v Value) {
			var r Value
			if th := w.Catch(func() { r = f(v.(*Object).Bytes()) }); th != nil {
				w.RejectPromise(out, th.Value)
				return
			}
			w.ResolvePromise(out, r)
		}, func(e Value) { w.RejectPromise(out, e) })
		return out
	}
	w.Method(P, "arrayBuffer", func(this Value, a []Value) Value { return w.ReadAll(bodyOf(this)) })
	w.Method(P, "bytes", func(this Value, a []Value) Value {
		return then(w.ReadAll(bodyOf(this)), func(b []byte) Value { return w.NewUint8Array(b) })
	})
	w.Method(P, "text", func(this Value, a []Value) Value {
		return then(w.ReadAll(bodyOf(this)), func(b []byte) Value { return string(b) })
	})
	w.Method(P, "json", func(this Value, a []Value) Value {
		return then(w.ReadAll(bodyOf(this)), func(b []byte) Value {
			v, err := w.JSONParse(string(b))
			if err != nil {
				w.ThrowError("SyntaxError", "Unexpected token in JSON: "+err.Error())
			}
			return v
		})
	})
	w.Method(P, "blob", func(this Value, a []Value) Value {
		return then(w.ReadAll(bodyOf(this)), func(b []byte) Value {
			return w.NewHostObject("Blob", w.Ctors["Blob"].Get("prototype").(*Object), b)
		})
	})
	w.Method(P, "formData", func(this Value, a []Value) Value {
		return w.Rejected(w.NewError("TypeError", "formData() is not supported by the pyworkers runtime yet"))
	})
	w.Getter(P, "bodyUsed", func(this *Object) Value { return bodyOf(this).used })
	w.Getter(P, "body", func(this *Object) Value {
		b := bodyOf(this)
		if b.Null {
			return nil
		}
		if b.Stream == nil {
			s := &StreamState{}
			if len(b.Data) > 0 {
				s.chunks = [][]byte{b.Data}
			}
			s.closed = true
			b.Stream = w.NewReadableStream(s)
		}
		return b.Stream
	})
}

// ---- Request

type Request struct {
	Method  string
	URL     string
	Headers *HeaderList
	Body    *Body
	CF      Value
	// Signal is the init's AbortSignal; nil until asked for when none was given.
	Signal *Object
}

func (w *Web) RequestOf(v Value) *Request {
	if o, ok := v.(*Object); ok {
		if r, ok := o.Host.(*Request); ok {
			return r
		}
	}
	w.ThrowError("TypeError", "Illegal invocation: not a Request")
	return nil
}

func (w *Web) NewRequestObject(r *Request) *Object {
	return w.NewHostObject("Request", w.Ctors["Request"].Get("prototype").(*Object), r)
}

func (w *Web) installRequest() {
	P := w.ProtoOf("Request")
	w.DefineClass("Request", P, func(args []Value) Value {
		r := &Request{Method: "GET", Headers: NewHeaderList(), Body: &Body{Null: true}, CF: Undefined}
		switch x := js.Arg(args, 0).(type) {
		case *Object:
			if src, ok := x.Host.(*Request); ok {
				r.Method, r.URL, r.Headers, r.Body, r.CF, r.Signal = src.Method, src.URL, src.Headers.clone(), src.Body, src.CF, src.Signal
			} else {
				r.URL = js.ToString(x)
			}
		default:
			r.URL = js.ToString(x)
		}
		if _, err := url.Parse(r.URL); err != nil || !strings.Contains(r.URL, "://") {
			w.ThrowError("TypeError", "Invalid URL: "+r.URL)
		}
		if init, ok := js.Arg(args, 1).(*Object); ok {
			if m := init.Get("method"); m != Undefined {
				r.Method = strings.ToUpper(js.ToString(m))
			}
			if h := init.Get("headers"); h != Undefined {
				r.Headers = NewHeaderList()
				w.fillHeaders(r.Headers, h)
			}
			if b := init.Get("body"); b != Undefined {
				r.Body = w.BodyFrom(b)
			}
			if cf := init.Get("cf"); cf != Undefined {
				r.CF = cf
			}
			switch sig := init.Get("signal"); {
			case sig == Undefined:
			case sig == nil:
				r.Signal = nil
			case w.abortStateOf(sig) != nil:
				r.Signal = sig.(*Object)
			default:
				w.ThrowError("TypeError", "Failed to construct 'Request': member signal is not of type AbortSignal.")
			}
		}
		return w.NewRequestObject(r)
	})
	w.Getter(P, "method", func(this *Object) Value { return w.RequestOf(this).Method })
	w.Getter(P, "url", func(this *Object) Value { return w.RequestOf(this).URL })
	w.Getter(P, "headers", func(this *Object) Value {
		r := w.RequestOf(this)
		if this.Props == nil || this.Props["@headers"] == nil {
			this.Set("@headers", w.newHeaders(r.Headers))
		}
		return this.Props["@headers"]
	})
	w.Getter(P, "cf", func(this *Object) Value { return w.RequestOf(this).CF })
	w.Getter(P, "redirect", func(this *Object) Value { return "follow" })
	w.Getter(P, "signal", func(this *Object) Value {
		r := w.RequestOf(this)
		if r.Signal == nil {
			r.Signal = w.NewAbortSignal()
		}
		return r.Signal
	})
	for _, k := range []string{"cache", "credentials", "destination", "integrity", "mode", "referrer", "referrerPolicy"} {
		w.Getter(P, k, func(this *Object) Value { return "" })
	}
	w.Getter(P, "keepalive", func(this *Object) Value { return false })
	w.Getter(P, "isHistoryNavigation", func(this *Object) Value { return false })
	w.installBodyMethods(P, func(this Value) *Body { return w.RequestOf(this).Body })
	w.Method(P, "clone", func(this Value, a []Value) Value {
		r := w.RequestOf(this)
		if r.Body.used {
			w.ThrowError("TypeError", "Body has already been used")
		}
		c := *r
		c.Headers = r.Headers.clone()
		return w.NewRequestObject(&c)
	})
}

// ---- Response

type Response struct {
	Status     int
	StatusText string
	Headers    *HeaderList
	Body       *Body
	url        string
	redirected bool
	webSocket  Value
}

func (w *Web) ResponseOf(v Value) *Response {
	if o, ok := v.(*Object); ok {
		if r, ok := o.Host.(*Response); ok {
			return r
		}
	}
	w.ThrowError("TypeError", "Illegal invocation: not a Response")
	return nil
}

func (w *Web) NewResponseObject(r *Response) *Object {
	return w.NewHostObject("Response", w.Ctors["Response"].Get("prototype").(*Object), r)
}

func (w *Web) makeResponse(bodyV Value, init Value) *Object {
	r := &Response{Status: 200, Headers: NewHeaderList(), Body: w.BodyFrom(bodyV)}
	if io, ok := init.(*Object); ok {
		if src, ok := io.Host.(*Response); ok { // new Response(body, otherResponse)
			r.Status, r.StatusText, r.Headers = src.Status, src.StatusText, src.Headers.clone()
		} else {
			if s := io.Get("status"); s != Undefined {
				r.Status = int(js.ToNumber(s))
			}
			if s := io.Get("statusText"); s != Undefined {
				r.StatusText = js.ToString(s)
			}
			if h := io.Get("headers"); h != Undefined {
				w.fillHeaders(r.Headers, h)
			}
			if ws := io.Get("webSocket"); ws != Undefined {
				r.webSocket = ws
			}
		}
	}
	if (r.Status < 200 || r.Status > 599) && !(r.Status == 101 && r.webSocket != nil) {
		w.ThrowError("RangeError", fmt.Sprintf("Responses may only be constructed with status codes in the range 200 to 599, inclusive. Got %d", r.Status))
	}
	if _, ok := r.Headers.get("content-type"); !ok {
		switch x := bodyV.(type) {
		case string:
			r.Headers.set("content-type", "text/plain;charset=UTF-8")
		case *Object:
			if x.Class == "URLSearchParams" {
				r.Headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8")
			}
		}
	}
	return w.NewResponseObject(r)
}

func (w *Web) installResponse() {
	P := w.ProtoOf("Response")
	C := w.DefineClass("Response", P, func(args []Value) Value { return w.makeResponse(js.Arg(args, 0), js.Arg(args, 1)) })
	w.Method(C, "json", func(_ Value, a []Value) Value {
		s, ok := w.JSONStringify(js.Arg(a, 0), "")
		if !ok {
			w.ThrowError("TypeError", "Value is not JSON serializable")
		}
		resp := w.makeResponse(s, js.Arg(a, 1))
		h := w.ResponseOf(resp).Headers
		if ct, _ := h.get("content-type"); ct == "text/plain;charset=UTF-8" {
			h.set("content-type", "application/json")
		}
		return resp
	})
	w.Method(C, "redirect", func(_ Value, a []Value) Value {
		status := 302
		if s := js.Arg(a, 1); s != Undefined {
			status = int(js.ToNumber(s))
		}
		switch status {
		case 301, 302, 303, 307, 308:
		default:
			w.ThrowError("RangeError", fmt.Sprintf("Invalid status code %d", status))
		}
		u := js.ToString(js.Arg(a, 0))
		if _, err := url.Parse(u); err != nil {
			w.ThrowError("TypeError", "Invalid URL: "+u)
		}
		r := &Response{Status: status, Headers: NewHeaderList(), Body: &Body{Null: true}}
		r.Headers.set("location", u)
		return w.NewResponseObject(r)
	})
	w.Method(C, "error", func(_ Value, a []Value) Value {
		return w.NewResponseObject(&Response{Status: 0, Headers: NewHeaderList(), Body: &Body{Null: true}})
	})
	w.Getter(P, "status", func(this *Object) Value { return float64(w.ResponseOf(this).Status) })
	w.Getter(P, "statusText", func(this *Object) Value { return w.ResponseOf(this).StatusText })
	w.Getter(P, "ok", func(this *Object) Value { s := w.ResponseOf(this).Status; return s >= 200 && s < 300 })
	w.Getter(P, "url", func(this *Object) Value { return w.ResponseOf(this).url })
	w.Getter(P, "redirected", func(this *Object) Value { return w.ResponseOf(this).redirected })
	w.Getter(P, "type", func(this *Object) Value { return "default" })
	w.Getter(P, "webSocket", func(this *Object) Value {
		if ws := w.ResponseOf(this).webSocket; ws != nil {
			return ws
		}
		return nil
	})
	w.Getter(P, "headers", func(this *Object) Value {
		r := w.ResponseOf(this)
		if this.Props == nil || this.Props["@headers"] == nil {
			this.Set("@headers", w.newHeaders(r.Headers))
		}
		return this.Props["@headers"]
	})
	w.installBodyMethods(P, func(this Value) *Body { return w.ResponseOf(this).Body })
	w.Method(P, "clone", func(this Value, a []Value) Value {
		r := w.ResponseOf(this)
		if r.Body.used {
			w.ThrowError("TypeError", "Body has already been used")
		}
		c := *r
		c.Headers = r.Headers.clone()
		if r.Body.Stream != nil {
			w.ThrowError("TypeError", "cloning a streamed body is not supported by the pyworkers runtime yet")
		}
		b := *r.Body
		c.Body = &b
		return w.NewResponseObject(&c)
	})
}

// ---- ReadableStream, Blob

func (w *Web) installStreams() {
	P := w.ProtoOf("ReadableStream")
	w.DefineClass("ReadableStream", P, func(args []Value) Value {
		s := &StreamState{}
		o := w.NewReadableStream(s)
		src, _ := js.Arg(args, 0).(*Object)
		if src == nil {
			return o
		}
		ctl := w.NewObject()
		w.Method(ctl, "enqueue", func(_ Value, a []Value) Value {
			if s.closed {
				w.ThrowError("TypeError", "Cannot enqueue a chunk into a closed readable stream")
			}
			c := js.Arg(a, 0)
			if co, ok := c.(*Object); ok && (co.Kind == js.KindUint8Array || co.Kind == js.KindArrayBuffer) {
				w.StreamEnqueue(s, append([]byte{}, co.Bytes()...))
			} else {
				w.StreamEnqueue(s, []byte(js.ToString(c)))
			}
			return Undefined
		})
		w.Method(ctl, "close", func(Value, []Value) Value { w.StreamClose(s); return Undefined })
		w.Method(ctl, "error", func(_ Value, a []Value) Value { s.err = js.Arg(a, 0); s.closed = true; return Undefined })
		if start, ok := src.Get("start").(*Object); ok && start.Call != nil {
			start.Call(src, []Value{ctl})
		}
		if pull, ok := src.Get("pull").(*Object); ok && pull.Call != nil {
			// Pull until the source closes; each pull may return a promise.
			var step func()
			step = func() {
				if s.closed {
					return
				}
				r := pull.Call(src, []Value{ctl})
				w.OnSettled(w.PromiseResolve(r), func(Value) { step() }, func(e Value) { s.err, s.closed = e, true })
			}
			w.Loop.QueueMicrotask(step)
		}
		return o
	})
	w.Getter(P, "locked", func(this *Object) Value { return w.streamOf(this).locked })
	w.Method(P, "getReader", func(this Value, a []Value) Value {
		s := w.streamOf(w.ThisObject(this, "ReadableStream"))
		if s.locked {
			w.ThrowError("TypeError", "ReadableStream is locked")
		}
		s.locked = true
		r := w.NewObject()
		r.Class = "ReadableStreamDefaultReader"
		w.Method(r, "read", func(Value, []Value) Value { return w.streamRead(s) })
		w.Method(r, "releaseLock", func(Value, []Value) Value { s.locked = false; return Undefined })
		w.Method(r, "cancel", func(Value, []Value) Value { w.StreamClose(s); return w.PromiseResolve(Undefined) })
		return r
	})
	w.Method(P, "cancel", func(this Value, a []Value) Value {
		w.StreamClose(w.streamOf(w.ThisObject(this, "ReadableStream")))
		return w.PromiseResolve(Undefined)
	})
	// for await (const chunk of stream): Python's `async for chunk in stream`.
	w.Method(P, "@@asyncIterator", func(this Value, a []Value) Value {
		s := w.streamOf(w.ThisObject(this, "ReadableStream"))
		it := w.NewObject()
		w.Method(it, "next", func(Value, []Value) Value { return w.streamRead(s) })
		w.Method(it, "return", func(Value, []Value) Value {
			w.StreamClose(s)
			return w.PromiseResolve(w.NewObjectFrom("done", true, "value", Undefined))
		})
		return it
	})

	// TransformStream (identity) with its WritableStream side: what
	// workers.asgi uses to stream a response body.
	WP := w.ProtoOf("WritableStream")
	w.DefineClass("WritableStream", WP, func(args []Value) Value {
		w.ThrowError("TypeError", "WritableStream is only available through TransformStream in the pyworkers runtime")
		return nil
	})
	TP := w.ProtoOf("TransformStream")
	w.DefineClass("TransformStream", TP, func(args []Value) Value {
		s := &StreamState{}
		t := w.NewHostObject("TransformStream", TP, s)
		t.Set("readable", w.NewReadableStream(s))
		ws := w.NewHostObject("WritableStream", WP, s)
		t.Set("writable", ws)
		write := func(c Value) {
			if s.closed {
				w.ThrowError("TypeError", "This WritableStream is closed")
			}
			if co, ok := c.(*Object); ok && (co.Kind == js.KindUint8Array || co.Kind == js.KindArrayBuffer) {
				w.StreamEnqueue(s, append([]byte{}, co.Bytes()...))
			} else {
				w.StreamEnqueue(s, []byte(js.ToString(c)))
			}
		}
		w.Method(ws, "getWriter", func(Value, []Value) Value {
			wr := w.NewObject()
			wr.Class = "WritableStreamDefaultWriter"
			wr.Set("ready", w.PromiseResolve(Undefined))
			wr.Set("desiredSize", 1.0)
			w.Method(wr, "write", func(_ Value, a []Value) Value {
				return w.AsyncHost(func() Value { write(js.Arg(a, 0)); return Undefined })
			})
			w.Method(wr, "close", func(Value, []Value) Value { w.StreamClose(s); return w.PromiseResolve(Undefined) })
			w.Method(wr, "abort", func(_ Value, a []Value) Value {
				s.err = js.Arg(a, 0)
				w.StreamClose(s)
				return w.PromiseResolve(Undefined)
			})
			w.Method(wr, "releaseLock", func(Value, []Value) Value { return Undefined })
			return wr
		})
		return t
	})

	BP := w.ProtoOf("Blob")
	w.DefineClass("Blob", BP, func(args []Value) Value {
		var buf bytes.Buffer
		if parts, ok := js.Arg(args, 0).(*Object); ok {
			w.Iterate(parts, func(p Value) {
				if po, ok := p.(*Object); ok {
					if b, ok := po.Host.([]byte); ok {
						buf.Write(b)
						return
					}
					if po.Kind == js.KindUint8Array || po.Kind == js.KindArrayBuffer {
						buf.Write(po.Bytes())
						return
					}
				}
				buf.WriteString(js.ToString(p))
			})
		}
		o := w.NewHostObject("Blob", BP, buf.Bytes())
		typ := ""
		if opts, ok := js.Arg(args, 1).(*Object); ok && opts.Get("type") != Undefined {
			typ = js.ToString(opts.Get("type"))
		}
		o.Set("type", typ)
		return o
	})
	blobBytes := func(this Value) []byte { b, _ := w.ThisObject(this, "Blob").Host.([]byte); return b }
	w.Getter(BP, "size", func(this *Object) Value { return float64(len(blobBytes(this))) })
	w.Method(BP, "text", func(this Value, a []Value) Value { return w.PromiseResolve(string(blobBytes(this))) })
	w.Method(BP, "arrayBuffer", func(this Value, a []Value) Value {
		return w.PromiseResolve(w.NewArrayBuffer(append([]byte{}, blobBytes(this)...)))
	})

}

// ---- URL and URLSearchParams

type urlState struct {
	u      *url.URL
	params *Object
}

func (w *Web) installURL() {
	SP := w.ProtoOf("URLSearchParams")
	type params struct {
		pairs [][2]string
		owner *urlState
	}
	paramsOf := func(this Value) *params {
		p, ok := w.ThisObject(this, "URLSearchParams").Host.(*params)
		if !ok {
			w.ThrowError("TypeError", "not a URLSearchParams")
		}
		return p
	}
	encode := func(p *params) string {
		var parts []string
		for _, kv := range p.pairs {
			parts = append(parts, url.QueryEscape(kv[0])+"="+url.QueryEscape(kv[1]))
		}
		return strings.Join(parts, "&")
	}
	sync := func(p *params) {
		if p.owner != nil {
			p.owner.u.RawQuery = encode(p)
		}
	}
	parse := func(q string) [][2]string {
		q = strings.TrimPrefix(q, "?")
		var out [][2]string
		for _, part := range strings.Split(q, "&") {
			if part == "" {
				continue
			}
			k, v, _ := strings.Cut(part, "=")
			k, _ = url.QueryUnescape(k)
			v, _ = url.QueryUnescape(v)
			out = append(out, [2]string{k, v})
		}
		return out
	}
	newParams := func(p *params) *Object { return w.NewHostObject("URLSearchParams", SP, p) }
	w.DefineClass("URLSearchParams", SP, func(args []Value) Value {
		p := &params{}
		switch x := js.Arg(args, 0).(type) {
		case string:
			p.pairs = parse(x)
		case *Object:
			if x.Kind == js.KindArray || x.Kind == js.KindMap || w.HasMethod(x, "@@iterator") {
				w.Iterate(x, func(e Value) {
					p.pairs = append(p.pairs, [2]string{js.ToString(w.Get(e, "0")), js.ToString(w.Get(e, "1"))})
				})
			} else {
				for _, k := range x.OwnKeys() {
					p.pairs = append(p.pairs, [2]string{k, js.ToString(x.Get(k))})
				}
			}
		}
		return newParams(p)
	})
	w.Method(SP, "get", func(this Value, a []Value) Value {
		k := js.ToString(js.Arg(a, 0))
		for _, kv := range paramsOf(this).pairs {
			if kv[0] == k {
				return kv[1]
			}
		}
		return nil
	})
	w.Method(SP, "getAll", func(this Value, a []Value) Value {
		k := js.ToString(js.Arg(a, 0))
		out := w.NewArray()
		for _, kv := range paramsOf(this).pairs {
			if kv[0] == k {
				out.Arr = append(out.Arr, kv[1])
			}
		}
		return out
	})
	w.Method(SP, "has", func(this Value, a []Value) Value {
		k := js.ToString(js.Arg(a, 0))
		for _, kv := range paramsOf(this).pairs {
			if kv[0] == k {
				return true
			}
		}
		return false
	})
	w.Method(SP, "append", func(this Value, a []Value) Value {
		p := paramsOf(this)
		p.pairs = append(p.pairs, [2]string{js.ToString(js.Arg(a, 0)), js.ToString(js.Arg(a, 1))})
		sync(p)
		return Undefined
	})
	w.Method(SP, "delete", func(this Value, a []Value) Value {
		p := paramsOf(this)
		k := js.ToString(js.Arg(a, 0))
		kept := p.pairs[:0]
		for _, kv := range p.pairs {
			if kv[0] != k {
				kept = append(kept, kv)
			}
		}
		p.pairs = kept
		sync(p)
		return Undefined
	})
	w.Method(SP, "set", func(this Value, a []Value) Value {
		p := paramsOf(this)
		k, v := js.ToString(js.Arg(a, 0)), js.ToString(js.Arg(a, 1))
		var out [][2]string
		done := false
		for _, kv := range p.pairs {
			if kv[0] == k {
				if !done {
					out = append(out, [2]string{k, v})
					done = true
				}
				continue
			}
			out = append(out, kv)
		}
		if !done {
			out = append(out, [2]string{k, v})
		}
		p.pairs = out
		sync(p)
		return Undefined
	})
	w.Method(SP, "toString", func(this Value, a []Value) Value { return encode(paramsOf(this)) })
	entries := w.Method(SP, "entries", func(this Value, a []Value) Value {
		var items []Value
		for _, kv := range paramsOf(this).pairs {
			items = append(items, w.NewArray(kv[0], kv[1]))
		}
		return w.MakeIterator(items)
	})
	SP.Set("@@iterator", entries)
	w.Method(SP, "keys", func(this Value, a []Value) Value {
		var items []Value
		for _, kv := range paramsOf(this).pairs {
			items = append(items, kv[0])
		}
		return w.MakeIterator(items)
	})

	UP := w.ProtoOf("URL")
	urlOf := func(this *Object) *urlState {
		s, ok := this.Host.(*urlState)
		if !ok {
			w.ThrowError("TypeError", "not a URL")
		}
		return s
	}
	parseURL := func(input, base Value) (*url.URL, bool) {
		s := js.ToString(input)
		var u *url.URL
		var err error
		if base != Undefined {
			b, err := url.Parse(js.ToString(base))
			if err != nil || b.Scheme == "" {
				return nil, false
			}
			r, err := url.Parse(s)
			if err != nil {
				return nil, false
			}
			u = b.ResolveReference(r)
		} else if u, err = url.Parse(s); err != nil || u.Scheme == "" {
			return nil, false
		}
		if (u.Scheme == "http" || u.Scheme == "https") && u.Path == "" {
			u.Path = "/"
		}
		return u, true
	}
	urlC := w.DefineClass("URL", UP, func(args []Value) Value {
		u, ok := parseURL(js.Arg(args, 0), js.Arg(args, 1))
		if !ok {
			w.ThrowError("TypeError", "Invalid URL: "+js.ToString(js.Arg(args, 0)))
		}
		return w.NewHostObject("URL", UP, &urlState{u: u})
	})
	w.Method(urlC, "canParse", func(_ Value, a []Value) Value { _, ok := parseURL(js.Arg(a, 0), js.Arg(a, 1)); return ok })
	href := func(this *Object) Value { return urlOf(this).u.String() }
	w.Getter(UP, "href", href)
	w.Method(UP, "toString", func(this Value, a []Value) Value { return href(w.ThisObject(this, "URL")) })
	w.Method(UP, "toJSON", func(this Value, a []Value) Value { return href(w.ThisObject(this, "URL")) })
	w.Getter(UP, "protocol", func(this *Object) Value { return urlOf(this).u.Scheme + ":" })
	w.Getter(UP, "host", func(this *Object) Value { return urlOf(this).u.Host })
	w.Getter(UP, "hostname", func(this *Object) Value { return urlOf(this).u.Hostname() })
	w.Getter(UP, "port", func(this *Object) Value { return urlOf(this).u.Port() })
	w.Getter(UP, "pathname", func(this *Object) Value { return urlOf(this).u.EscapedPath() })
	w.Getter(UP, "origin", func(this *Object) Value { u := urlOf(this).u; return u.Scheme + "://" + u.Host })
	w.Getter(UP, "username", func(this *Object) Value { return urlOf(this).u.User.Username() })
	w.Getter(UP, "password", func(this *Object) Value { p, _ := urlOf(this).u.User.Password(); return p })
	w.Getter(UP, "search", func(this *Object) Value {
		if q := urlOf(this).u.RawQuery; q != "" {
			return "?" + q
		}
		return ""
	})
	w.Getter(UP, "hash", func(this *Object) Value {
		if f := urlOf(this).u.EscapedFragment(); f != "" {
			return "#" + f
		}
		return ""
	})
	w.Getter(UP, "searchParams", func(this *Object) Value {
		s := urlOf(this)
		if s.params == nil {
			s.params = newParams(&params{pairs: parse(s.u.RawQuery), owner: s})
		}
		return s.params
	})
}

// ---- console and crypto

func (w *Web) installConsole(sink func(level string, line string)) {
	c := w.NewObject()
	w.GlobalThis.Set("console", c)
	for _, level := range []string{"log", "info", "warn", "error", "debug", "trace"} {
		w.Method(c, level, func(_ Value, a []Value) Value {
			parts := make([]string, len(a))
			for i, v := range a {
				parts[i] = w.inspect(v)
			}
			sink(level, strings.Join(parts, " "))
			return Undefined
		})
	}
}

// inspect formats a value the way console.log shows it.
func (w *Web) inspect(v Value) string {
	switch x := v.(type) {
	case string:
		return x
	case *Object:
		if x.Kind == js.KindPyProxy {
			return js.ToString(x)
		}
		if x.Proto == w.ErrorProto || (x.Proto != nil && x.Proto.Proto == w.ErrorProto) {
			return js.DescribeError(x)
		}
		if x.Kind == js.KindPlain && x.Host == nil || x.Kind == js.KindArray {
			if s, ok := w.JSONStringify(x, ""); ok {
				return s
			}
		}
		return js.ToString(x)
	}
	return js.ToString(v)
}

func (w *Web) installCrypto() {
	c := w.NewObject()
	w.GlobalThis.Set("crypto", c)
	w.Method(c, "getRandomValues", func(_ Value, a []Value) Value {
		o, ok := js.Arg(a, 0).(*Object)
		if !ok || (o.Kind != js.KindUint8Array) {
			w.ThrowError("TypeError", "crypto.getRandomValues: expected an integer TypedArray")
		}
		b := o.Bytes()
		if len(b) > 65536 {
			w.ThrowError("QuotaExceededError", "crypto.getRandomValues: at most 65536 bytes")
		}
		_, _ = crand.Read(b)
		return o
	})
	w.Method(c, "randomUUID", func(Value, []Value) Value {
		var b [16]byte
		_, _ = crand.Read(b[:])
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	})
}

// ---- fetch

// ErrNetDisabled is the message outbound fetch fails with unless AllowNet.
const netDisabledMessage = "outbound fetch is disabled in the pyworkers-lsp runtime; allow it with --allow-net (run) or the allowNet setting"

func (w *Web) installFetch(allowNet bool, client *http.Client) {
	w.Method(w.GlobalThis, "fetch", func(_ Value, a []Value) Value {
		var req *Request
		if th := w.Catch(func() { req = w.RequestOf(w.Construct(w.Ctors["Request"], a)) }); th != nil {
			return w.Rejected(th.Value)
		}
		if !allowNet {
			return w.Rejected(w.NewError("TypeError", netDisabledMessage+" (fetch "+req.Method+" "+req.URL+")"))
		}
		out := w.NewPromise()
		// An abort rejects at once with the signal's reason and cancels the
		// request in flight; its late completion then finds out settled.
		ctx, cancelHTTP := context.WithCancel(context.Background())
		detach := func() {}
		if req.Signal != nil {
			detach = w.OnAbort(req.Signal, func(reason Value) {
				cancelHTTP()
				w.RejectPromise(out, reason)
			})
			if out.Promise.Status != js.PromisePending {
				return out
			}
		}
		cancel := func() { cancelHTTP(); detach() } // on the loop's goroutine only
		send := func(payload []byte) {
			if out.Promise.Status != js.PromisePending {
				cancel()
				return
			}
			w.Loop.External(func(done func(func())) {
				go func() {
					defer cancelHTTP()
					resp, data, err := doHTTP(ctx, client, req, payload)
					done(func() {
						detach()
						if out.Promise.Status != js.PromisePending {
							return
						}
						if err != nil {
							w.RejectPromise(out, w.NewError("TypeError", "fetch failed: "+err.Error()))
							return
						}
						h := NewHeaderList()
						for k, vs := range resp.Header {
							for _, v := range vs {
								h.Add(k, v)
							}
						}
						r := &Response{Status: resp.StatusCode, StatusText: strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode)+" "),
							Headers: h, Body: &Body{Data: data}, url: req.URL}
						w.ResolvePromise(out, w.NewResponseObject(r))
					})
				}()
			})
		}
		if req.Body.Null {
			send(nil)
		} else {
			w.OnSettled(w.ReadAll(req.Body), func(v Value) { send(v.(*Object).Bytes()) }, func(e Value) { cancel(); w.RejectPromise(out, e) })
		}
		return out
	})
}

// maxFetchBody bounds a response body read into memory: past it fetch fails
// rather than hand the Worker a silently truncated body.
const maxFetchBody = 64 << 20

func doHTTP(ctx context.Context, client *http.Client, req *Request, payload []byte) (*http.Response, []byte, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, rd)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range req.Headers.names {
		for _, v := range req.Headers.values[n] {
			hr.Header.Add(n, v)
		}
	}
	resp, err := client.Do(hr)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxFetchBody+1))
	if err == nil && len(data) > maxFetchBody {
		err = fmt.Errorf("the response body of %s is over %d MiB, the most the local runtime reads", req.URL, maxFetchBody>>20)
	}
	return resp, data, err
}

// installWebAPIs adds everything in this file to the world.
func (w *Web) InstallWebAPIs(allowNet bool, console func(level, line string)) {
	w.installHeaders()
	w.installRequest()
	w.installResponse()
	w.installStreams()
	w.installAbort()
	w.installURL()
	w.installConsole(console)
	w.installCrypto()
	w.installFetch(allowNet, &http.Client{Timeout: 30 * time.Second})
	w.installHTMLRewriter()
	w.installWebSocket(allowNet)
}
