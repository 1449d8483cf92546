package js

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

func (w *World) ThisObject(this Value, class string) *Object {
	o, ok := this.(*Object)
	if !ok {
		w.ThrowError("TypeError", "Method "+class+" called on incompatible receiver "+ToString(this))
	}
	return o
}

func (w *World) installBuiltins() {
	g := w.GlobalThis
	g.Set("globalThis", g)
	g.Set("self", g)
	g.Set("undefined", Undefined)
	g.Set("NaN", math.NaN())
	g.Set("Infinity", math.Inf(1))

	// Object
	objC := w.DefineClass("Object", w.ObjectProto, func(args []Value) Value {
		if o, ok := Arg(args, 0).(*Object); ok {
			return o
		}
		return w.NewObject()
	})
	objC.Call = func(this Value, args []Value) Value { return objC.ctor(args) }
	w.Method(objC, "fromEntries", func(_ Value, a []Value) Value {
		o := w.NewObject()
		w.Iterate(Arg(a, 0), func(e Value) { o.Set(ToString(w.Get(e, "0")), w.Get(e, "1")) })
		return o
	})
	ownKeys := func(v Value) (*Object, []string) {
		o, ok := v.(*Object)
		if !ok {
			return nil, nil
		}
		return o, o.OwnKeys()
	}
	w.Method(objC, "keys", func(_ Value, a []Value) Value {
		_, ks := ownKeys(Arg(a, 0))
		out := w.NewArray()
		for _, k := range ks {
			out.Arr = append(out.Arr, k)
		}
		return out
	})
	w.Method(objC, "values", func(_ Value, a []Value) Value {
		o, ks := ownKeys(Arg(a, 0))
		out := w.NewArray()
		for _, k := range ks {
			out.Arr = append(out.Arr, o.Get(k))
		}
		return out
	})
	w.Method(objC, "entries", func(_ Value, a []Value) Value {
		o, ks := ownKeys(Arg(a, 0))
		out := w.NewArray()
		for _, k := range ks {
			out.Arr = append(out.Arr, w.NewArray(k, o.Get(k)))
		}
		return out
	})
	w.Method(objC, "assign", func(_ Value, a []Value) Value {
		t, ok := Arg(a, 0).(*Object)
		if !ok {
			w.ThrowError("TypeError", "Cannot convert undefined or null to object")
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
	w.Method(objC, "create", func(_ Value, a []Value) Value {
		o := w.NewObject()
		o.Proto, _ = Arg(a, 0).(*Object)
		return o
	})
	w.Method(objC, "getPrototypeOf", func(_ Value, a []Value) Value {
		if o, ok := Arg(a, 0).(*Object); ok && o.Proto != nil {
			return o.Proto
		}
		return nil
	})
	w.Method(objC, "freeze", func(_ Value, a []Value) Value {
		if o, ok := Arg(a, 0).(*Object); ok {
			o.frozenKeys = true
		}
		return Arg(a, 0)
	})
	w.Method(objC, "defineProperty", func(_ Value, a []Value) Value {
		o, ok := Arg(a, 0).(*Object)
		if !ok {
			w.ThrowError("TypeError", "Object.defineProperty called on non-object")
		}
		desc := Arg(a, 2)
		if v := w.Get(desc, "value"); v != Undefined {
			o.Set(ToString(Arg(a, 1)), v)
		} else if gf, ok := w.Get(desc, "get").(*Object); ok && gf.Call != nil {
			w.Getter(o, ToString(Arg(a, 1)), func(this *Object) Value { return gf.Call(this, nil) })
		}
		return o
	})
	w.Method(w.ObjectProto, "toString", func(this Value, a []Value) Value {
		if o, ok := this.(*Object); ok {
			return "[object " + o.Class + "]"
		}
		return "[object " + TypeOf(this) + "]"
	})
	w.Method(w.ObjectProto, "hasOwnProperty", func(this Value, a []Value) Value {
		o, ok := this.(*Object)
		if !ok {
			return false
		}
		_, has := o.Props[ToString(Arg(a, 0))]
		return has
	})
	w.Method(w.ObjectProto, "valueOf", func(this Value, a []Value) Value { return this })

	// Function
	w.DefineClass("Function", w.FunctionProto, func(args []Value) Value {
		w.ThrowError("EvalError", "Code generation from strings disallowed for this context")
		return nil
	})
	w.Method(w.FunctionProto, "call", func(this Value, a []Value) Value {
		return w.Call(this, Arg(a, 0), a[min(1, len(a)):]...)
	})
	w.Method(w.FunctionProto, "apply", func(this Value, a []Value) Value {
		var args []Value
		if ao, ok := Arg(a, 1).(*Object); ok {
			w.Iterate(ao, func(v Value) { args = append(args, v) })
		}
		return w.Call(this, Arg(a, 0), args...)
	})
	w.Method(w.FunctionProto, "bind", func(this Value, a []Value) Value {
		target := this
		boundThis := Arg(a, 0)
		bound := append([]Value{}, a[min(1, len(a)):]...)
		name := "bound "
		if fo, ok := this.(*Object); ok {
			name += fo.Name
		}
		return w.NewFunc(name, func(_ Value, args []Value) Value {
			return w.Call(target, boundThis, append(append([]Value{}, bound...), args...)...)
		})
	})
	w.Method(w.FunctionProto, "toString", func(this Value, a []Value) Value {
		name := ""
		if fo, ok := this.(*Object); ok {
			name = fo.Name
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
	w.Method(w.IteratorProto, "@@iterator", func(this Value, a []Value) Value { return this })

	w.Method(g, "eval", func(_ Value, a []Value) Value {
		w.ThrowError("EvalError", "Code generation from strings disallowed for this context")
		return nil
	})
	w.Method(g, "btoa", func(_ Value, a []Value) Value {
		s := ToString(Arg(a, 0))
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 0xff {
				w.ThrowError("InvalidCharacterError", "Invalid character")
			}
			b = append(b, byte(r))
		}
		return base64.StdEncoding.EncodeToString(b)
	})
	w.Method(g, "atob", func(_ Value, a []Value) Value {
		in := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r' {
				return -1
			}
			return r
		}, ToString(Arg(a, 0)))
		b, err := base64.StdEncoding.DecodeString(in)
		if err != nil {
			if b, err = base64.RawStdEncoding.DecodeString(in); err != nil {
				w.ThrowError("InvalidCharacterError", "The string to be decoded is not correctly encoded.")
			}
		}
		rs := make([]rune, len(b))
		for i, c := range b {
			rs[i] = rune(c)
		}
		return string(rs)
	})
	perf := w.NewObject()
	g.Set("performance", perf)
	started := time.Now()
	w.Method(perf, "now", func(Value, []Value) Value { return float64(time.Since(started).Microseconds()) / 1000 })
	w.Method(g, "queueMicrotask", func(_ Value, a []Value) Value {
		f := Arg(a, 0)
		w.Loop.QueueMicrotask(func() { w.Call(f, Undefined) })
		return Undefined
	})
	timerFn := func(repeat bool) func(Value, []Value) Value {
		return func(_ Value, a []Value) Value {
			f := Arg(a, 0)
			ms := ToNumber(Arg(a, 1))
			if math.IsNaN(ms) || ms < 0 {
				ms = 0
			}
			extra := append([]Value{}, a[min(2, len(a)):]...)
			return float64(w.Loop.SetTimer(time.Duration(ms*float64(time.Millisecond)), repeat, func() { w.Call(f, Undefined, extra...) }))
		}
	}
	w.Method(g, "setTimeout", timerFn(false))
	w.Method(g, "setInterval", timerFn(true))
	clear := func(_ Value, a []Value) Value {
		w.Loop.clearTimer(int(ToNumber(Arg(a, 0))))
		return Undefined
	}
	w.Method(g, "clearTimeout", clear)
	w.Method(g, "clearInterval", clear)
}

func (w *World) installArray() {
	arrC := w.DefineClass("Array", w.ArrayProto, func(args []Value) Value {
		if len(args) == 1 {
			if n, ok := args[0].(float64); ok {
				a := w.NewArray()
				for i := 0; i < int(n); i++ {
					a.Arr = append(a.Arr, Undefined)
				}
				return a
			}
		}
		return w.NewArray(args...)
	})
	arrC.Call = func(this Value, args []Value) Value { return arrC.ctor(args) }
	w.Method(arrC, "isArray", func(_ Value, a []Value) Value {
		o, ok := Arg(a, 0).(*Object)
		return ok && o.Kind == KindArray
	})
	w.Method(arrC, "from", func(_ Value, a []Value) Value {
		out := w.NewArray()
		src := Arg(a, 0)
		if o, ok := src.(*Object); ok && !w.HasMethod(o, "@@iterator") && o.Kind == KindPlain {
			n := int(ToNumber(o.Get("length")))
			for i := 0; i < n; i++ {
				out.Arr = append(out.Arr, o.Get(strconv.Itoa(i)))
			}
		} else if !IsNullish(src) {
			w.Iterate(src, func(e Value) { out.Arr = append(out.Arr, e) })
		}
		if f, ok := Arg(a, 1).(*Object); ok && f.Call != nil {
			for i, e := range out.Arr {
				out.Arr[i] = f.Call(Undefined, []Value{e, float64(i)})
			}
		}
		return out
	})
	w.Method(arrC, "of", func(_ Value, a []Value) Value { return w.NewArray(a...) })
	P := w.ArrayProto
	self := func(this Value) *Object {
		o := w.ThisObject(this, "Array")
		if o.Kind != KindArray {
			w.ThrowError("TypeError", "not an array")
		}
		return o
	}
	w.Method(P, "push", func(this Value, a []Value) Value {
		o := self(this)
		o.Arr = append(o.Arr, a...)
		return float64(len(o.Arr))
	})
	w.Method(P, "pop", func(this Value, a []Value) Value {
		o := self(this)
		if len(o.Arr) == 0 {
			return Undefined
		}
		v := o.Arr[len(o.Arr)-1]
		o.Arr = o.Arr[:len(o.Arr)-1]
		return v
	})
	w.Method(P, "shift", func(this Value, a []Value) Value {
		o := self(this)
		if len(o.Arr) == 0 {
			return Undefined
		}
		v := o.Arr[0]
		o.Arr = append([]Value{}, o.Arr[1:]...)
		return v
	})
	w.Method(P, "unshift", func(this Value, a []Value) Value {
		o := self(this)
		o.Arr = append(append([]Value{}, a...), o.Arr...)
		return float64(len(o.Arr))
	})
	index := func(o *Object, v Value) int {
		for i, e := range o.Arr {
			if StrictEquals(e, v) {
				return i
			}
		}
		return -1
	}
	w.Method(P, "indexOf", func(this Value, a []Value) Value { return float64(index(self(this), Arg(a, 0))) })
	w.Method(P, "includes", func(this Value, a []Value) Value { return index(self(this), Arg(a, 0)) >= 0 })
	w.Method(P, "join", func(this Value, a []Value) Value {
		sep := ","
		if s, ok := Arg(a, 0).(string); ok {
			sep = s
		}
		parts := make([]string, 0, len(self(this).Arr))
		for _, e := range self(this).Arr {
			if IsNullish(e) {
				parts = append(parts, "")
			} else {
				parts = append(parts, ToString(e))
			}
		}
		return strings.Join(parts, sep)
	})
	w.Method(P, "toString", func(this Value, a []Value) Value { return w.CallMethod(this, "join") })
	w.Method(P, "slice", func(this Value, a []Value) Value {
		o := self(this)
		s, e := relativeIndex(Arg(a, 0), len(o.Arr), 0), relativeIndex(Arg(a, 1), len(o.Arr), len(o.Arr))
		if s > e {
			s = e
		}
		return w.NewArray(o.Arr[s:e]...)
	})
	w.Method(P, "splice", func(this Value, a []Value) Value {
		o := self(this)
		s := relativeIndex(Arg(a, 0), len(o.Arr), 0)
		n := len(o.Arr) - s
		if len(a) > 1 {
			n = max(0, min(int(ToNumber(a[1])), len(o.Arr)-s))
		}
		removed := w.NewArray(o.Arr[s : s+n]...)
		var ins []Value
		if len(a) > 2 {
			ins = a[2:]
		}
		o.Arr = append(append(append([]Value{}, o.Arr[:s]...), ins...), o.Arr[s+n:]...)
		return removed
	})
	w.Method(P, "concat", func(this Value, a []Value) Value {
		out := w.NewArray(self(this).Arr...)
		for _, x := range a {
			if xo, ok := x.(*Object); ok && xo.Kind == KindArray {
				out.Arr = append(out.Arr, xo.Arr...)
			} else {
				out.Arr = append(out.Arr, x)
			}
		}
		return out
	})
	w.Method(P, "reverse", func(this Value, a []Value) Value {
		o := self(this)
		for i, j := 0, len(o.Arr)-1; i < j; i, j = i+1, j-1 {
			o.Arr[i], o.Arr[j] = o.Arr[j], o.Arr[i]
		}
		return o
	})
	each := func(name string, f func(o *Object, fn *Object, out *Object, i int, e Value) bool) {
		w.Method(P, name, func(this Value, a []Value) Value {
			o := self(this)
			fn, ok := Arg(a, 0).(*Object)
			if !ok || fn.Call == nil {
				w.ThrowError("TypeError", ToString(Arg(a, 0))+" is not a function")
			}
			out := w.NewArray()
			for i, e := range append([]Value{}, o.Arr...) {
				if !f(o, fn, out, i, e) {
					return out.Arr[len(out.Arr)-1]
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
		fn.Call(Undefined, []Value{e, float64(i), o})
		return true
	})
	each("map", func(o, fn, out *Object, i int, e Value) bool {
		out.Arr = append(out.Arr, fn.Call(Undefined, []Value{e, float64(i), o}))
		return true
	})
	each("filter", func(o, fn, out *Object, i int, e Value) bool {
		if Truthy(fn.Call(Undefined, []Value{e, float64(i), o})) {
			out.Arr = append(out.Arr, e)
		}
		return true
	})
	each("find", func(o, fn, out *Object, i int, e Value) bool {
		if Truthy(fn.Call(Undefined, []Value{e, float64(i), o})) {
			out.Arr = append(out.Arr, e)
			return false
		}
		return true
	})
	each("some", func(o, fn, out *Object, i int, e Value) bool {
		if Truthy(fn.Call(Undefined, []Value{e, float64(i), o})) {
			out.Arr = append(out.Arr, true)
			return false
		}
		return true
	})
	each("every", func(o, fn, out *Object, i int, e Value) bool {
		if !Truthy(fn.Call(Undefined, []Value{e, float64(i), o})) {
			out.Arr = append(out.Arr, false)
			return false
		}
		return true
	})
	w.Method(P, "values", func(this Value, a []Value) Value { return w.MakeIterator(self(this).Arr) })
	w.Method(P, "@@iterator", func(this Value, a []Value) Value { return w.MakeIterator(self(this).Arr) })
	w.Method(P, "keys", func(this Value, a []Value) Value {
		var ks []Value
		for i := range self(this).Arr {
			ks = append(ks, float64(i))
		}
		return w.MakeIterator(ks)
	})
	w.Method(P, "entries", func(this Value, a []Value) Value {
		var es []Value
		for i, e := range self(this).Arr {
			es = append(es, w.NewArray(float64(i), e))
		}
		return w.MakeIterator(es)
	})
}

func (w *World) installCollections() {
	w.DefineClass("Map", w.MapProto, func(args []Value) Value {
		m := w.NewMap()
		if it := Arg(args, 0); !IsNullish(it) {
			w.Iterate(it, func(e Value) { m.MapSet(w.Get(e, "0"), w.Get(e, "1")) })
		}
		return m
	})
	w.DefineClass("Set", w.SetProto, func(args []Value) Value {
		s := w.NewSet()
		if it := Arg(args, 0); !IsNullish(it) {
			w.Iterate(it, func(e Value) { s.MapSet(e, e) })
		}
		return s
	})
	coll := func(this Value, kind objKind) *Object {
		o := w.ThisObject(this, "Map")
		if o.Kind != kind {
			w.ThrowError("TypeError", "incompatible receiver")
		}
		return o
	}
	for _, P := range []*Object{w.MapProto, w.SetProto} {
		kind := KindMap
		if P == w.SetProto {
			kind = KindSet
		}
		w.Getter(P, "size", func(this *Object) Value { return float64(len(this.MapKeys)) })
		w.Method(P, "has", func(this Value, a []Value) Value { _, ok := coll(this, kind).MapGet(Arg(a, 0)); return ok })
		w.Method(P, "delete", func(this Value, a []Value) Value { return coll(this, kind).MapDelete(Arg(a, 0)) })
		w.Method(P, "clear", func(this Value, a []Value) Value { coll(this, kind).mapClear(); return Undefined })
		w.Method(P, "keys", func(this Value, a []Value) Value {
			return w.MakeIterator(append([]Value{}, coll(this, kind).MapKeys...))
		})
		w.Method(P, "values", func(this Value, a []Value) Value {
			return w.MakeIterator(append([]Value{}, coll(this, kind).MapVals...))
		})
		w.Method(P, "entries", func(this Value, a []Value) Value {
			o := coll(this, kind)
			var es []Value
			for i := range o.MapKeys {
				es = append(es, w.NewArray(o.MapKeys[i], o.MapVals[i]))
			}
			return w.MakeIterator(es)
		})
		w.Method(P, "forEach", func(this Value, a []Value) Value {
			o := coll(this, kind)
			ks, vs := append([]Value{}, o.MapKeys...), append([]Value{}, o.MapVals...)
			for i := range ks {
				w.Call(Arg(a, 0), Undefined, vs[i], ks[i], o)
			}
			return Undefined
		})
	}
	w.Method(w.MapProto, "get", func(this Value, a []Value) Value { v, _ := coll(this, KindMap).MapGet(Arg(a, 0)); return v })
	w.Method(w.MapProto, "set", func(this Value, a []Value) Value {
		coll(this, KindMap).MapSet(Arg(a, 0), Arg(a, 1))
		return this
	})
	w.MapProto.Set("@@iterator", w.MapProto.Get("entries"))
	w.Method(w.SetProto, "add", func(this Value, a []Value) Value {
		coll(this, KindSet).MapSet(Arg(a, 0), Arg(a, 0))
		return this
	})
	w.SetProto.Set("@@iterator", w.SetProto.Get("values"))
}

func (w *World) installPromise() {
	promC := w.DefineClass("Promise", w.PromiseProto, func(args []Value) Value {
		p := w.NewPromise()
		res := w.NewFunc("resolve", func(_ Value, a []Value) Value { w.ResolvePromise(p, Arg(a, 0)); return Undefined })
		rej := w.NewFunc("reject", func(_ Value, a []Value) Value { w.RejectPromise(p, Arg(a, 0)); return Undefined })
		if th := w.Catch(func() { w.Call(Arg(args, 0), Undefined, res, rej) }); th != nil {
			w.RejectPromise(p, th.Value)
		}
		return p
	})
	w.Method(promC, "resolve", func(_ Value, a []Value) Value { return w.PromiseResolve(Arg(a, 0)) })
	w.Method(promC, "reject", func(_ Value, a []Value) Value { return w.Rejected(Arg(a, 0)) })
	w.Method(promC, "all", func(_ Value, a []Value) Value {
		out := w.NewPromise()
		var items []Value
		w.Iterate(Arg(a, 0), func(v Value) { items = append(items, v) })
		results := make([]Value, len(items))
		left := len(items)
		if left == 0 {
			w.ResolvePromise(out, w.NewArray())
		}
		for i, it := range items {
			w.OnSettled(w.PromiseResolve(it), func(v Value) {
				results[i] = v
				if left--; left == 0 {
					w.ResolvePromise(out, w.NewArray(results...))
				}
			}, func(e Value) { w.RejectPromise(out, e) })
		}
		return out
	})
	self := func(this Value) *Object {
		o := w.ThisObject(this, "Promise")
		if o.Kind != kindPromise {
			w.ThrowError("TypeError", "not a promise")
		}
		return o
	}
	w.Method(w.PromiseProto, "then", func(this Value, a []Value) Value { return w.Then(self(this), Arg(a, 0), Arg(a, 1)) })
	w.Method(w.PromiseProto, "catch", func(this Value, a []Value) Value { return w.Then(self(this), Undefined, Arg(a, 0)) })
	w.Method(w.PromiseProto, "finally", func(this Value, a []Value) Value {
		f := Arg(a, 0)
		return w.Then(self(this),
			w.NewFunc("", func(_ Value, b []Value) Value { w.Call(f, Undefined); return Arg(b, 0) }),
			w.NewFunc("", func(_ Value, b []Value) Value { w.Call(f, Undefined); panic(&Throw{Arg(b, 0)}) }))
	})
}

func (w *World) installErrors() {
	// name reads as the error's class unless assigned: `err.name = "X"` is
	// how JS code (the SDK's workflows.js, for one) makes errors of a kind.
	w.Getter(w.ErrorProto, "name", func(this *Object) Value { return this.Class })
	w.ErrorProto.setters = map[string]func(*Object, Value){"name": func(this *Object, v Value) { this.defineOwn("name", v) }}
	w.Method(w.ErrorProto, "toString", func(this Value, a []Value) Value {
		o := w.ThisObject(this, "Error")
		name, msg := ToString(o.Get("name")), ToString(o.Get("message"))
		if msg == "" {
			return name
		}
		return name + ": " + msg
	})
	for _, name := range []string{"Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError"} {
		proto := w.ErrorProto
		if name != "Error" {
			proto = &Object{Class: name, Proto: w.ErrorProto}
		}
		c := w.DefineClass(name, proto, func(args []Value) Value {
			msg := ""
			if m := Arg(args, 0); m != Undefined {
				msg = ToString(m)
			}
			e := w.NewError(name, msg)
			if opts, ok := Arg(args, 1).(*Object); ok && opts.Has("cause") {
				e.Set("cause", opts.Get("cause"))
			}
			return e
		})
		c.Call = func(this Value, args []Value) Value { return c.ctor(args) }
	}
}

func (w *World) installJSON() {
	J := w.NewObject()
	w.GlobalThis.Set("JSON", J)
	w.Method(J, "stringify", func(_ Value, a []Value) Value {
		indent := ""
		switch x := Arg(a, 2).(type) {
		case float64:
			indent = strings.Repeat(" ", min(10, int(x)))
		case string:
			indent = x
		}
		s, ok := w.JSONStringify(Arg(a, 0), indent)
		if !ok {
			return Undefined
		}
		return s
	})
	w.Method(J, "parse", func(_ Value, a []Value) Value {
		v, err := w.JSONParse(ToString(Arg(a, 0)))
		if err != nil {
			w.ThrowError("SyntaxError", "JSON.parse: "+err.Error())
		}
		return v
	})
}

// jsonStringify is JSON.stringify; ok=false means the result is undefined.
func (w *World) JSONStringify(v Value, indent string) (string, bool) {
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
		if o, ok := v.(*Object); ok && w.HasMethod(o, "toJSON") {
			v = w.CallMethod(o, "toJSON")
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
				buf.WriteString(NumberToString(x))
			}
		case string:
			str(x)
		case *big.Int:
			w.ThrowError("TypeError", "Do not know how to serialize a BigInt")
		case *Object:
			if x.Call != nil {
				return false
			}
			if seen[x] {
				w.ThrowError("TypeError", "Converting circular structure to JSON")
			}
			seen[x] = true
			defer delete(seen, x)
			inner := prefix + indent
			nl := func(p string) {
				if indent != "" {
					buf.WriteString("\n" + p)
				}
			}
			if x.Kind == KindArray {
				buf.WriteByte('[')
				for i, e := range x.Arr {
					if i > 0 {
						buf.WriteByte(',')
					}
					nl(inner)
					if !enc(e, inner) {
						buf.WriteString("null")
					}
				}
				if len(x.Arr) > 0 {
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
				if fo, ok := val.(*Object); ok && fo.Call != nil {
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

func (w *World) JSONParse(s string) (Value, error) {
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
				a := w.NewArray()
				for dec.More() {
					v, err := parse()
					if err != nil {
						return nil, err
					}
					a.Arr = append(a.Arr, v)
				}
				_, err := dec.Token()
				return a, err
			case '{':
				o := w.NewObject()
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
	strProto := w.ProtoOf("String")
	strC := w.DefineClass("String", strProto, func(args []Value) Value { return ToString(Arg(args, 0)) })
	strC.Call = func(_ Value, args []Value) Value {
		if len(args) == 0 {
			return ""
		}
		return ToString(args[0])
	}
	thisStr := func(this Value) string { return ToString(this) }
	w.Method(strProto, "toString", func(this Value, a []Value) Value { return thisStr(this) })
	w.Method(strProto, "toUpperCase", func(this Value, a []Value) Value { return strings.ToUpper(thisStr(this)) })
	w.Method(strProto, "toLowerCase", func(this Value, a []Value) Value { return strings.ToLower(thisStr(this)) })
	w.Method(strProto, "trim", func(this Value, a []Value) Value { return strings.TrimSpace(thisStr(this)) })
	w.Method(strProto, "includes", func(this Value, a []Value) Value {
		return strings.Contains(thisStr(this), ToString(Arg(a, 0)))
	})
	w.Method(strProto, "startsWith", func(this Value, a []Value) Value {
		return strings.HasPrefix(thisStr(this), ToString(Arg(a, 0)))
	})
	w.Method(strProto, "split", func(this Value, a []Value) Value {
		out := w.NewArray()
		for _, p := range strings.Split(thisStr(this), ToString(Arg(a, 0))) {
			out.Arr = append(out.Arr, p)
		}
		return out
	})
	numProto := w.ProtoOf("Number")
	numC := w.DefineClass("Number", numProto, func(args []Value) Value { return ToNumber(Arg(args, 0)) })
	numC.Call = func(_ Value, args []Value) Value {
		if len(args) == 0 {
			return 0.0
		}
		return ToNumber(args[0])
	}
	numC.Set("MAX_SAFE_INTEGER", float64(1<<53-1))
	numC.Set("MIN_SAFE_INTEGER", -float64(1<<53-1))
	w.Method(numC, "isInteger", func(_ Value, a []Value) Value {
		f, ok := Arg(a, 0).(float64)
		return ok && f == math.Trunc(f) && !math.IsInf(f, 0)
	})
	w.Method(numC, "isSafeInteger", func(_ Value, a []Value) Value {
		f, ok := Arg(a, 0).(float64)
		return ok && f == math.Trunc(f) && math.Abs(f) <= 1<<53-1
	})
	w.Method(numProto, "toString", func(this Value, a []Value) Value { return NumberToString(ToNumber(this)) })
	boolProto := w.ProtoOf("Boolean")
	boolC := w.DefineClass("Boolean", boolProto, func(args []Value) Value { return Truthy(Arg(args, 0)) })
	boolC.Call = func(_ Value, args []Value) Value { return Truthy(Arg(args, 0)) }
	bigProto := w.ProtoOf("BigInt")
	bigC := w.DefineClass("BigInt", bigProto, nil)
	bigC.ctor = nil
	bigC.Call = func(_ Value, args []Value) Value {
		switch x := Arg(args, 0).(type) {
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
		w.ThrowError("SyntaxError", "Cannot convert "+ToString(Arg(args, 0))+" to a BigInt")
		return nil
	}
	w.Method(bigProto, "toString", func(this Value, a []Value) Value { return ToString(this) })

	// Math: the few functions handlers and libraries reach for.
	M := w.NewObject()
	w.GlobalThis.Set("Math", M)
	M.Set("PI", math.Pi)
	for name, f := range map[string]func(float64) float64{
		"floor": math.Floor, "ceil": math.Ceil, "abs": math.Abs, "round": func(x float64) float64 { return math.Floor(x + 0.5) },
		"sqrt": math.Sqrt, "trunc": math.Trunc, "log": math.Log,
	} {
		w.Method(M, name, func(_ Value, a []Value) Value { return f(ToNumber(Arg(a, 0))) })
	}
	w.Method(M, "max", func(_ Value, a []Value) Value {
		r := math.Inf(-1)
		for _, x := range a {
			r = math.Max(r, ToNumber(x))
		}
		return r
	})
	w.Method(M, "min", func(_ Value, a []Value) Value {
		r := math.Inf(1)
		for _, x := range a {
			r = math.Min(r, ToNumber(x))
		}
		return r
	})
	w.Method(M, "random", func(_ Value, a []Value) Value { return float64(cryptoUint64()>>11) / (1 << 53) })

	// Date: enough for timestamps (Date.now, new Date(ms).getTime()/toISOString()).
	dateProto := w.ProtoOf("Date")
	dateC := w.DefineClass("Date", dateProto, func(args []Value) Value {
		ms := float64(time.Now().UnixMilli())
		switch x := Arg(args, 0).(type) {
		case float64:
			ms = x
		case string:
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				ms = float64(t.UnixMilli())
			} else {
				ms = math.NaN()
			}
		case *Object:
			if t, ok := x.Host.(float64); ok {
				ms = t
			}
		}
		return w.NewHostObject("Date", dateProto, ms)
	})
	w.Method(dateC, "now", func(_ Value, a []Value) Value { return float64(time.Now().UnixMilli()) })
	dateMs := func(this Value) float64 {
		o := w.ThisObject(this, "Date")
		ms, ok := o.Host.(float64)
		if !ok {
			w.ThrowError("TypeError", "this is not a Date object.")
		}
		return ms
	}
	w.Method(dateProto, "getTime", func(this Value, a []Value) Value { return dateMs(this) })
	w.Method(dateProto, "valueOf", func(this Value, a []Value) Value { return dateMs(this) })
	iso := func(this Value, a []Value) Value {
		ms := dateMs(this)
		if math.IsNaN(ms) {
			w.ThrowError("RangeError", "Invalid time value")
		}
		return time.UnixMilli(int64(ms)).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	w.Method(dateProto, "toISOString", iso)
	w.Method(dateProto, "toJSON", iso)
	w.Method(dateProto, "toString", func(this Value, a []Value) Value {
		return time.UnixMilli(int64(dateMs(this))).UTC().Format("Mon Jan 02 2006 15:04:05 GMT+0000 (Coordinated Universal Time)")
	})
}

func (w *World) installBuffers() {
	w.DefineClass("ArrayBuffer", w.ArrayBufferProto, func(args []Value) Value {
		n := int(ToNumber(Arg(args, 0)))
		if n < 0 || n > 1<<30 {
			w.ThrowError("RangeError", "Invalid array buffer length")
		}
		return w.NewArrayBuffer(make([]byte, n))
	})
	w.Getter(w.ArrayBufferProto, "byteLength", func(this *Object) Value { return float64(len(this.Bytes())) })
	w.Method(w.ArrayBufferProto, "slice", func(this Value, a []Value) Value {
		b := w.ThisObject(this, "ArrayBuffer").Bytes()
		s, e := clampRange(Arg(a, 0), Arg(a, 1), len(b))
		return w.NewArrayBuffer(append([]byte{}, b[s:e]...))
	})
	w.DefineClass("Uint8Array", w.Uint8ArrayProto, func(args []Value) Value {
		switch x := Arg(args, 0).(type) {
		case float64:
			return w.NewUint8Array(make([]byte, int(x)))
		case *Object:
			if x.Kind == KindArrayBuffer {
				off := 0
				if v := Arg(args, 1); v != Undefined {
					off = int(ToNumber(v))
				}
				n := len(x.Bytes()) - off
				if v := Arg(args, 2); v != Undefined {
					n = int(ToNumber(v))
				}
				if off < 0 || n < 0 || off+n > len(x.Bytes()) {
					w.ThrowError("RangeError", "Invalid typed array length")
				}
				return &Object{Class: "Uint8Array", Kind: KindUint8Array, Proto: w.Uint8ArrayProto, viewOf: x, viewOff: off, viewLen: n}
			}
			var b []byte
			if x.Kind == KindUint8Array {
				b = append(b, x.Bytes()...)
			} else {
				w.Iterate(x, func(v Value) { b = append(b, byte(int64(ToNumber(v)))) })
			}
			return w.NewUint8Array(b)
		}
		return w.NewUint8Array(nil)
	})
	P := w.Uint8ArrayProto
	w.Getter(P, "length", func(this *Object) Value { return float64(this.viewLen) })
	w.Getter(P, "byteLength", func(this *Object) Value { return float64(this.viewLen) })
	w.Getter(P, "byteOffset", func(this *Object) Value { return float64(this.viewOff) })
	w.Getter(P, "buffer", func(this *Object) Value { return this.viewOf })
	w.Method(P, "subarray", func(this Value, a []Value) Value {
		o := w.ThisObject(this, "Uint8Array")
		s, e := clampRange(Arg(a, 0), Arg(a, 1), o.viewLen)
		return &Object{Class: "Uint8Array", Kind: KindUint8Array, Proto: P, viewOf: o.viewOf, viewOff: o.viewOff + s, viewLen: e - s}
	})
	w.Method(P, "slice", func(this Value, a []Value) Value {
		b := w.ThisObject(this, "Uint8Array").Bytes()
		s, e := clampRange(Arg(a, 0), Arg(a, 1), len(b))
		return w.NewUint8Array(append([]byte{}, b[s:e]...))
	})
	w.Method(P, "set", func(this Value, a []Value) Value {
		dst := w.ThisObject(this, "Uint8Array").Bytes()
		off := 0
		if v := Arg(a, 1); v != Undefined {
			off = int(ToNumber(v))
		}
		var src []byte
		if so, ok := Arg(a, 0).(*Object); ok && (so.Kind == KindUint8Array || so.Kind == KindArrayBuffer) {
			src = so.Bytes()
		} else {
			w.Iterate(Arg(a, 0), func(v Value) { src = append(src, byte(int64(ToNumber(v)))) })
		}
		if off < 0 || off+len(src) > len(dst) {
			w.ThrowError("RangeError", "offset is out of bounds")
		}
		copy(dst[off:], src)
		return Undefined
	})
	w.Method(P, "@@iterator", func(this Value, a []Value) Value {
		var vs []Value
		for _, b := range w.ThisObject(this, "Uint8Array").Bytes() {
			vs = append(vs, float64(b))
		}
		return w.MakeIterator(vs)
	})

	// TextEncoder / TextDecoder (UTF-8 only, like workerd).
	encProto := w.ProtoOf("TextEncoder")
	w.DefineClass("TextEncoder", encProto, func(args []Value) Value { return w.NewHostObject("TextEncoder", encProto, nil) })
	w.Getter(encProto, "encoding", func(*Object) Value { return "utf-8" })
	w.Method(encProto, "encode", func(this Value, a []Value) Value {
		s := ""
		if v := Arg(a, 0); v != Undefined {
			s = ToString(v)
		}
		return w.NewUint8Array([]byte(s))
	})
	decProto := w.ProtoOf("TextDecoder")
	w.DefineClass("TextDecoder", decProto, func(args []Value) Value {
		if enc := Arg(args, 0); enc != Undefined {
			if e := strings.ToLower(ToString(enc)); e != "utf-8" && e != "utf8" {
				w.ThrowError("RangeError", "Unsupported encoding: "+e)
			}
		}
		return w.NewHostObject("TextDecoder", decProto, nil)
	})
	w.Getter(decProto, "encoding", func(*Object) Value { return "utf-8" })
	w.Method(decProto, "decode", func(this Value, a []Value) Value {
		o, ok := Arg(a, 0).(*Object)
		if !ok {
			return ""
		}
		return strings.ToValidUTF8(string(o.Bytes()), string(utf8.RuneError))
	})
}

// relativeIndex is a JS relative index (negative counts from the end)
// clamped to [0, n]; undefined is def.
func relativeIndex(v Value, n, def int) int {
	if v == Undefined {
		return def
	}
	i := int(ToNumber(v))
	if i < 0 {
		i = max(0, n+i)
	}
	return min(i, n)
}

func clampRange(sv, ev Value, n int) (int, int) {
	s, e := relativeIndex(sv, n, 0), relativeIndex(ev, n, n)
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
