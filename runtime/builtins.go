package runtime

// The ECMAScript builtins Pyodide, the Workers SDK and typical handlers touch.

import (
	"bytes"
	crand "crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

func (w *World) thisObject(this Value, class string) *Object {
	o, ok := this.(*Object)
	if !ok {
		w.throwError("TypeError", "Method "+class+" called on incompatible receiver "+toString(this))
	}
	return o
}

func (w *World) installBuiltins() {
	g := w.globalThis
	g.Set("globalThis", g)
	g.Set("self", g)
	g.Set("undefined", Undefined)
	g.Set("NaN", math.NaN())
	g.Set("Infinity", math.Inf(1))

	// Object
	objC := w.defineClass("Object", w.ObjectProto, func(args []Value) Value {
		if o, ok := arg(args, 0).(*Object); ok {
			return o
		}
		return w.newObject()
	})
	objC.call = func(this Value, args []Value) Value { return objC.ctor(args) }
	w.method(objC, "fromEntries", func(_ Value, a []Value) Value {
		o := w.newObject()
		w.iterate(arg(a, 0), func(e Value) { o.Set(toString(w.get(e, "0")), w.get(e, "1")) })
		return o
	})
	ownKeys := func(v Value) (*Object, []string) {
		o, ok := v.(*Object)
		if !ok {
			return nil, nil
		}
		return o, o.OwnKeys()
	}
	w.method(objC, "keys", func(_ Value, a []Value) Value {
		_, ks := ownKeys(arg(a, 0))
		out := w.newArray()
		for _, k := range ks {
			out.arr = append(out.arr, k)
		}
		return out
	})
	w.method(objC, "values", func(_ Value, a []Value) Value {
		o, ks := ownKeys(arg(a, 0))
		out := w.newArray()
		for _, k := range ks {
			out.arr = append(out.arr, o.Get(k))
		}
		return out
	})
	w.method(objC, "entries", func(_ Value, a []Value) Value {
		o, ks := ownKeys(arg(a, 0))
		out := w.newArray()
		for _, k := range ks {
			out.arr = append(out.arr, w.newArray(k, o.Get(k)))
		}
		return out
	})
	w.method(objC, "assign", func(_ Value, a []Value) Value {
		t, ok := arg(a, 0).(*Object)
		if !ok {
			w.throwError("TypeError", "Cannot convert undefined or null to object")
		}
		for _, s := range a[1:] {
			if so, ok := s.(*Object); ok {
				for _, k := range so.OwnKeys() {
					t.Set(k, so.Get(k))
				}
			}
		}
		return t
	})
	w.method(objC, "create", func(_ Value, a []Value) Value {
		o := w.newObject()
		o.proto, _ = arg(a, 0).(*Object)
		return o
	})
	w.method(objC, "getPrototypeOf", func(_ Value, a []Value) Value {
		if o, ok := arg(a, 0).(*Object); ok && o.proto != nil {
			return o.proto
		}
		return nil
	})
	w.method(objC, "freeze", func(_ Value, a []Value) Value {
		if o, ok := arg(a, 0).(*Object); ok {
			o.frozenKeys = true
		}
		return arg(a, 0)
	})
	w.method(objC, "defineProperty", func(_ Value, a []Value) Value {
		o, ok := arg(a, 0).(*Object)
		if !ok {
			w.throwError("TypeError", "Object.defineProperty called on non-object")
		}
		desc := arg(a, 2)
		if v := w.get(desc, "value"); v != Undefined {
			o.Set(toString(arg(a, 1)), v)
		} else if gf, ok := w.get(desc, "get").(*Object); ok && gf.call != nil {
			w.getter(o, toString(arg(a, 1)), func(this *Object) Value { return gf.call(this, nil) })
		}
		return o
	})
	w.method(w.ObjectProto, "toString", func(this Value, a []Value) Value {
		if o, ok := this.(*Object); ok {
			return "[object " + o.Class + "]"
		}
		return "[object " + typeOf(this) + "]"
	})
	w.method(w.ObjectProto, "hasOwnProperty", func(this Value, a []Value) Value {
		o, ok := this.(*Object)
		if !ok {
			return false
		}
		_, has := o.props[toString(arg(a, 0))]
		return has
	})
	w.method(w.ObjectProto, "valueOf", func(this Value, a []Value) Value { return this })

	// Function
	w.defineClass("Function", w.FunctionProto, func(args []Value) Value {
		w.throwError("EvalError", "Code generation from strings disallowed for this context")
		return nil
	})
	w.method(w.FunctionProto, "call", func(this Value, a []Value) Value {
		return w.call(this, arg(a, 0), a[min(1, len(a)):]...)
	})
	w.method(w.FunctionProto, "apply", func(this Value, a []Value) Value {
		var args []Value
		if ao, ok := arg(a, 1).(*Object); ok {
			w.iterate(ao, func(v Value) { args = append(args, v) })
		}
		return w.call(this, arg(a, 0), args...)
	})
	w.method(w.FunctionProto, "bind", func(this Value, a []Value) Value {
		target := this
		boundThis := arg(a, 0)
		bound := append([]Value{}, a[min(1, len(a)):]...)
		name := "bound "
		if fo, ok := this.(*Object); ok {
			name += fo.name
		}
		return w.newFunc(name, func(_ Value, args []Value) Value {
			return w.call(target, boundThis, append(append([]Value{}, bound...), args...)...)
		})
	})
	w.method(w.FunctionProto, "toString", func(this Value, a []Value) Value {
		name := ""
		if fo, ok := this.(*Object); ok {
			name = fo.name
		}
		return "function " + name + "() { [native code] }"
	})

	w.installArray()
	w.installCollections()
	w.installPromise()
	w.installErrors()
	w.installJSON()
	w.installPrimitives()
	w.installBuffers()

	// The iterator prototype makes iterators iterable.
	w.method(w.IteratorProto, "@@iterator", func(this Value, a []Value) Value { return this })

	w.method(g, "eval", func(_ Value, a []Value) Value {
		w.throwError("EvalError", "Code generation from strings disallowed for this context")
		return nil
	})
	w.method(g, "btoa", func(_ Value, a []Value) Value {
		s := toString(arg(a, 0))
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 0xff {
				w.throwError("InvalidCharacterError", "Invalid character")
			}
			b = append(b, byte(r))
		}
		return base64.StdEncoding.EncodeToString(b)
	})
	w.method(g, "atob", func(_ Value, a []Value) Value {
		in := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r' {
				return -1
			}
			return r
		}, toString(arg(a, 0)))
		b, err := base64.StdEncoding.DecodeString(in)
		if err != nil {
			if b, err = base64.RawStdEncoding.DecodeString(in); err != nil {
				w.throwError("InvalidCharacterError", "The string to be decoded is not correctly encoded.")
			}
		}
		rs := make([]rune, len(b))
		for i, c := range b {
			rs[i] = rune(c)
		}
		return string(rs)
	})
	perf := w.newObject()
	g.Set("performance", perf)
	started := time.Now()
	w.method(perf, "now", func(Value, []Value) Value { return float64(time.Since(started).Microseconds()) / 1000 })
	w.method(g, "queueMicrotask", func(_ Value, a []Value) Value {
		f := arg(a, 0)
		w.loop.queueMicrotask(func() { w.call(f, Undefined) })
		return Undefined
	})
	timerFn := func(repeat bool) func(Value, []Value) Value {
		return func(_ Value, a []Value) Value {
			f := arg(a, 0)
			ms := toNumber(arg(a, 1))
			if math.IsNaN(ms) || ms < 0 {
				ms = 0
			}
			extra := append([]Value{}, a[min(2, len(a)):]...)
			return float64(w.loop.setTimer(time.Duration(ms*float64(time.Millisecond)), repeat, func() { w.call(f, Undefined, extra...) }))
		}
	}
	w.method(g, "setTimeout", timerFn(false))
	w.method(g, "setInterval", timerFn(true))
	clear := func(_ Value, a []Value) Value {
		w.loop.clearTimer(int(toNumber(arg(a, 0))))
		return Undefined
	}
	w.method(g, "clearTimeout", clear)
	w.method(g, "clearInterval", clear)
}

func (w *World) installArray() {
	arrC := w.defineClass("Array", w.ArrayProto, func(args []Value) Value {
		if len(args) == 1 {
			if n, ok := args[0].(float64); ok {
				a := w.newArray()
				for i := 0; i < int(n); i++ {
					a.arr = append(a.arr, Undefined)
				}
				return a
			}
		}
		return w.newArray(args...)
	})
	arrC.call = func(this Value, args []Value) Value { return arrC.ctor(args) }
	w.method(arrC, "isArray", func(_ Value, a []Value) Value {
		o, ok := arg(a, 0).(*Object)
		return ok && o.kind == kindArray
	})
	w.method(arrC, "from", func(_ Value, a []Value) Value {
		out := w.newArray()
		src := arg(a, 0)
		if o, ok := src.(*Object); ok && !w.hasMethod(o, "@@iterator") && o.kind == kindPlain {
			n := int(toNumber(o.Get("length")))
			for i := 0; i < n; i++ {
				out.arr = append(out.arr, o.Get(strconv.Itoa(i)))
			}
		} else if !isNullish(src) {
			w.iterate(src, func(e Value) { out.arr = append(out.arr, e) })
		}
		if f, ok := arg(a, 1).(*Object); ok && f.call != nil {
			for i, e := range out.arr {
				out.arr[i] = f.call(Undefined, []Value{e, float64(i)})
			}
		}
		return out
	})
	w.method(arrC, "of", func(_ Value, a []Value) Value { return w.newArray(a...) })
	P := w.ArrayProto
	self := func(this Value) *Object {
		o := w.thisObject(this, "Array")
		if o.kind != kindArray {
			w.throwError("TypeError", "not an array")
		}
		return o
	}
	w.method(P, "push", func(this Value, a []Value) Value {
		o := self(this)
		o.arr = append(o.arr, a...)
		return float64(len(o.arr))
	})
	w.method(P, "pop", func(this Value, a []Value) Value {
		o := self(this)
		if len(o.arr) == 0 {
			return Undefined
		}
		v := o.arr[len(o.arr)-1]
		o.arr = o.arr[:len(o.arr)-1]
		return v
	})
	w.method(P, "shift", func(this Value, a []Value) Value {
		o := self(this)
		if len(o.arr) == 0 {
			return Undefined
		}
		v := o.arr[0]
		o.arr = append([]Value{}, o.arr[1:]...)
		return v
	})
	w.method(P, "unshift", func(this Value, a []Value) Value {
		o := self(this)
		o.arr = append(append([]Value{}, a...), o.arr...)
		return float64(len(o.arr))
	})
	index := func(o *Object, v Value) int {
		for i, e := range o.arr {
			if strictEquals(e, v) {
				return i
			}
		}
		return -1
	}
	w.method(P, "indexOf", func(this Value, a []Value) Value { return float64(index(self(this), arg(a, 0))) })
	w.method(P, "includes", func(this Value, a []Value) Value { return index(self(this), arg(a, 0)) >= 0 })
	w.method(P, "join", func(this Value, a []Value) Value {
		sep := ","
		if s, ok := arg(a, 0).(string); ok {
			sep = s
		}
		parts := make([]string, 0, len(self(this).arr))
		for _, e := range self(this).arr {
			if isNullish(e) {
				parts = append(parts, "")
			} else {
				parts = append(parts, toString(e))
			}
		}
		return strings.Join(parts, sep)
	})
	w.method(P, "toString", func(this Value, a []Value) Value { return w.callMethod(this, "join") })
	relIndex := func(v Value, n, def int) int {
		if v == Undefined {
			return def
		}
		i := int(toNumber(v))
		if i < 0 {
			i = max(0, n+i)
		}
		return min(i, n)
	}
	w.method(P, "slice", func(this Value, a []Value) Value {
		o := self(this)
		s, e := relIndex(arg(a, 0), len(o.arr), 0), relIndex(arg(a, 1), len(o.arr), len(o.arr))
		if s > e {
			s = e
		}
		return w.newArray(o.arr[s:e]...)
	})
	w.method(P, "splice", func(this Value, a []Value) Value {
		o := self(this)
		s := relIndex(arg(a, 0), len(o.arr), 0)
		n := len(o.arr) - s
		if len(a) > 1 {
			n = max(0, min(int(toNumber(a[1])), len(o.arr)-s))
		}
		removed := w.newArray(o.arr[s : s+n]...)
		var ins []Value
		if len(a) > 2 {
			ins = a[2:]
		}
		o.arr = append(append(append([]Value{}, o.arr[:s]...), ins...), o.arr[s+n:]...)
		return removed
	})
	w.method(P, "concat", func(this Value, a []Value) Value {
		out := w.newArray(self(this).arr...)
		for _, x := range a {
			if xo, ok := x.(*Object); ok && xo.kind == kindArray {
				out.arr = append(out.arr, xo.arr...)
			} else {
				out.arr = append(out.arr, x)
			}
		}
		return out
	})
	w.method(P, "reverse", func(this Value, a []Value) Value {
		o := self(this)
		for i, j := 0, len(o.arr)-1; i < j; i, j = i+1, j-1 {
			o.arr[i], o.arr[j] = o.arr[j], o.arr[i]
		}
		return o
	})
	each := func(name string, f func(o *Object, fn *Object, out *Object, i int, e Value) bool) {
		w.method(P, name, func(this Value, a []Value) Value {
			o := self(this)
			fn, ok := arg(a, 0).(*Object)
			if !ok || fn.call == nil {
				w.throwError("TypeError", toString(arg(a, 0))+" is not a function")
			}
			out := w.newArray()
			for i, e := range append([]Value{}, o.arr...) {
				if !f(o, fn, out, i, e) {
					return out.arr[len(out.arr)-1]
				}
			}
			switch name {
			case "forEach":
				return Undefined
			case "find":
				return Undefined
			case "some":
				return false
			case "every":
				return true
			}
			return out
		})
	}
	each("forEach", func(o, fn, out *Object, i int, e Value) bool {
		fn.call(Undefined, []Value{e, float64(i), o})
		return true
	})
	each("map", func(o, fn, out *Object, i int, e Value) bool {
		out.arr = append(out.arr, fn.call(Undefined, []Value{e, float64(i), o}))
		return true
	})
	each("filter", func(o, fn, out *Object, i int, e Value) bool {
		if truthy(fn.call(Undefined, []Value{e, float64(i), o})) {
			out.arr = append(out.arr, e)
		}
		return true
	})
	each("find", func(o, fn, out *Object, i int, e Value) bool {
		if truthy(fn.call(Undefined, []Value{e, float64(i), o})) {
			out.arr = append(out.arr, e)
			return false
		}
		return true
	})
	each("some", func(o, fn, out *Object, i int, e Value) bool {
		if truthy(fn.call(Undefined, []Value{e, float64(i), o})) {
			out.arr = append(out.arr, true)
			return false
		}
		return true
	})
	each("every", func(o, fn, out *Object, i int, e Value) bool {
		if !truthy(fn.call(Undefined, []Value{e, float64(i), o})) {
			out.arr = append(out.arr, false)
			return false
		}
		return true
	})
	w.method(P, "values", func(this Value, a []Value) Value { return w.makeIterator(self(this).arr) })
	w.method(P, "@@iterator", func(this Value, a []Value) Value { return w.makeIterator(self(this).arr) })
	w.method(P, "keys", func(this Value, a []Value) Value {
		var ks []Value
		for i := range self(this).arr {
			ks = append(ks, float64(i))
		}
		return w.makeIterator(ks)
	})
	w.method(P, "entries", func(this Value, a []Value) Value {
		var es []Value
		for i, e := range self(this).arr {
			es = append(es, w.newArray(float64(i), e))
		}
		return w.makeIterator(es)
	})
}

func (w *World) installCollections() {
	w.defineClass("Map", w.MapProto, func(args []Value) Value {
		m := w.newMap()
		if it := arg(args, 0); !isNullish(it) {
			w.iterate(it, func(e Value) { m.mapSet(w.get(e, "0"), w.get(e, "1")) })
		}
		return m
	})
	w.defineClass("Set", w.SetProto, func(args []Value) Value {
		s := w.newSet()
		if it := arg(args, 0); !isNullish(it) {
			w.iterate(it, func(e Value) { s.mapSet(e, e) })
		}
		return s
	})
	coll := func(this Value, kind objKind) *Object {
		o := w.thisObject(this, "Map")
		if o.kind != kind {
			w.throwError("TypeError", "incompatible receiver")
		}
		return o
	}
	for _, P := range []*Object{w.MapProto, w.SetProto} {
		kind := kindMap
		if P == w.SetProto {
			kind = kindSet
		}
		w.getter(P, "size", func(this *Object) Value { return float64(len(this.mapKeys)) })
		w.method(P, "has", func(this Value, a []Value) Value { _, ok := coll(this, kind).mapGet(arg(a, 0)); return ok })
		w.method(P, "delete", func(this Value, a []Value) Value { return coll(this, kind).mapDelete(arg(a, 0)) })
		w.method(P, "clear", func(this Value, a []Value) Value { coll(this, kind).mapClear(); return Undefined })
		w.method(P, "keys", func(this Value, a []Value) Value {
			return w.makeIterator(append([]Value{}, coll(this, kind).mapKeys...))
		})
		w.method(P, "values", func(this Value, a []Value) Value {
			return w.makeIterator(append([]Value{}, coll(this, kind).mapVals...))
		})
		w.method(P, "entries", func(this Value, a []Value) Value {
			o := coll(this, kind)
			var es []Value
			for i := range o.mapKeys {
				es = append(es, w.newArray(o.mapKeys[i], o.mapVals[i]))
			}
			return w.makeIterator(es)
		})
		w.method(P, "forEach", func(this Value, a []Value) Value {
			o := coll(this, kind)
			ks, vs := append([]Value{}, o.mapKeys...), append([]Value{}, o.mapVals...)
			for i := range ks {
				w.call(arg(a, 0), Undefined, vs[i], ks[i], o)
			}
			return Undefined
		})
	}
	w.method(w.MapProto, "get", func(this Value, a []Value) Value { v, _ := coll(this, kindMap).mapGet(arg(a, 0)); return v })
	w.method(w.MapProto, "set", func(this Value, a []Value) Value {
		coll(this, kindMap).mapSet(arg(a, 0), arg(a, 1))
		return this
	})
	w.MapProto.Set("@@iterator", w.MapProto.Get("entries"))
	w.method(w.SetProto, "add", func(this Value, a []Value) Value {
		coll(this, kindSet).mapSet(arg(a, 0), arg(a, 0))
		return this
	})
	w.SetProto.Set("@@iterator", w.SetProto.Get("values"))
}

func (w *World) installPromise() {
	promC := w.defineClass("Promise", w.PromiseProto, func(args []Value) Value {
		p := w.newPromise()
		res := w.newFunc("resolve", func(_ Value, a []Value) Value { w.resolvePromise(p, arg(a, 0)); return Undefined })
		rej := w.newFunc("reject", func(_ Value, a []Value) Value { w.rejectPromise(p, arg(a, 0)); return Undefined })
		if th := w.catch(func() { w.call(arg(args, 0), Undefined, res, rej) }); th != nil {
			w.rejectPromise(p, th.v)
		}
		return p
	})
	w.method(promC, "resolve", func(_ Value, a []Value) Value { return w.promiseResolve(arg(a, 0)) })
	w.method(promC, "reject", func(_ Value, a []Value) Value { return w.rejected(arg(a, 0)) })
	w.method(promC, "all", func(_ Value, a []Value) Value {
		out := w.newPromise()
		var items []Value
		w.iterate(arg(a, 0), func(v Value) { items = append(items, v) })
		results := make([]Value, len(items))
		left := len(items)
		if left == 0 {
			w.resolvePromise(out, w.newArray())
		}
		for i, it := range items {
			w.onSettled(w.promiseResolve(it), func(v Value) {
				results[i] = v
				if left--; left == 0 {
					w.resolvePromise(out, w.newArray(results...))
				}
			}, func(e Value) { w.rejectPromise(out, e) })
		}
		return out
	})
	self := func(this Value) *Object {
		o := w.thisObject(this, "Promise")
		if o.kind != kindPromise {
			w.throwError("TypeError", "not a promise")
		}
		return o
	}
	w.method(w.PromiseProto, "then", func(this Value, a []Value) Value { return w.then(self(this), arg(a, 0), arg(a, 1)) })
	w.method(w.PromiseProto, "catch", func(this Value, a []Value) Value { return w.then(self(this), Undefined, arg(a, 0)) })
	w.method(w.PromiseProto, "finally", func(this Value, a []Value) Value {
		f := arg(a, 0)
		return w.then(self(this),
			w.newFunc("", func(_ Value, b []Value) Value { w.call(f, Undefined); return arg(b, 0) }),
			w.newFunc("", func(_ Value, b []Value) Value { w.call(f, Undefined); panic(&jsThrow{arg(b, 0)}) }))
	})
}

func (w *World) installErrors() {
	w.getter(w.ErrorProto, "name", func(this *Object) Value { return this.Class })
	w.method(w.ErrorProto, "toString", func(this Value, a []Value) Value {
		o := w.thisObject(this, "Error")
		name, msg := toString(o.Get("name")), toString(o.Get("message"))
		if msg == "" {
			return name
		}
		return name + ": " + msg
	})
	for _, name := range []string{"Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError"} {
		proto := w.ErrorProto
		if name != "Error" {
			proto = &Object{Class: name, proto: w.ErrorProto}
		}
		c := w.defineClass(name, proto, func(args []Value) Value {
			msg := ""
			if m := arg(args, 0); m != Undefined {
				msg = toString(m)
			}
			e := w.newError(name, msg)
			if opts, ok := arg(args, 1).(*Object); ok && opts.Has("cause") {
				e.Set("cause", opts.Get("cause"))
			}
			return e
		})
		c.call = func(this Value, args []Value) Value { return c.ctor(args) }
	}
}

func (w *World) installJSON() {
	J := w.newObject()
	w.globalThis.Set("JSON", J)
	w.method(J, "stringify", func(_ Value, a []Value) Value {
		indent := ""
		switch x := arg(a, 2).(type) {
		case float64:
			indent = strings.Repeat(" ", min(10, int(x)))
		case string:
			indent = x
		}
		s, ok := w.jsonStringify(arg(a, 0), indent)
		if !ok {
			return Undefined
		}
		return s
	})
	w.method(J, "parse", func(_ Value, a []Value) Value {
		v, err := w.jsonParse(toString(arg(a, 0)))
		if err != nil {
			w.throwError("SyntaxError", "JSON.parse: "+err.Error())
		}
		return v
	})
}

// jsonStringify is JSON.stringify; ok=false means the result is undefined.
func (w *World) jsonStringify(v Value, indent string) (string, bool) {
	var buf bytes.Buffer
	seen := map[*Object]bool{}
	var enc func(v Value, prefix string) bool
	str := func(s string) {
		b, _ := json.Marshal(s)
		b = bytes.ReplaceAll(b, []byte(`\u003c`), []byte("<"))
		b = bytes.ReplaceAll(b, []byte(`\u003e`), []byte(">"))
		b = bytes.ReplaceAll(b, []byte(`\u0026`), []byte("&"))
		buf.Write(b)
	}
	enc = func(v Value, prefix string) bool {
		if o, ok := v.(*Object); ok && w.hasMethod(o, "toJSON") {
			v = w.callMethod(o, "toJSON")
		}
		switch x := v.(type) {
		case nil:
			buf.WriteString("null")
		case bool:
			buf.WriteString(strconv.FormatBool(x))
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				buf.WriteString("null")
			} else {
				buf.WriteString(numberToString(x))
			}
		case string:
			str(x)
		case *big.Int:
			w.throwError("TypeError", "Do not know how to serialize a BigInt")
		case *Object:
			if x.call != nil {
				return false
			}
			if seen[x] {
				w.throwError("TypeError", "Converting circular structure to JSON")
			}
			seen[x] = true
			defer delete(seen, x)
			inner := prefix + indent
			nl := func(p string) {
				if indent != "" {
					buf.WriteString("\n" + p)
				}
			}
			if x.kind == kindArray {
				buf.WriteByte('[')
				for i, e := range x.arr {
					if i > 0 {
						buf.WriteByte(',')
					}
					nl(inner)
					if !enc(e, inner) {
						buf.WriteString("null")
					}
				}
				if len(x.arr) > 0 {
					nl(prefix)
				}
				buf.WriteByte(']')
				return true
			}
			buf.WriteByte('{')
			n := 0
			for _, k := range x.OwnKeys() {
				val := x.Get(k)
				if val == Undefined {
					continue
				}
				if fo, ok := val.(*Object); ok && fo.call != nil {
					continue
				}
				if n > 0 {
					buf.WriteByte(',')
				}
				nl(inner)
				str(k)
				buf.WriteByte(':')
				if indent != "" {
					buf.WriteByte(' ')
				}
				enc(val, inner)
				n++
			}
			if n > 0 {
				nl(prefix)
			}
			buf.WriteByte('}')
		default:
			return false
		}
		return true
	}
	if !enc(v, "") {
		return "", false
	}
	return buf.String(), true
}

func (w *World) jsonParse(s string) (Value, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var parse func() (Value, error)
	parse = func() (Value, error) {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch x := t.(type) {
		case json.Delim:
			switch x {
			case '[':
				a := w.newArray()
				for dec.More() {
					v, err := parse()
					if err != nil {
						return nil, err
					}
					a.arr = append(a.arr, v)
				}
				_, err := dec.Token()
				return a, err
			case '{':
				o := w.newObject()
				for dec.More() {
					kt, err := dec.Token()
					if err != nil {
						return nil, err
					}
					v, err := parse()
					if err != nil {
						return nil, err
					}
					o.Set(kt.(string), v)
				}
				_, err := dec.Token()
				return o, err
			}
		case json.Number:
			f, err := strconv.ParseFloat(string(x), 64)
			return f, err
		case string, bool:
			return x, nil
		case nil:
			return nil, nil
		}
		return nil, nil
	}
	v, err := parse()
	if err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errJSONTrailing
	}
	return v, nil
}

type jsonError string

func (e jsonError) Error() string { return string(e) }

const errJSONTrailing = jsonError("unexpected data after JSON value")

func (w *World) installPrimitives() {
	strProto := w.protoOf("String")
	strC := w.defineClass("String", strProto, func(args []Value) Value { return toString(arg(args, 0)) })
	strC.call = func(_ Value, args []Value) Value {
		if len(args) == 0 {
			return ""
		}
		return toString(args[0])
	}
	thisStr := func(this Value) string { return toString(this) }
	w.method(strProto, "toString", func(this Value, a []Value) Value { return thisStr(this) })
	w.method(strProto, "toUpperCase", func(this Value, a []Value) Value { return strings.ToUpper(thisStr(this)) })
	w.method(strProto, "toLowerCase", func(this Value, a []Value) Value { return strings.ToLower(thisStr(this)) })
	w.method(strProto, "trim", func(this Value, a []Value) Value { return strings.TrimSpace(thisStr(this)) })
	w.method(strProto, "includes", func(this Value, a []Value) Value {
		return strings.Contains(thisStr(this), toString(arg(a, 0)))
	})
	w.method(strProto, "startsWith", func(this Value, a []Value) Value {
		return strings.HasPrefix(thisStr(this), toString(arg(a, 0)))
	})
	w.method(strProto, "split", func(this Value, a []Value) Value {
		out := w.newArray()
		for _, p := range strings.Split(thisStr(this), toString(arg(a, 0))) {
			out.arr = append(out.arr, p)
		}
		return out
	})
	numProto := w.protoOf("Number")
	numC := w.defineClass("Number", numProto, func(args []Value) Value { return toNumber(arg(args, 0)) })
	numC.call = func(_ Value, args []Value) Value {
		if len(args) == 0 {
			return 0.0
		}
		return toNumber(args[0])
	}
	numC.Set("MAX_SAFE_INTEGER", float64(1<<53-1))
	numC.Set("MIN_SAFE_INTEGER", -float64(1<<53-1))
	w.method(numC, "isInteger", func(_ Value, a []Value) Value {
		f, ok := arg(a, 0).(float64)
		return ok && f == math.Trunc(f) && !math.IsInf(f, 0)
	})
	w.method(numC, "isSafeInteger", func(_ Value, a []Value) Value {
		f, ok := arg(a, 0).(float64)
		return ok && f == math.Trunc(f) && math.Abs(f) <= 1<<53-1
	})
	w.method(numProto, "toString", func(this Value, a []Value) Value { return numberToString(toNumber(this)) })
	boolProto := w.protoOf("Boolean")
	boolC := w.defineClass("Boolean", boolProto, func(args []Value) Value { return truthy(arg(args, 0)) })
	boolC.call = func(_ Value, args []Value) Value { return truthy(arg(args, 0)) }
	bigProto := w.protoOf("BigInt")
	bigC := w.defineClass("BigInt", bigProto, nil)
	bigC.ctor = nil
	bigC.call = func(_ Value, args []Value) Value {
		switch x := arg(args, 0).(type) {
		case float64:
			return bigFromFloat(x)
		case *big.Int:
			return x
		case string:
			b, ok := new(big.Int).SetString(x, 10)
			if ok {
				return b
			}
		}
		w.throwError("SyntaxError", "Cannot convert "+toString(arg(args, 0))+" to a BigInt")
		return nil
	}
	w.method(bigProto, "toString", func(this Value, a []Value) Value { return toString(this) })

	// Math: the few functions handlers and libraries reach for.
	M := w.newObject()
	w.globalThis.Set("Math", M)
	M.Set("PI", math.Pi)
	for name, f := range map[string]func(float64) float64{
		"floor": math.Floor, "ceil": math.Ceil, "abs": math.Abs, "round": func(x float64) float64 { return math.Floor(x + 0.5) },
		"sqrt": math.Sqrt, "trunc": math.Trunc, "log": math.Log,
	} {
		w.method(M, name, func(_ Value, a []Value) Value { return f(toNumber(arg(a, 0))) })
	}
	w.method(M, "max", func(_ Value, a []Value) Value {
		r := math.Inf(-1)
		for _, x := range a {
			r = math.Max(r, toNumber(x))
		}
		return r
	})
	w.method(M, "min", func(_ Value, a []Value) Value {
		r := math.Inf(1)
		for _, x := range a {
			r = math.Min(r, toNumber(x))
		}
		return r
	})
	w.method(M, "random", func(_ Value, a []Value) Value { return float64(cryptoUint64()>>11) / (1 << 53) })

	// Date: enough for timestamps (Date.now, new Date(ms).getTime()/toISOString()).
	dateProto := w.protoOf("Date")
	dateC := w.defineClass("Date", dateProto, func(args []Value) Value {
		ms := float64(time.Now().UnixMilli())
		switch x := arg(args, 0).(type) {
		case float64:
			ms = x
		case string:
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				ms = float64(t.UnixMilli())
			} else {
				ms = math.NaN()
			}
		case *Object:
			if t, ok := x.host.(float64); ok {
				ms = t
			}
		}
		return w.newHostObject("Date", dateProto, ms)
	})
	w.method(dateC, "now", func(_ Value, a []Value) Value { return float64(time.Now().UnixMilli()) })
	dateMs := func(this Value) float64 {
		o := w.thisObject(this, "Date")
		ms, ok := o.host.(float64)
		if !ok {
			w.throwError("TypeError", "this is not a Date object.")
		}
		return ms
	}
	w.method(dateProto, "getTime", func(this Value, a []Value) Value { return dateMs(this) })
	w.method(dateProto, "valueOf", func(this Value, a []Value) Value { return dateMs(this) })
	iso := func(this Value, a []Value) Value {
		ms := dateMs(this)
		if math.IsNaN(ms) {
			w.throwError("RangeError", "Invalid time value")
		}
		return time.UnixMilli(int64(ms)).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	w.method(dateProto, "toISOString", iso)
	w.method(dateProto, "toJSON", iso)
	w.method(dateProto, "toString", func(this Value, a []Value) Value {
		return time.UnixMilli(int64(dateMs(this))).UTC().Format("Mon Jan 02 2006 15:04:05 GMT+0000 (Coordinated Universal Time)")
	})
}

func (w *World) installBuffers() {
	w.defineClass("ArrayBuffer", w.ArrayBufferProto, func(args []Value) Value {
		n := int(toNumber(arg(args, 0)))
		if n < 0 || n > 1<<30 {
			w.throwError("RangeError", "Invalid array buffer length")
		}
		return w.newArrayBuffer(make([]byte, n))
	})
	w.getter(w.ArrayBufferProto, "byteLength", func(this *Object) Value { return float64(len(this.bytes())) })
	w.method(w.ArrayBufferProto, "slice", func(this Value, a []Value) Value {
		b := w.thisObject(this, "ArrayBuffer").bytes()
		s, e := clampRange(arg(a, 0), arg(a, 1), len(b))
		return w.newArrayBuffer(append([]byte{}, b[s:e]...))
	})
	w.defineClass("Uint8Array", w.Uint8ArrayProto, func(args []Value) Value {
		switch x := arg(args, 0).(type) {
		case float64:
			return w.newUint8Array(make([]byte, int(x)))
		case *Object:
			if x.kind == kindArrayBuffer {
				off := 0
				if v := arg(args, 1); v != Undefined {
					off = int(toNumber(v))
				}
				n := len(x.bytes()) - off
				if v := arg(args, 2); v != Undefined {
					n = int(toNumber(v))
				}
				if off < 0 || n < 0 || off+n > len(x.bytes()) {
					w.throwError("RangeError", "Invalid typed array length")
				}
				return &Object{Class: "Uint8Array", kind: kindUint8Array, proto: w.Uint8ArrayProto, viewOf: x, viewOff: off, viewLen: n}
			}
			var b []byte
			if x.kind == kindUint8Array {
				b = append(b, x.bytes()...)
			} else {
				w.iterate(x, func(v Value) { b = append(b, byte(int64(toNumber(v)))) })
			}
			return w.newUint8Array(b)
		}
		return w.newUint8Array(nil)
	})
	P := w.Uint8ArrayProto
	w.getter(P, "length", func(this *Object) Value { return float64(this.viewLen) })
	w.getter(P, "byteLength", func(this *Object) Value { return float64(this.viewLen) })
	w.getter(P, "byteOffset", func(this *Object) Value { return float64(this.viewOff) })
	w.getter(P, "buffer", func(this *Object) Value { return this.viewOf })
	w.method(P, "subarray", func(this Value, a []Value) Value {
		o := w.thisObject(this, "Uint8Array")
		s, e := clampRange(arg(a, 0), arg(a, 1), o.viewLen)
		return &Object{Class: "Uint8Array", kind: kindUint8Array, proto: P, viewOf: o.viewOf, viewOff: o.viewOff + s, viewLen: e - s}
	})
	w.method(P, "slice", func(this Value, a []Value) Value {
		b := w.thisObject(this, "Uint8Array").bytes()
		s, e := clampRange(arg(a, 0), arg(a, 1), len(b))
		return w.newUint8Array(append([]byte{}, b[s:e]...))
	})
	w.method(P, "set", func(this Value, a []Value) Value {
		dst := w.thisObject(this, "Uint8Array").bytes()
		off := 0
		if v := arg(a, 1); v != Undefined {
			off = int(toNumber(v))
		}
		var src []byte
		if so, ok := arg(a, 0).(*Object); ok && (so.kind == kindUint8Array || so.kind == kindArrayBuffer) {
			src = so.bytes()
		} else {
			w.iterate(arg(a, 0), func(v Value) { src = append(src, byte(int64(toNumber(v)))) })
		}
		if off < 0 || off+len(src) > len(dst) {
			w.throwError("RangeError", "offset is out of bounds")
		}
		copy(dst[off:], src)
		return Undefined
	})
	w.method(P, "@@iterator", func(this Value, a []Value) Value {
		var vs []Value
		for _, b := range w.thisObject(this, "Uint8Array").bytes() {
			vs = append(vs, float64(b))
		}
		return w.makeIterator(vs)
	})

	// TextEncoder / TextDecoder (UTF-8 only, like workerd).
	encProto := w.protoOf("TextEncoder")
	w.defineClass("TextEncoder", encProto, func(args []Value) Value { return w.newHostObject("TextEncoder", encProto, nil) })
	w.getter(encProto, "encoding", func(*Object) Value { return "utf-8" })
	w.method(encProto, "encode", func(this Value, a []Value) Value {
		s := ""
		if v := arg(a, 0); v != Undefined {
			s = toString(v)
		}
		return w.newUint8Array([]byte(s))
	})
	decProto := w.protoOf("TextDecoder")
	w.defineClass("TextDecoder", decProto, func(args []Value) Value {
		if enc := arg(args, 0); enc != Undefined {
			if e := strings.ToLower(toString(enc)); e != "utf-8" && e != "utf8" {
				w.throwError("RangeError", "Unsupported encoding: "+e)
			}
		}
		return w.newHostObject("TextDecoder", decProto, nil)
	})
	w.getter(decProto, "encoding", func(*Object) Value { return "utf-8" })
	w.method(decProto, "decode", func(this Value, a []Value) Value {
		o, ok := arg(a, 0).(*Object)
		if !ok {
			return ""
		}
		return strings.ToValidUTF8(string(o.bytes()), string(utf8.RuneError))
	})
}

func clampRange(sv, ev Value, n int) (int, int) {
	rel := func(v Value, def int) int {
		if v == Undefined {
			return def
		}
		i := int(toNumber(v))
		if i < 0 {
			i = max(0, n+i)
		}
		return min(i, n)
	}
	s, e := rel(sv, 0), rel(ev, n)
	if s > e {
		s = e
	}
	return s, e
}

// cryptoUint64 is 64 random bits from the OS (Math.random must not repeat
// across restored snapshots).
func cryptoUint64() uint64 {
	var b [8]byte
	_, _ = crand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}
