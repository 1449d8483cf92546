package webapi

// HTMLRewriter, Cloudflare's streaming HTML rewriter: on(selector, handlers)
// with element, comments and text handlers, onDocument(handlers) with
// doctype, comments, text and end, transform(response). The HTML is read
// with golang.org/x/net/html's tokenizer (not parsed into a normalised
// tree, so what is not rewritten comes out byte for byte) and selectors are
// matched with cascadia against the chain of open elements. Handlers may be
// async: the rewriter waits for a returned promise before it goes on. The
// response body is written out as the rewriting proceeds.

import (
	"bytes"
	"html"
	"strings"

	"github.com/andybalholm/cascadia"
	xhtml "golang.org/x/net/html"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

type rewriterRule struct {
	match   cascadia.Selector
	handler Value
}

type htmlRewriter struct {
	rules    []rewriterRule
	document []Value
}

func (w *Web) installHTMLRewriter() {
	P := w.NewObject()
	w.DefineClass("HTMLRewriter", P, func(args []Value) Value {
		return w.NewHostObject("HTMLRewriter", P, &htmlRewriter{})
	})
	of := func(this Value) *htmlRewriter {
		if o, ok := this.(*Object); ok {
			if rw, ok := o.Host.(*htmlRewriter); ok {
				return rw
			}
		}
		w.ThrowError("TypeError", "Illegal invocation: not an HTMLRewriter")
		return nil
	}
	w.Method(P, "on", func(this Value, a []Value) Value {
		rw := of(this)
		sel := js.ToString(js.Arg(a, 0))
		m, err := cascadia.Compile(sel)
		if err != nil {
			w.ThrowError("TypeError", "Parser error: invalid selector "+sel+": "+err.Error())
		}
		rw.rules = append(rw.rules, rewriterRule{match: m, handler: js.Arg(a, 1)})
		return this
	})
	onDocument := func(this Value, a []Value) Value {
		rw := of(this)
		rw.document = append(rw.document, js.Arg(a, 0))
		return this
	}
	w.Method(P, "onDocument", onDocument)
	w.Method(P, "on_document", onDocument) // the Python spelling, as Python code reads naturally
	w.Method(P, "transform", func(this Value, a []Value) Value {
		rw := of(this)
		in := w.ResponseOf(js.Arg(a, 0))
		st := &StreamState{}
		h := in.Headers.clone()
		h.del("content-length")
		out := &Response{Status: in.Status, StatusText: in.StatusText, Headers: h, url: in.url, Body: &Body{Stream: w.NewReadableStream(st)}}
		if in.Body == nil || in.Body.Null {
			w.StreamClose(st)
			return w.NewResponseObject(out)
		}
		w.OnSettled(w.ReadAll(in.Body), func(v Value) {
			data := v.(*Object).Bytes()
			run := &rewriteRun{w: w, rw: rw, out: st}
			run.start(data)
		}, func(e Value) {
			w.StreamError(st, e)
		})
		return w.NewResponseObject(out)
	})
}

// rewriteRun is one transform: the tokens, the open elements, and what the
// handlers asked for.
type rewriteRun struct {
	w      *Web
	rw     *htmlRewriter
	out    *StreamState
	tokens []rwToken
	i      int
	root   *xhtml.Node
	open   []*openElement
	skip   int // > 0: inside a removed element's content (depth)
	buf    bytes.Buffer
	failed bool
}

type rwToken struct {
	typ xhtml.TokenType
	tok xhtml.Token
	raw []byte
}

type openElement struct {
	node      *xhtml.Node
	matched   []Value // the handlers whose selectors matched it
	el        *elementState
	keepInner bool // removeAndKeepContent: drop the tags, keep the content
}

// elementState is what element handlers changed on one element.
type elementState struct {
	tag                    string
	attrs                  []xhtml.Attribute
	before, after          []string
	prepend, append        []string
	replace                *string
	inner                  *string
	removed, keepContent   bool
	selfClosing, attrsEdit bool
	endHandlers            []Value
}

func (r *rewriteRun) start(data []byte) {
	z := xhtml.NewTokenizer(bytes.NewReader(data))
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		raw := append([]byte(nil), z.Raw()...)
		r.tokens = append(r.tokens, rwToken{typ: tt, tok: z.Token(), raw: raw})
	}
	r.root = &xhtml.Node{Type: xhtml.DocumentNode}
	r.step()
}

// step processes tokens until a handler returns a pending promise (it then
// continues when that settles) or the document ends.
func (r *rewriteRun) step() {
	for r.i < len(r.tokens) && !r.failed {
		t := r.tokens[r.i]
		r.i++
		if p := r.token(t); p != nil {
			r.flush()
			r.w.OnSettled(p, func(Value) { r.step() }, func(e Value) { r.fail(e) })
			return
		}
		if r.buf.Len() > 16<<10 {
			r.flush()
		}
	}
	if r.failed {
		return
	}
	if p := r.documentEnd(); p != nil {
		r.flush()
		r.w.OnSettled(p, func(Value) { r.finish() }, func(e Value) { r.fail(e) })
		return
	}
	r.finish()
}

func (r *rewriteRun) finish() {
	r.flush()
	r.w.StreamClose(r.out)
}

func (r *rewriteRun) fail(e Value) {
	r.failed = true
	r.w.StreamError(r.out, e)
}

func (r *rewriteRun) flush() {
	if r.buf.Len() > 0 {
		r.w.StreamEnqueue(r.out, append([]byte(nil), r.buf.Bytes()...))
		r.buf.Reset()
	}
}

// call calls handler[name](arg) if the handler has it; a returned thenable
// is given back to wait for.
func (r *rewriteRun) call(handler Value, name string, arg Value) *Object {
	fn := r.w.Get(handler, name)
	if f, ok := fn.(*Object); !ok || f.Call == nil {
		return nil
	}
	var res Value
	if th := r.w.Catch(func() { res = r.w.Call(fn, handler, arg) }); th != nil {
		return r.w.Rejected(th.Value)
	}
	if r.w.HasMethod(res, "then") {
		return r.w.PromiseResolve(res)
	}
	return nil
}

var voidElements = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true}

// token handles one token; a non-nil promise means: wait for it, then go on.
func (r *rewriteRun) token(t rwToken) *Object {
	switch t.typ {
	case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
		return r.startTag(t)
	case xhtml.EndTagToken:
		return r.endTag(t)
	case xhtml.TextToken:
		return r.textOrComment(t, "text")
	case xhtml.CommentToken:
		return r.textOrComment(t, "comments")
	case xhtml.DoctypeToken:
		if r.skip == 0 {
			r.buf.Write(t.raw)
		}
		d := r.w.NewObject()
		d.Set("name", t.tok.Data)
		d.Set("publicId", nil)
		d.Set("systemId", nil)
		return r.callAll(r.rw.document, "doctype", d, func() {})
	}
	return nil
}

func (r *rewriteRun) parent() *xhtml.Node {
	if len(r.open) > 0 {
		return r.open[len(r.open)-1].node
	}
	return r.root
}

func (r *rewriteRun) startTag(t rwToken) *Object {
	n := &xhtml.Node{Type: xhtml.ElementNode, Data: t.tok.Data, DataAtom: t.tok.DataAtom, Attr: t.tok.Attr}
	r.parent().AppendChild(n)
	void := voidElements[t.tok.Data] || t.typ == xhtml.SelfClosingTagToken
	oe := &openElement{node: n}
	if r.skip > 0 {
		if !void {
			r.skip++
			r.open = append(r.open, oe)
		}
		return nil
	}
	for _, rule := range r.rw.rules {
		if rule.match(n) {
			oe.matched = append(oe.matched, rule.handler)
		}
	}
	if len(oe.matched) > 0 {
		oe.el = &elementState{tag: t.tok.Data, attrs: append([]xhtml.Attribute(nil), t.tok.Attr...), selfClosing: t.typ == xhtml.SelfClosingTagToken}
	}
	// Handlers run before the start tag is written (in registration
	// order); a promise pauses the run until it settles.
	emit := func() { r.emitStart(t, oe, void) }
	if oe.el == nil {
		emit()
		return nil
	}
	return r.callAll(oe.matched, "element", r.elementObject(oe.el), emit)
}

// callAll calls handler[name](obj) for each handler in turn, waiting for a
// returned promise before the next, then runs then. It returns nil when it
// all ran at once, else a promise settled when it has.
func (r *rewriteRun) callAll(handlers []Value, name string, obj Value, then func()) *Object {
	for i, h := range handlers {
		p := r.call(h, name, obj)
		if p == nil {
			continue
		}
		done := r.w.NewPromise()
		rest := handlers[i+1:]
		r.w.OnSettled(p, func(Value) {
			if q := r.callAll(rest, name, obj, then); q != nil {
				r.w.OnSettled(q, func(Value) { r.w.ResolvePromise(done, Undefined) }, func(e Value) { r.w.RejectPromise(done, e) })
				return
			}
			r.w.ResolvePromise(done, Undefined)
		}, func(e Value) { r.w.RejectPromise(done, e) })
		return done
	}
	then()
	return nil
}

// emitStart writes an element's start (or its replacement) after its
// handlers ran, and opens it.
func (r *rewriteRun) emitStart(t rwToken, oe *openElement, void bool) {
	el := oe.el
	if el == nil {
		r.buf.Write(t.raw)
		if !void {
			r.open = append(r.open, oe)
		}
		return
	}
	for _, s := range el.before {
		r.buf.WriteString(s)
	}
	switch {
	case el.replace != nil:
		r.buf.WriteString(*el.replace)
		if !void {
			r.open = append(r.open, oe)
			r.skip = 1
		}
		return
	case el.removed && !el.keepContent:
		if !void {
			r.open = append(r.open, oe)
			r.skip = 1
		}
		return
	case el.removed && el.keepContent:
		oe.keepInner = true
	default:
		if el.attrsEdit || el.tag != t.tok.Data {
			r.buf.WriteString(startTagText(el, t.typ == xhtml.SelfClosingTagToken))
		} else {
			r.buf.Write(t.raw)
		}
	}
	for _, s := range el.prepend {
		r.buf.WriteString(s)
	}
	if el.inner != nil {
		r.buf.WriteString(*el.inner)
	}
	if void {
		for _, s := range el.after {
			r.buf.WriteString(s)
		}
		return
	}
	r.open = append(r.open, oe)
	if el.inner != nil {
		r.skip = 1
	}
}

func startTagText(el *elementState, selfClosing bool) string {
	var b strings.Builder
	b.WriteString("<" + el.tag)
	for _, a := range el.attrs {
		b.WriteString(" " + a.Key + `="` + html.EscapeString(a.Val) + `"`)
	}
	if selfClosing {
		b.WriteString(" /")
	}
	b.WriteString(">")
	return b.String()
}

func (r *rewriteRun) endTag(t rwToken) *Object {
	// Close up to the matching open element (the tokenizer does not fix
	// misnesting: an end tag closes the nearest open element of its name).
	idx := -1
	for i := len(r.open) - 1; i >= 0; i-- {
		if r.open[i].node.Data == t.tok.Data {
			idx = i
			break
		}
	}
	if idx < 0 {
		if r.skip == 0 {
			r.buf.Write(t.raw)
		}
		return nil
	}
	oe := r.open[idx]
	r.open = r.open[:idx]
	if r.skip > 1 {
		r.skip--
		return nil
	}
	el := oe.el
	if r.skip == 1 {
		r.skip = 0
		if el != nil && (el.replace != nil || (el.removed && !el.keepContent)) {
			for _, s := range el.after {
				r.buf.WriteString(s)
			}
			return nil
		}
	}
	if el == nil {
		r.buf.Write(t.raw)
		return nil
	}
	for _, s := range el.append {
		r.buf.WriteString(s)
	}
	end := &chunkState{text: el.tag}
	emit := func() {
		for _, s := range end.before {
			r.buf.WriteString(s)
		}
		if !oe.keepInner && !end.removed {
			if end.text != t.tok.Data {
				r.buf.WriteString("</" + end.text + ">")
			} else {
				r.buf.Write(t.raw)
			}
		}
		for _, s := range end.after {
			r.buf.WriteString(s)
		}
		for _, s := range el.after {
			r.buf.WriteString(s)
		}
	}
	if len(el.endHandlers) == 0 {
		emit()
		return nil
	}
	obj := r.w.NewObject()
	r.w.Getter(obj, "name", func(*Object) Value { return end.text })
	r.w.Method(obj, "before", func(_ Value, a []Value) Value { end.before = append(end.before, content(a)); return obj })
	r.w.Method(obj, "after", func(_ Value, a []Value) Value { end.after = append([]string{content(a)}, end.after...); return obj })
	r.w.Method(obj, "remove", func(Value, []Value) Value { end.removed = true; return obj })
	// onEndTag handlers are functions, not objects with a method.
	var fns []Value
	for _, f := range el.endHandlers {
		holder := r.w.NewObject()
		holder.Set("call", f)
		fns = append(fns, holder)
	}
	return r.callAll(fns, "call", obj, emit)
}

// textOrComment gives a text or comment token to the handlers of the open
// elements that matched, then to the document handlers.
func (r *rewriteRun) textOrComment(t rwToken, kind string) *Object {
	if r.skip > 0 {
		return nil
	}
	var handlers []Value
	for _, oe := range r.open {
		handlers = append(handlers, oe.matched...)
	}
	handlers = append(handlers, r.rw.document...)
	if len(handlers) == 0 {
		r.buf.Write(t.raw)
		return nil
	}
	ch := &chunkState{text: string(t.raw)}
	if kind == "comments" {
		ch.text = t.tok.Data
	}
	obj := r.chunkObject(ch, kind)
	emit := func() {
		for _, s := range ch.before {
			r.buf.WriteString(s)
		}
		switch {
		case ch.replace != nil:
			r.buf.WriteString(*ch.replace)
		case ch.removed:
		case kind == "comments":
			r.buf.WriteString("<!--" + ch.text + "-->")
		default:
			r.buf.WriteString(ch.text)
		}
		for _, s := range ch.after {
			r.buf.WriteString(s)
		}
	}
	return r.callAll(handlers, kind, obj, emit)
}

func (r *rewriteRun) documentEnd() *Object {
	if len(r.rw.document) == 0 {
		return nil
	}
	var appended []string
	end := r.w.NewObject()
	r.w.Method(end, "append", func(_ Value, a []Value) Value {
		appended = append(appended, content(a))
		return end
	})
	return r.callAll(r.rw.document, "end", end, func() {
		for _, s := range appended {
			r.buf.WriteString(s)
		}
	})
}

// content is a handler's (content, {html}) argument as HTML: escaped
// unless html is true.
func content(a []Value) string {
	s := js.ToString(js.Arg(a, 0))
	if o, ok := js.Arg(a, 1).(*Object); ok && js.Truthy(o.Get("html")) {
		return s
	}
	return html.EscapeString(s)
}

// elementObject is the Element a handler receives.
func (r *rewriteRun) elementObject(el *elementState) *Object {
	w := r.w
	o := w.NewObject()
	w.Getter(o, "tagName", func(*Object) Value { return el.tag })
	w.Getter(o, "removed", func(*Object) Value { return el.removed || el.replace != nil })
	w.Getter(o, "namespaceURI", func(*Object) Value { return "http://www.w3.org/1999/xhtml" })
	w.Getter(o, "selfClosing", func(*Object) Value { return el.selfClosing })
	w.Getter(o, "canHaveContent", func(*Object) Value { return !voidElements[el.tag] && !el.selfClosing })
	w.Getter(o, "attributes", func(*Object) Value {
		items := make([]Value, len(el.attrs))
		for i, a := range el.attrs {
			items[i] = w.NewArray(a.Key, a.Val)
		}
		return w.MakeIterator(items)
	})
	w.Method(o, "setTagName", func(_ Value, a []Value) Value { el.tag = strings.ToLower(js.ToString(js.Arg(a, 0))); return o })
	w.Method(o, "getAttribute", func(_ Value, a []Value) Value {
		name := strings.ToLower(js.ToString(js.Arg(a, 0)))
		for _, at := range el.attrs {
			if at.Key == name {
				return at.Val
			}
		}
		return nil
	})
	w.Method(o, "hasAttribute", func(_ Value, a []Value) Value {
		name := strings.ToLower(js.ToString(js.Arg(a, 0)))
		for _, at := range el.attrs {
			if at.Key == name {
				return true
			}
		}
		return false
	})
	w.Method(o, "setAttribute", func(_ Value, a []Value) Value {
		name, val := strings.ToLower(js.ToString(js.Arg(a, 0))), js.ToString(js.Arg(a, 1))
		el.attrsEdit = true
		for i := range el.attrs {
			if el.attrs[i].Key == name {
				el.attrs[i].Val = val
				return o
			}
		}
		el.attrs = append(el.attrs, xhtml.Attribute{Key: name, Val: val})
		return o
	})
	w.Method(o, "removeAttribute", func(_ Value, a []Value) Value {
		name := strings.ToLower(js.ToString(js.Arg(a, 0)))
		el.attrsEdit = true
		kept := el.attrs[:0]
		for _, at := range el.attrs {
			if at.Key != name {
				kept = append(kept, at)
			}
		}
		el.attrs = kept
		return o
	})
	w.Method(o, "before", func(_ Value, a []Value) Value { el.before = append(el.before, content(a)); return o })
	w.Method(o, "after", func(_ Value, a []Value) Value { el.after = append([]string{content(a)}, el.after...); return o })
	w.Method(o, "prepend", func(_ Value, a []Value) Value { el.prepend = append([]string{content(a)}, el.prepend...); return o })
	w.Method(o, "append", func(_ Value, a []Value) Value { el.append = append(el.append, content(a)); return o })
	w.Method(o, "setInnerContent", func(_ Value, a []Value) Value {
		s := content(a)
		el.inner, el.prepend, el.append = &s, nil, nil
		return o
	})
	w.Method(o, "replace", func(_ Value, a []Value) Value { s := content(a); el.replace = &s; return o })
	w.Method(o, "remove", func(Value, []Value) Value { el.removed = true; return o })
	w.Method(o, "removeAndKeepContent", func(Value, []Value) Value { el.removed, el.keepContent = true, true; return o })
	w.Method(o, "onEndTag", func(_ Value, a []Value) Value {
		el.endHandlers = append(el.endHandlers, js.Arg(a, 0))
		return Undefined
	})
	return o
}

// chunkState is what handlers changed on a text chunk or comment.
type chunkState struct {
	text          string
	before, after []string
	replace       *string
	removed       bool
}

func (r *rewriteRun) chunkObject(ch *chunkState, kind string) *Object {
	w := r.w
	o := w.NewObject()
	if kind == "comments" {
		w.Getter(o, "text", func(*Object) Value { return ch.text })
		w.Method(o, "setText", func(_ Value, a []Value) Value { ch.text = js.ToString(js.Arg(a, 0)); return o })
	} else {
		w.Getter(o, "text", func(*Object) Value { return html.UnescapeString(ch.text) })
		o.Set("lastInTextNode", true)
	}
	w.Getter(o, "removed", func(*Object) Value { return ch.removed || ch.replace != nil })
	w.Method(o, "before", func(_ Value, a []Value) Value { ch.before = append(ch.before, content(a)); return o })
	w.Method(o, "after", func(_ Value, a []Value) Value { ch.after = append([]string{content(a)}, ch.after...); return o })
	w.Method(o, "replace", func(_ Value, a []Value) Value { s := content(a); ch.replace = &s; return o })
	w.Method(o, "remove", func(Value, []Value) Value { ch.removed = true; return o })
	return o
}
