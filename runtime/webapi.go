package runtime

// The Web APIs a Python Worker reaches through `js` and the workers SDK:
// Headers, Request, Response, URL, URLSearchParams, fetch, console, crypto,
// AbortController and basic ReadableStreams.

import (
	"bytes"
	crand "crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// ---- Headers

type headerList struct {
	names  []string // lower-case, first-insertion order
	values map[string][]string
}

func newHeaderList() *headerList { return &headerList{values: map[string][]string{}} }

func (h *headerList) add(name, value string) {
	n := strings.ToLower(strings.TrimSpace(name))
	if _, ok := h.values[n]; !ok {
		h.names = append(h.names, n)
	}
	h.values[n] = append(h.values[n], strings.TrimSpace(value))
}

func (h *headerList) set(name, value string) {
	n := strings.ToLower(strings.TrimSpace(name))
	h.del(n)
	h.add(n, value)
}

func (h *headerList) del(n string) {
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

func (h *headerList) get(n string) (string, bool) {
	v, ok := h.values[strings.ToLower(n)]
	if !ok {
		return "", false
	}
	return strings.Join(v, ", "), true
}

// sorted lists name/value pairs as the Fetch spec iterates them: sorted by
// name, values combined, except set-cookie which stays separate.
func (h *headerList) sorted() [][2]string {
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

func (h *headerList) clone() *headerList {
	c := newHeaderList()
	for _, n := range h.names {
		for _, v := range h.values[n] {
			c.add(n, v)
		}
	}
	return c
}

func (w *world) headersOf(v Value) *headerList {
	o, ok := v.(*Object)
	if ok {
		if h, ok := o.host.(*headerList); ok {
			return h
		}
	}
	w.throwError("TypeError", "Illegal invocation: not a Headers object")
	return nil
}

// fillHeaders adds init (Headers, [[k, v]...], Map or record) to h.
func (w *world) fillHeaders(h *headerList, init Value) {
	o, ok := init.(*Object)
	if !ok {
		if !isNullish(init) {
			w.throwError("TypeError", "Failed to construct 'Headers': The provided value is not of type 'HeadersInit'")
		}
		return
	}
	if src, ok := o.host.(*headerList); ok {
		for _, n := range src.names {
			for _, v := range src.values[n] {
				h.add(n, v)
			}
		}
		return
	}
	if o.kind == kindArray || o.kind == kindMap || w.hasMethod(o, "@@iterator") {
		// WebIDL sequence<sequence<ByteString>>: each pair is iterated too.
		w.iterate(o, func(e Value) {
			var pair []Value
			w.iterate(e, func(v Value) { pair = append(pair, v) })
			if len(pair) != 2 {
				w.throwError("TypeError", "Failed to construct 'Headers': each header must be a [name, value] pair")
			}
			h.add(toString(pair[0]), toString(pair[1]))
		})
		return
	}
	for _, k := range o.OwnKeys() {
		h.add(k, toString(o.Get(k)))
	}
}

func (w *world) newHeaders(h *headerList) *Object {
	return w.newHostObject("Headers", w.ctors["Headers"].Get("prototype").(*Object), h)
}

func (w *world) installHeaders() {
	P := w.protoOf("Headers")
	w.defineClass("Headers", P, func(args []Value) Value {
		h := newHeaderList()
		w.fillHeaders(h, arg(args, 0))
		return w.newHeaders(h)
	})
	w.method(P, "get", func(this Value, a []Value) Value {
		v, ok := w.headersOf(this).get(toString(arg(a, 0)))
		if !ok {
			return nil
		}
		return v
	})
	w.method(P, "getAll", func(this Value, a []Value) Value {
		out := w.newArray()
		for _, v := range w.headersOf(this).values[strings.ToLower(toString(arg(a, 0)))] {
			out.arr = append(out.arr, v)
		}
		return out
	})
	w.method(P, "getSetCookie", func(this Value, a []Value) Value {
		out := w.newArray()
		for _, v := range w.headersOf(this).values["set-cookie"] {
			out.arr = append(out.arr, v)
		}
		return out
	})
	w.method(P, "has", func(this Value, a []Value) Value {
		_, ok := w.headersOf(this).get(toString(arg(a, 0)))
		return ok
	})
	w.method(P, "set", func(this Value, a []Value) Value {
		w.headersOf(this).set(toString(arg(a, 0)), toString(arg(a, 1)))
		return Undefined
	})
	w.method(P, "append", func(this Value, a []Value) Value {
		w.headersOf(this).add(toString(arg(a, 0)), toString(arg(a, 1)))
		return Undefined
	})
	w.method(P, "delete", func(this Value, a []Value) Value {
		w.headersOf(this).del(toString(arg(a, 0)))
		return Undefined
	})
	pairs := func(this Value, pick func(p [2]string) Value) Value {
		var items []Value
		for _, p := range w.headersOf(this).sorted() {
			items = append(items, pick(p))
		}
		return w.makeIterator(items)
	}
	entries := w.method(P, "entries", func(this Value, a []Value) Value {
		return pairs(this, func(p [2]string) Value { return w.newArray(p[0], p[1]) })
	})
	P.Set("@@iterator", entries)
	w.method(P, "keys", func(this Value, a []Value) Value { return pairs(this, func(p [2]string) Value { return p[0] }) })
	w.method(P, "values", func(this Value, a []Value) Value { return pairs(this, func(p [2]string) Value { return p[1] }) })
	w.method(P, "forEach", func(this Value, a []Value) Value {
		for _, p := range w.headersOf(this).sorted() {
			w.call(arg(a, 0), Undefined, p[1], p[0], this)
		}
		return Undefined
	})
}

// ---- bodies and streams

// body is the payload of a Request or Response: bytes known up front, or a
// ReadableStream the handler fills.
type body struct {
	data   []byte
	stream *Object // a ReadableStream, when the body is streamed
	used   bool
	null   bool
}

type streamState struct {
	chunks  [][]byte
	closed  bool
	err     Value
	waiting []*Object // pending read() promises
	locked  bool
}

func (w *world) bodyFrom(v Value) *body {
	switch x := v.(type) {
	case nil, undefinedType:
		return &body{null: true}
	case string:
		return &body{data: []byte(x)}
	case *Object:
		switch {
		case x.kind == kindArrayBuffer || x.kind == kindUint8Array:
			return &body{data: append([]byte{}, x.bytes()...)}
		case x.Class == "ReadableStream":
			return &body{stream: x}
		case x.Class == "URLSearchParams":
			return &body{data: []byte(toString(x))}
		case x.Class == "Blob" || x.Class == "File":
			b, _ := x.host.([]byte)
			return &body{data: b}
		}
	}
	return &body{data: []byte(toString(v))}
}

func (w *world) streamOf(o *Object) *streamState {
	s, ok := o.host.(*streamState)
	if !ok {
		w.throwError("TypeError", "not a ReadableStream")
	}
	return s
}

func (w *world) newReadableStream(s *streamState) *Object {
	return w.newHostObject("ReadableStream", w.ctors["ReadableStream"].Get("prototype").(*Object), s)
}

func (w *world) streamEnqueue(s *streamState, b []byte) {
	if len(s.waiting) > 0 {
		p := s.waiting[0]
		s.waiting = s.waiting[1:]
		w.resolvePromise(p, w.newObjectFrom("value", w.newUint8Array(b), "done", false))
		return
	}
	s.chunks = append(s.chunks, b)
}

func (w *world) streamClose(s *streamState) {
	s.closed = true
	for _, p := range s.waiting {
		w.resolvePromise(p, w.newObjectFrom("value", Undefined, "done", true))
	}
	s.waiting = nil
}

func (w *world) streamRead(s *streamState) *Object {
	p := w.newPromise()
	switch {
	case len(s.chunks) > 0:
		c := s.chunks[0]
		s.chunks = s.chunks[1:]
		w.resolvePromise(p, w.newObjectFrom("value", w.newUint8Array(c), "done", false))
	case s.err != nil:
		w.rejectPromise(p, s.err)
	case s.closed:
		w.resolvePromise(p, w.newObjectFrom("value", Undefined, "done", true))
	default:
		s.waiting = append(s.waiting, p)
	}
	return p
}

// readAll returns a promise of a body's bytes, marking it used.
func (w *world) readAll(b *body) *Object {
	if b.used {
		return w.rejected(w.newError("TypeError", "Body has already been used. It can only be used once. Use tee() first if you need to read it twice."))
	}
	b.used = true
	if b.stream == nil {
		return w.promiseResolve(w.newArrayBuffer(append([]byte{}, b.data...)))
	}
	s := w.streamOf(b.stream)
	out := w.newPromise()
	var buf bytes.Buffer
	var step func()
	step = func() {
		w.onSettled(w.streamRead(s), func(r Value) {
			if truthy(w.get(r, "done")) {
				w.resolvePromise(out, w.newArrayBuffer(buf.Bytes()))
				return
			}
			if c, ok := w.get(r, "value").(*Object); ok {
				buf.Write(c.bytes())
			} else {
				buf.WriteString(toString(w.get(r, "value")))
			}
			step()
		}, func(e Value) { w.rejectPromise(out, e) })
	}
	step()
	return out
}

// installBodyMethods adds text/json/arrayBuffer/bytes/blob and bodyUsed/body.
func (w *world) installBodyMethods(P *Object, bodyOf func(this Value) *body) {
	then := func(p *Object, f func(b []byte) Value) Value {
		out := w.newPromise()
		w.onSettled(p, func(v Value) {
			var r Value
			if th := w.catch(func() { r = f(v.(*Object).bytes()) }); th != nil {
				w.rejectPromise(out, th.v)
				return
			}
			w.resolvePromise(out, r)
		}, func(e Value) { w.rejectPromise(out, e) })
		return out
	}
	w.method(P, "arrayBuffer", func(this Value, a []Value) Value { return w.readAll(bodyOf(this)) })
	w.method(P, "bytes", func(this Value, a []Value) Value {
		return then(w.readAll(bodyOf(this)), func(b []byte) Value { return w.newUint8Array(b) })
	})
	w.method(P, "text", func(this Value, a []Value) Value {
		return then(w.readAll(bodyOf(this)), func(b []byte) Value { return string(b) })
	})
	w.method(P, "json", func(this Value, a []Value) Value {
		return then(w.readAll(bodyOf(this)), func(b []byte) Value {
			v, err := w.jsonParse(string(b))
			if err != nil {
				w.throwError("SyntaxError", "Unexpected token in JSON: "+err.Error())
			}
			return v
		})
	})
	w.method(P, "blob", func(this Value, a []Value) Value {
		return then(w.readAll(bodyOf(this)), func(b []byte) Value {
			return w.newHostObject("Blob", w.ctors["Blob"].Get("prototype").(*Object), b)
		})
	})
	w.method(P, "formData", func(this Value, a []Value) Value {
		return w.rejected(w.newError("TypeError", "formData() is not supported by the pyworkers runtime yet"))
	})
	w.getter(P, "bodyUsed", func(this *Object) Value { return bodyOf(this).used })
	w.getter(P, "body", func(this *Object) Value {
		b := bodyOf(this)
		if b.null {
			return nil
		}
		if b.stream == nil {
			s := &streamState{}
			if len(b.data) > 0 {
				s.chunks = [][]byte{b.data}
			}
			s.closed = true
			b.stream = w.newReadableStream(s)
		}
		return b.stream
	})
}

// ---- Request

type request struct {
	method  string
	url     string
	headers *headerList
	body    *body
	cf      Value
}

func (w *world) requestOf(v Value) *request {
	if o, ok := v.(*Object); ok {
		if r, ok := o.host.(*request); ok {
			return r
		}
	}
	w.throwError("TypeError", "Illegal invocation: not a Request")
	return nil
}

func (w *world) newRequestObject(r *request) *Object {
	return w.newHostObject("Request", w.ctors["Request"].Get("prototype").(*Object), r)
}

func (w *world) installRequest() {
	P := w.protoOf("Request")
	w.defineClass("Request", P, func(args []Value) Value {
		r := &request{method: "GET", headers: newHeaderList(), body: &body{null: true}, cf: Undefined}
		switch x := arg(args, 0).(type) {
		case *Object:
			if src, ok := x.host.(*request); ok {
				r.method, r.url, r.headers, r.body, r.cf = src.method, src.url, src.headers.clone(), src.body, src.cf
			} else {
				r.url = toString(x)
			}
		default:
			r.url = toString(x)
		}
		if _, err := url.Parse(r.url); err != nil || !strings.Contains(r.url, "://") {
			w.throwError("TypeError", "Invalid URL: "+r.url)
		}
		if init, ok := arg(args, 1).(*Object); ok {
			if m := init.Get("method"); m != Undefined {
				r.method = strings.ToUpper(toString(m))
			}
			if h := init.Get("headers"); h != Undefined {
				r.headers = newHeaderList()
				w.fillHeaders(r.headers, h)
			}
			if b := init.Get("body"); b != Undefined {
				r.body = w.bodyFrom(b)
			}
			if cf := init.Get("cf"); cf != Undefined {
				r.cf = cf
			}
		}
		return w.newRequestObject(r)
	})
	w.getter(P, "method", func(this *Object) Value { return w.requestOf(this).method })
	w.getter(P, "url", func(this *Object) Value { return w.requestOf(this).url })
	w.getter(P, "headers", func(this *Object) Value {
		r := w.requestOf(this)
		if this.props == nil || this.props["@headers"] == nil {
			this.Set("@headers", w.newHeaders(r.headers))
		}
		return this.props["@headers"]
	})
	w.getter(P, "cf", func(this *Object) Value { return w.requestOf(this).cf })
	w.getter(P, "redirect", func(this *Object) Value { return "follow" })
	w.getter(P, "signal", func(this *Object) Value { return w.newAbortSignal() })
	for _, k := range []string{"cache", "credentials", "destination", "integrity", "mode", "referrer", "referrerPolicy"} {
		w.getter(P, k, func(this *Object) Value { return "" })
	}
	w.getter(P, "keepalive", func(this *Object) Value { return false })
	w.getter(P, "isHistoryNavigation", func(this *Object) Value { return false })
	w.installBodyMethods(P, func(this Value) *body { return w.requestOf(this).body })
	w.method(P, "clone", func(this Value, a []Value) Value {
		r := w.requestOf(this)
		if r.body.used {
			w.throwError("TypeError", "Body has already been used")
		}
		c := *r
		c.headers = r.headers.clone()
		return w.newRequestObject(&c)
	})
}

// ---- Response

type response struct {
	status     int
	statusText string
	headers    *headerList
	body       *body
	url        string
	redirected bool
	webSocket  Value
}

func (w *world) responseOf(v Value) *response {
	if o, ok := v.(*Object); ok {
		if r, ok := o.host.(*response); ok {
			return r
		}
	}
	w.throwError("TypeError", "Illegal invocation: not a Response")
	return nil
}

func (w *world) newResponseObject(r *response) *Object {
	return w.newHostObject("Response", w.ctors["Response"].Get("prototype").(*Object), r)
}

func (w *world) makeResponse(bodyV Value, init Value) *Object {
	r := &response{status: 200, headers: newHeaderList(), body: w.bodyFrom(bodyV)}
	if io, ok := init.(*Object); ok {
		if src, ok := io.host.(*response); ok { // new Response(body, otherResponse)
			r.status, r.statusText, r.headers = src.status, src.statusText, src.headers.clone()
		} else {
			if s := io.Get("status"); s != Undefined {
				r.status = int(toNumber(s))
			}
			if s := io.Get("statusText"); s != Undefined {
				r.statusText = toString(s)
			}
			if h := io.Get("headers"); h != Undefined {
				w.fillHeaders(r.headers, h)
			}
			if ws := io.Get("webSocket"); ws != Undefined {
				r.webSocket = ws
			}
		}
	}
	if (r.status < 200 || r.status > 599) && !(r.status == 101 && r.webSocket != nil) {
		w.throwError("RangeError", fmt.Sprintf("Responses may only be constructed with status codes in the range 200 to 599, inclusive. Got %d", r.status))
	}
	if _, ok := r.headers.get("content-type"); !ok {
		switch x := bodyV.(type) {
		case string:
			r.headers.set("content-type", "text/plain;charset=UTF-8")
		case *Object:
			if x.Class == "URLSearchParams" {
				r.headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8")
			}
		}
	}
	return w.newResponseObject(r)
}

func (w *world) installResponse() {
	P := w.protoOf("Response")
	C := w.defineClass("Response", P, func(args []Value) Value { return w.makeResponse(arg(args, 0), arg(args, 1)) })
	w.method(C, "json", func(_ Value, a []Value) Value {
		s, ok := w.jsonStringify(arg(a, 0), "")
		if !ok {
			w.throwError("TypeError", "Value is not JSON serializable")
		}
		resp := w.makeResponse(s, arg(a, 1))
		h := w.responseOf(resp).headers
		if ct, _ := h.get("content-type"); ct == "text/plain;charset=UTF-8" {
			h.set("content-type", "application/json")
		}
		return resp
	})
	w.method(C, "redirect", func(_ Value, a []Value) Value {
		status := 302
		if s := arg(a, 1); s != Undefined {
			status = int(toNumber(s))
		}
		switch status {
		case 301, 302, 303, 307, 308:
		default:
			w.throwError("RangeError", fmt.Sprintf("Invalid status code %d", status))
		}
		u := toString(arg(a, 0))
		if _, err := url.Parse(u); err != nil {
			w.throwError("TypeError", "Invalid URL: "+u)
		}
		r := &response{status: status, headers: newHeaderList(), body: &body{null: true}}
		r.headers.set("location", u)
		return w.newResponseObject(r)
	})
	w.method(C, "error", func(_ Value, a []Value) Value {
		return w.newResponseObject(&response{status: 0, headers: newHeaderList(), body: &body{null: true}})
	})
	w.getter(P, "status", func(this *Object) Value { return float64(w.responseOf(this).status) })
	w.getter(P, "statusText", func(this *Object) Value { return w.responseOf(this).statusText })
	w.getter(P, "ok", func(this *Object) Value { s := w.responseOf(this).status; return s >= 200 && s < 300 })
	w.getter(P, "url", func(this *Object) Value { return w.responseOf(this).url })
	w.getter(P, "redirected", func(this *Object) Value { return w.responseOf(this).redirected })
	w.getter(P, "type", func(this *Object) Value { return "default" })
	w.getter(P, "webSocket", func(this *Object) Value {
		if ws := w.responseOf(this).webSocket; ws != nil {
			return ws
		}
		return nil
	})
	w.getter(P, "headers", func(this *Object) Value {
		r := w.responseOf(this)
		if this.props == nil || this.props["@headers"] == nil {
			this.Set("@headers", w.newHeaders(r.headers))
		}
		return this.props["@headers"]
	})
	w.installBodyMethods(P, func(this Value) *body { return w.responseOf(this).body })
	w.method(P, "clone", func(this Value, a []Value) Value {
		r := w.responseOf(this)
		if r.body.used {
			w.throwError("TypeError", "Body has already been used")
		}
		c := *r
		c.headers = r.headers.clone()
		if r.body.stream != nil {
			w.throwError("TypeError", "cloning a streamed body is not supported by the pyworkers runtime yet")
		}
		b := *r.body
		c.body = &b
		return w.newResponseObject(&c)
	})
}

// ---- ReadableStream, Blob, AbortController

func (w *world) installStreams() {
	P := w.protoOf("ReadableStream")
	w.defineClass("ReadableStream", P, func(args []Value) Value {
		s := &streamState{}
		o := w.newReadableStream(s)
		src, _ := arg(args, 0).(*Object)
		if src == nil {
			return o
		}
		ctl := w.newObject()
		w.method(ctl, "enqueue", func(_ Value, a []Value) Value {
			if s.closed {
				w.throwError("TypeError", "Cannot enqueue a chunk into a closed readable stream")
			}
			c := arg(a, 0)
			if co, ok := c.(*Object); ok && (co.kind == kindUint8Array || co.kind == kindArrayBuffer) {
				w.streamEnqueue(s, append([]byte{}, co.bytes()...))
			} else {
				w.streamEnqueue(s, []byte(toString(c)))
			}
			return Undefined
		})
		w.method(ctl, "close", func(Value, []Value) Value { w.streamClose(s); return Undefined })
		w.method(ctl, "error", func(_ Value, a []Value) Value { s.err = arg(a, 0); s.closed = true; return Undefined })
		if start, ok := src.Get("start").(*Object); ok && start.call != nil {
			start.call(src, []Value{ctl})
		}
		if pull, ok := src.Get("pull").(*Object); ok && pull.call != nil {
			// Pull until the source closes; each pull may return a promise.
			var step func()
			step = func() {
				if s.closed {
					return
				}
				r := pull.call(src, []Value{ctl})
				w.onSettled(w.promiseResolve(r), func(Value) { step() }, func(e Value) { s.err, s.closed = e, true })
			}
			w.loop.queueMicrotask(step)
		}
		return o
	})
	w.getter(P, "locked", func(this *Object) Value { return w.streamOf(this).locked })
	w.method(P, "getReader", func(this Value, a []Value) Value {
		s := w.streamOf(w.thisObject(this, "ReadableStream"))
		if s.locked {
			w.throwError("TypeError", "ReadableStream is locked")
		}
		s.locked = true
		r := w.newObject()
		r.Class = "ReadableStreamDefaultReader"
		w.method(r, "read", func(Value, []Value) Value { return w.streamRead(s) })
		w.method(r, "releaseLock", func(Value, []Value) Value { s.locked = false; return Undefined })
		w.method(r, "cancel", func(Value, []Value) Value { w.streamClose(s); return w.promiseResolve(Undefined) })
		return r
	})
	w.method(P, "cancel", func(this Value, a []Value) Value {
		w.streamClose(w.streamOf(w.thisObject(this, "ReadableStream")))
		return w.promiseResolve(Undefined)
	})
	// for await (const chunk of stream): Python's `async for chunk in stream`.
	w.method(P, "@@asyncIterator", func(this Value, a []Value) Value {
		s := w.streamOf(w.thisObject(this, "ReadableStream"))
		it := w.newObject()
		w.method(it, "next", func(Value, []Value) Value { return w.streamRead(s) })
		w.method(it, "return", func(Value, []Value) Value {
			w.streamClose(s)
			return w.promiseResolve(w.newObjectFrom("done", true, "value", Undefined))
		})
		return it
	})

	// TransformStream (identity) with its WritableStream side: what
	// workers.asgi uses to stream a response body.
	WP := w.protoOf("WritableStream")
	w.defineClass("WritableStream", WP, func(args []Value) Value {
		w.throwError("TypeError", "WritableStream is only available through TransformStream in the pyworkers runtime")
		return nil
	})
	TP := w.protoOf("TransformStream")
	w.defineClass("TransformStream", TP, func(args []Value) Value {
		s := &streamState{}
		t := w.newHostObject("TransformStream", TP, s)
		t.Set("readable", w.newReadableStream(s))
		ws := w.newHostObject("WritableStream", WP, s)
		t.Set("writable", ws)
		write := func(c Value) {
			if s.closed {
				w.throwError("TypeError", "This WritableStream is closed")
			}
			if co, ok := c.(*Object); ok && (co.kind == kindUint8Array || co.kind == kindArrayBuffer) {
				w.streamEnqueue(s, append([]byte{}, co.bytes()...))
			} else {
				w.streamEnqueue(s, []byte(toString(c)))
			}
		}
		w.method(ws, "getWriter", func(Value, []Value) Value {
			wr := w.newObject()
			wr.Class = "WritableStreamDefaultWriter"
			wr.Set("ready", w.promiseResolve(Undefined))
			wr.Set("desiredSize", 1.0)
			w.method(wr, "write", func(_ Value, a []Value) Value {
				return w.asyncHost(func() Value { write(arg(a, 0)); return Undefined })
			})
			w.method(wr, "close", func(Value, []Value) Value { w.streamClose(s); return w.promiseResolve(Undefined) })
			w.method(wr, "abort", func(_ Value, a []Value) Value {
				s.err = arg(a, 0)
				w.streamClose(s)
				return w.promiseResolve(Undefined)
			})
			w.method(wr, "releaseLock", func(Value, []Value) Value { return Undefined })
			return wr
		})
		return t
	})

	BP := w.protoOf("Blob")
	w.defineClass("Blob", BP, func(args []Value) Value {
		var buf bytes.Buffer
		if parts, ok := arg(args, 0).(*Object); ok {
			w.iterate(parts, func(p Value) {
				if po, ok := p.(*Object); ok {
					if b, ok := po.host.([]byte); ok {
						buf.Write(b)
						return
					}
					if po.kind == kindUint8Array || po.kind == kindArrayBuffer {
						buf.Write(po.bytes())
						return
					}
				}
				buf.WriteString(toString(p))
			})
		}
		o := w.newHostObject("Blob", BP, buf.Bytes())
		typ := ""
		if opts, ok := arg(args, 1).(*Object); ok && opts.Get("type") != Undefined {
			typ = toString(opts.Get("type"))
		}
		o.Set("type", typ)
		return o
	})
	blobBytes := func(this Value) []byte { b, _ := w.thisObject(this, "Blob").host.([]byte); return b }
	w.getter(BP, "size", func(this *Object) Value { return float64(len(blobBytes(this))) })
	w.method(BP, "text", func(this Value, a []Value) Value { return w.promiseResolve(string(blobBytes(this))) })
	w.method(BP, "arrayBuffer", func(this Value, a []Value) Value {
		return w.promiseResolve(w.newArrayBuffer(append([]byte{}, blobBytes(this)...)))
	})

	SP := w.protoOf("AbortSignal")
	sigC := w.defineClass("AbortSignal", SP, func(args []Value) Value {
		w.throwError("TypeError", "Illegal constructor")
		return nil
	})
	w.method(sigC, "any", func(_ Value, a []Value) Value { return w.newAbortSignal() })
	w.method(sigC, "timeout", func(_ Value, a []Value) Value { return w.newAbortSignal() })
	CP := w.protoOf("AbortController")
	w.defineClass("AbortController", CP, func(args []Value) Value {
		c := w.newHostObject("AbortController", CP, nil)
		sig := w.newAbortSignal()
		c.Set("signal", sig)
		w.method(c, "abort", func(_ Value, a []Value) Value {
			sig.Set("aborted", true)
			sig.Set("reason", arg(a, 0))
			return Undefined
		})
		return c
	})
}

func (w *world) newAbortSignal() *Object {
	s := w.newHostObject("AbortSignal", w.ctors["AbortSignal"].Get("prototype").(*Object), nil)
	s.Set("aborted", false)
	s.Set("reason", Undefined)
	w.method(s, "addEventListener", func(Value, []Value) Value { return Undefined })
	w.method(s, "removeEventListener", func(Value, []Value) Value { return Undefined })
	w.method(s, "throwIfAborted", func(Value, []Value) Value {
		if truthy(s.Get("aborted")) {
			panic(&jsThrow{s.Get("reason")})
		}
		return Undefined
	})
	return s
}

// ---- URL and URLSearchParams

type urlState struct {
	u      *url.URL
	params *Object
}

func (w *world) installURL() {
	SP := w.protoOf("URLSearchParams")
	type params struct {
		pairs [][2]string
		owner *urlState
	}
	paramsOf := func(this Value) *params {
		p, ok := w.thisObject(this, "URLSearchParams").host.(*params)
		if !ok {
			w.throwError("TypeError", "not a URLSearchParams")
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
	newParams := func(p *params) *Object { return w.newHostObject("URLSearchParams", SP, p) }
	w.defineClass("URLSearchParams", SP, func(args []Value) Value {
		p := &params{}
		switch x := arg(args, 0).(type) {
		case string:
			p.pairs = parse(x)
		case *Object:
			if x.kind == kindArray || x.kind == kindMap || w.hasMethod(x, "@@iterator") {
				w.iterate(x, func(e Value) { p.pairs = append(p.pairs, [2]string{toString(w.get(e, "0")), toString(w.get(e, "1"))}) })
			} else {
				for _, k := range x.OwnKeys() {
					p.pairs = append(p.pairs, [2]string{k, toString(x.Get(k))})
				}
			}
		}
		return newParams(p)
	})
	w.method(SP, "get", func(this Value, a []Value) Value {
		k := toString(arg(a, 0))
		for _, kv := range paramsOf(this).pairs {
			if kv[0] == k {
				return kv[1]
			}
		}
		return nil
	})
	w.method(SP, "getAll", func(this Value, a []Value) Value {
		k := toString(arg(a, 0))
		out := w.newArray()
		for _, kv := range paramsOf(this).pairs {
			if kv[0] == k {
				out.arr = append(out.arr, kv[1])
			}
		}
		return out
	})
	w.method(SP, "has", func(this Value, a []Value) Value {
		k := toString(arg(a, 0))
		for _, kv := range paramsOf(this).pairs {
			if kv[0] == k {
				return true
			}
		}
		return false
	})
	w.method(SP, "append", func(this Value, a []Value) Value {
		p := paramsOf(this)
		p.pairs = append(p.pairs, [2]string{toString(arg(a, 0)), toString(arg(a, 1))})
		sync(p)
		return Undefined
	})
	w.method(SP, "delete", func(this Value, a []Value) Value {
		p := paramsOf(this)
		k := toString(arg(a, 0))
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
	w.method(SP, "set", func(this Value, a []Value) Value {
		p := paramsOf(this)
		k, v := toString(arg(a, 0)), toString(arg(a, 1))
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
	w.method(SP, "toString", func(this Value, a []Value) Value { return encode(paramsOf(this)) })
	entries := w.method(SP, "entries", func(this Value, a []Value) Value {
		var items []Value
		for _, kv := range paramsOf(this).pairs {
			items = append(items, w.newArray(kv[0], kv[1]))
		}
		return w.makeIterator(items)
	})
	SP.Set("@@iterator", entries)
	w.method(SP, "keys", func(this Value, a []Value) Value {
		var items []Value
		for _, kv := range paramsOf(this).pairs {
			items = append(items, kv[0])
		}
		return w.makeIterator(items)
	})

	UP := w.protoOf("URL")
	urlOf := func(this *Object) *urlState {
		s, ok := this.host.(*urlState)
		if !ok {
			w.throwError("TypeError", "not a URL")
		}
		return s
	}
	parseURL := func(input, base Value) (*url.URL, bool) {
		s := toString(input)
		var u *url.URL
		var err error
		if base != Undefined {
			b, err := url.Parse(toString(base))
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
	urlC := w.defineClass("URL", UP, func(args []Value) Value {
		u, ok := parseURL(arg(args, 0), arg(args, 1))
		if !ok {
			w.throwError("TypeError", "Invalid URL: "+toString(arg(args, 0)))
		}
		return w.newHostObject("URL", UP, &urlState{u: u})
	})
	w.method(urlC, "canParse", func(_ Value, a []Value) Value { _, ok := parseURL(arg(a, 0), arg(a, 1)); return ok })
	href := func(this *Object) Value { return urlOf(this).u.String() }
	w.getter(UP, "href", href)
	w.method(UP, "toString", func(this Value, a []Value) Value { return href(w.thisObject(this, "URL")) })
	w.method(UP, "toJSON", func(this Value, a []Value) Value { return href(w.thisObject(this, "URL")) })
	w.getter(UP, "protocol", func(this *Object) Value { return urlOf(this).u.Scheme + ":" })
	w.getter(UP, "host", func(this *Object) Value { return urlOf(this).u.Host })
	w.getter(UP, "hostname", func(this *Object) Value { return urlOf(this).u.Hostname() })
	w.getter(UP, "port", func(this *Object) Value { return urlOf(this).u.Port() })
	w.getter(UP, "pathname", func(this *Object) Value { return urlOf(this).u.EscapedPath() })
	w.getter(UP, "origin", func(this *Object) Value { u := urlOf(this).u; return u.Scheme + "://" + u.Host })
	w.getter(UP, "username", func(this *Object) Value { return urlOf(this).u.User.Username() })
	w.getter(UP, "password", func(this *Object) Value { p, _ := urlOf(this).u.User.Password(); return p })
	w.getter(UP, "search", func(this *Object) Value {
		if q := urlOf(this).u.RawQuery; q != "" {
			return "?" + q
		}
		return ""
	})
	w.getter(UP, "hash", func(this *Object) Value {
		if f := urlOf(this).u.EscapedFragment(); f != "" {
			return "#" + f
		}
		return ""
	})
	w.getter(UP, "searchParams", func(this *Object) Value {
		s := urlOf(this)
		if s.params == nil {
			s.params = newParams(&params{pairs: parse(s.u.RawQuery), owner: s})
		}
		return s.params
	})
}

// ---- console and crypto

func (w *world) installConsole(sink func(level string, line string)) {
	c := w.newObject()
	w.globalThis.Set("console", c)
	for _, level := range []string{"log", "info", "warn", "error", "debug", "trace"} {
		w.method(c, level, func(_ Value, a []Value) Value {
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
func (w *world) inspect(v Value) string {
	switch x := v.(type) {
	case string:
		return x
	case *Object:
		if x.kind == kindPyProxy {
			return toString(x)
		}
		if x.proto == w.ErrorProto || (x.proto != nil && x.proto.proto == w.ErrorProto) {
			return describeError(x)
		}
		if x.kind == kindPlain && x.host == nil || x.kind == kindArray {
			if s, ok := w.jsonStringify(x, ""); ok {
				return s
			}
		}
		return toString(x)
	}
	return toString(v)
}

func (w *world) installCrypto() {
	c := w.newObject()
	w.globalThis.Set("crypto", c)
	w.method(c, "getRandomValues", func(_ Value, a []Value) Value {
		o, ok := arg(a, 0).(*Object)
		if !ok || (o.kind != kindUint8Array) {
			w.throwError("TypeError", "crypto.getRandomValues: expected an integer TypedArray")
		}
		b := o.bytes()
		if len(b) > 65536 {
			w.throwError("QuotaExceededError", "crypto.getRandomValues: at most 65536 bytes")
		}
		_, _ = crand.Read(b)
		return o
	})
	w.method(c, "randomUUID", func(Value, []Value) Value {
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

func (w *world) installFetch(allowNet bool, client *http.Client) {
	w.method(w.globalThis, "fetch", func(_ Value, a []Value) Value {
		var req *request
		if th := w.catch(func() { req = w.requestOf(w.construct(w.ctors["Request"], a)) }); th != nil {
			return w.rejected(th.v)
		}
		if !allowNet {
			return w.rejected(w.newError("TypeError", netDisabledMessage+" (fetch "+req.method+" "+req.url+")"))
		}
		out := w.newPromise()
		send := func(payload []byte) {
			w.loop.external(func(done func(func())) {
				go func() {
					resp, data, err := doHTTP(client, req, payload)
					done(func() {
						if err != nil {
							w.rejectPromise(out, w.newError("TypeError", "fetch failed: "+err.Error()))
							return
						}
						h := newHeaderList()
						for k, vs := range resp.Header {
							for _, v := range vs {
								h.add(k, v)
							}
						}
						r := &response{status: resp.StatusCode, statusText: strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode)+" "),
							headers: h, body: &body{data: data}, url: req.url}
						w.resolvePromise(out, w.newResponseObject(r))
					})
				}()
			})
		}
		if req.body.null {
			send(nil)
		} else {
			w.onSettled(w.readAll(req.body), func(v Value) { send(v.(*Object).bytes()) }, func(e Value) { w.rejectPromise(out, e) })
		}
		return out
	})
}

func doHTTP(client *http.Client, req *request, payload []byte) (*http.Response, []byte, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	hr, err := http.NewRequest(req.method, req.url, rd)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range req.headers.names {
		for _, v := range req.headers.values[n] {
			hr.Header.Add(n, v)
		}
	}
	resp, err := client.Do(hr)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return resp, data, err
}

// installWebAPIs adds everything in this file to the world.
func (w *world) installWebAPIs(allowNet bool, console func(level, line string)) {
	w.installHeaders()
	w.installRequest()
	w.installResponse()
	w.installStreams()
	w.installURL()
	w.installConsole(console)
	w.installCrypto()
	w.installFetch(allowNet, &http.Client{Timeout: 30 * time.Second})
}
