package runtime

// world is one isolate's JS heap: prototypes, globalThis, the externref handle
// table and the event loop. Every run builds a fresh world, so nothing a
// handler does to JS objects survives into the next run.

import (
	"math"
	"math/big"
	"sort"
	"time"
)

// Fixed externref handles. 0 is externref null, which is JS null.
const (
	hNull      uint64 = 0
	hUndefined uint64 = 1
	hTrue      uint64 = 2
	hFalse     uint64 = 3
	hNoValue   uint64 = 4 // Pyodide's {noValueMarker: 1}
	hError     uint64 = 5 // Pyodide's error sentinel (Module.error): NOT null
	firstFree  uint64 = 16
)

type World struct {
	ObjectProto, FunctionProto, ArrayProto, MapProto, SetProto, PromiseProto,
	ErrorProto, ArrayBufferProto, Uint8ArrayProto, IteratorProto *Object
	globalThis *Object
	ctors      map[string]*Object // constructor by name, for x.constructor

	noValue, errSentinel *Object

	refs      map[uint64]Value
	objHandle map[*Object]uint64
	strHandle map[string]uint64
	numHandle map[float64]uint64
	next      uint64

	loop eventLoop

}

func newWorld() *World {
	w := &World{
		ctors:     map[string]*Object{},
		refs:      map[uint64]Value{},
		objHandle: map[*Object]uint64{},
		strHandle: map[string]uint64{},
		numHandle: map[float64]uint64{},
		next:      firstFree,
	}
	w.ObjectProto = &Object{Class: "Object"}
	w.FunctionProto = w.protoOf("Function")
	w.ArrayProto = w.protoOf("Array")
	w.MapProto = w.protoOf("Map")
	w.SetProto = w.protoOf("Set")
	w.PromiseProto = w.protoOf("Promise")
	w.ErrorProto = w.protoOf("Error")
	w.ArrayBufferProto = w.protoOf("ArrayBuffer")
	w.Uint8ArrayProto = w.protoOf("Uint8Array")
	w.IteratorProto = w.protoOf("Iterator")
	w.globalThis = w.newObject()
	w.noValue = w.newObject()
	w.noValue.Set("noValueMarker", 1.0)
	w.errSentinel = &Object{Class: "PyodideErrorSentinel"}
	w.refs[hUndefined] = Undefined
	w.refs[hTrue] = true
	w.refs[hFalse] = false
	w.refs[hNoValue] = w.noValue
	w.objHandle[w.noValue] = hNoValue
	w.refs[hError] = w.errSentinel
	w.objHandle[w.errSentinel] = hError
	w.installBuiltins()
	return w
}

func (w *World) protoOf(class string) *Object { return &Object{Class: class, proto: w.ObjectProto} }

// ---- handles

// handle returns the externref for v. Objects, strings and numbers keep one
// handle each, so identity survives crossings and repeated crossings of the
// same value do not grow the table.
func (w *World) handle(v Value) uint64 {
	switch x := v.(type) {
	case nil:
		return hNull
	case undefinedType:
		return hUndefined
	case bool:
		if x {
			return hTrue
		}
		return hFalse
	case *Object:
		if h, ok := w.objHandle[x]; ok {
			return h
		}
		h := w.alloc(x)
		w.objHandle[x] = h
		return h
	case string:
		if h, ok := w.strHandle[x]; ok {
			return h
		}
		h := w.alloc(x)
		w.strHandle[x] = h
		return h
	case float64:
		if h, ok := w.numHandle[x]; ok && !math.IsNaN(x) && !(x == 0 && math.Signbit(x)) {
			return h
		}
		h := w.alloc(x)
		if !math.IsNaN(x) && !(x == 0 && math.Signbit(x)) {
			w.numHandle[x] = h
		}
		return h
	case int:
		return w.handle(float64(x))
	}
	return w.alloc(v)
}

func (w *World) alloc(v Value) uint64 {
	h := w.next
	w.next++
	w.refs[h] = v
	return h
}

// value resolves an externref handle from wasm.
func (w *World) value(h uint64) Value {
	if h == hNull {
		return nil
	}
	if v, ok := w.refs[h]; ok {
		return v
	}
	// A handle we never issued means memory corruption or a stale snapshot.
	panic(&jsThrow{w.newError("Error", "pyworkers runtime: unknown externref handle")})
}

// ---- constructors of values

func (w *World) newObject() *Object {
	return &Object{Class: "Object", proto: w.ObjectProto}
}

func (w *World) newObjectFrom(kv ...Value) *Object {
	o := w.newObject()
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

func (w *World) newHostObject(class string, proto *Object, host any) *Object {
	return &Object{Class: class, proto: proto, host: host}
}

func (w *World) newArray(items ...Value) *Object {
	return &Object{Class: "Array", kind: kindArray, proto: w.ArrayProto, arr: append([]Value{}, items...)}
}

func (w *World) newFunc(name string, fn func(this Value, args []Value) Value) *Object {
	return &Object{Class: "Function", kind: kindFunction, proto: w.FunctionProto, call: fn, name: name}
}

func (w *World) newMap() *Object {
	return &Object{Class: "Map", kind: kindMap, proto: w.MapProto}
}

func (w *World) newSet() *Object {
	return &Object{Class: "Set", kind: kindSet, proto: w.SetProto}
}

func (w *World) newArrayBuffer(b []byte) *Object {
	return &Object{Class: "ArrayBuffer", kind: kindArrayBuffer, proto: w.ArrayBufferProto, buf: &b}
}

func (w *World) newUint8Array(b []byte) *Object {
	ab := w.newArrayBuffer(b)
	return &Object{Class: "Uint8Array", kind: kindUint8Array, proto: w.Uint8ArrayProto, viewOf: ab, viewLen: len(b)}
}

func (w *World) newError(class, msg string) *Object {
	proto := w.ErrorProto
	if c, ok := w.ctors[class]; ok {
		if p, ok := c.Get("prototype").(*Object); ok {
			proto = p
		}
	}
	o := &Object{Class: class, proto: proto}
	o.Set("message", msg)
	o.Set("stack", class+": "+msg+"\n    at <pyworkers runtime>")
	return o
}

func (w *World) throwError(class, msg string) {
	panic(&jsThrow{w.newError(class, msg)})
}

// method defines a function-valued property.
func (w *World) method(o *Object, name string, fn func(this Value, args []Value) Value) *Object {
	f := w.newFunc(name, fn)
	o.Set(name, f)
	return f
}

// getter defines an accessor property on o (normally a prototype).
func (w *World) getter(o *Object, name string, fn func(this *Object) Value) {
	if o.getters == nil {
		o.getters = map[string]func(*Object) Value{}
	}
	o.getters[name] = fn
}

// defineClass makes a global constructor whose instances use proto.
func (w *World) defineClass(name string, proto *Object, ctor func(args []Value) Value) *Object {
	c := w.newFunc(name, func(this Value, args []Value) Value {
		w.throwError("TypeError", "Class constructor "+name+" cannot be invoked without 'new'")
		return nil
	})
	c.ctor = ctor
	c.Set("prototype", proto)
	proto.Set("constructor", c)
	w.ctors[name] = c
	w.globalThis.Set(name, c)
	return c
}

// ---- calling

func (w *World) call(f Value, this Value, args ...Value) Value {
	fo, ok := f.(*Object)
	if !ok || fo.call == nil {
		w.throwError("TypeError", toString(f)+" is not a function")
	}
	return fo.call(this, args)
}

func (w *World) callMethod(o Value, name string, args ...Value) Value {
	return w.call(w.get(o, name), o, args...)
}

func (w *World) construct(f Value, args []Value) Value {
	fo, ok := f.(*Object)
	if !ok || fo.ctor == nil {
		w.throwError("TypeError", toString(f)+" is not a constructor")
	}
	return fo.ctor(args)
}

// get reads a property of any value (primitives use their prototypes).
func (w *World) get(v Value, k string) Value {
	switch x := v.(type) {
	case *Object:
		return x.Get(k)
	case string:
		if k == "length" {
			return float64(jsLength(x))
		}
		if p, ok := w.ctors["String"]; ok {
			return p.Get("prototype").(*Object).Get(k)
		}
	case float64:
		if p, ok := w.ctors["Number"]; ok {
			return p.Get("prototype").(*Object).Get(k)
		}
	case nil, undefinedType:
		w.throwError("TypeError", "Cannot read properties of "+toString(v)+" (reading '"+k+"')")
	}
	return Undefined
}

func (w *World) hasMethod(v Value, k string) bool {
	o, ok := v.(*Object)
	if !ok {
		return false
	}
	f, ok := o.Get(k).(*Object)
	return ok && f.call != nil
}

// iterate runs f over a JS iterable.
func (w *World) iterate(v Value, f func(Value)) {
	o, ok := v.(*Object)
	if !ok {
		if s, ok := v.(string); ok {
			for _, r := range s {
				f(string(r))
			}
			return
		}
		w.throwError("TypeError", toString(v)+" is not iterable")
	}
	switch o.kind {
	case kindArray:
		for _, e := range append([]Value{}, o.arr...) {
			f(e)
		}
		return
	case kindMap:
		ks, vs := append([]Value{}, o.mapKeys...), append([]Value{}, o.mapVals...)
		for i := range ks {
			f(w.newArray(ks[i], vs[i]))
		}
		return
	case kindSet:
		for _, k := range append([]Value{}, o.mapKeys...) {
			f(k)
		}
		return
	case kindUint8Array:
		for _, b := range o.bytes() {
			f(float64(b))
		}
		return
	}
	if !w.hasMethod(o, "@@iterator") {
		w.throwError("TypeError", o.Class+" is not iterable")
	}
	it := w.callMethod(o, "@@iterator")
	for {
		r := w.callMethod(it, "next")
		if truthy(w.get(r, "done")) {
			return
		}
		f(w.get(r, "value"))
	}
}

// makeIterator returns a JS iterator over items.
func (w *World) makeIterator(items []Value) *Object {
	i := 0
	it := &Object{Class: "Object", proto: w.IteratorProto}
	w.method(it, "next", func(this Value, args []Value) Value {
		if i >= len(items) {
			return w.newObjectFrom("done", true, "value", Undefined)
		}
		i++
		return w.newObjectFrom("done", false, "value", items[i-1])
	})
	return it
}

// ---- event loop: microtasks and timers

type timer struct {
	id       int
	due      time.Time
	seq      int
	fn       func()
	interval time.Duration
	canceled bool
}

type eventLoop struct {
	micro  []func()
	timers []*timer
	seq    int
	byID   map[int]*timer

	// Work finishing outside the loop (outbound HTTP) posts its completion
	// here; extPending counts what is still out.
	ext        chan func()
	extPending int
}

// external starts work that completes on another goroutine: start receives a
// done function that queues a callback onto the loop.
func (l *eventLoop) external(start func(done func(func()))) {
	if l.ext == nil {
		l.ext = make(chan func(), 1024)
	}
	l.extPending++
	ch := l.ext
	start(func(f func()) {
		select {
		case ch <- f:
		default:
			go func() { ch <- f }()
		}
	})
}

func (l *eventLoop) queueMicrotask(f func()) { l.micro = append(l.micro, f) }

func (l *eventLoop) setTimer(d time.Duration, repeat bool, f func()) int {
	l.seq++
	t := &timer{id: l.seq, due: time.Now().Add(d), seq: l.seq, fn: f}
	if repeat {
		t.interval = max(d, time.Millisecond)
	}
	l.timers = append(l.timers, t)
	if l.byID == nil {
		l.byID = map[int]*timer{}
	}
	l.byID[t.id] = t
	return t.id
}

func (l *eventLoop) clearTimer(id int) {
	if t, ok := l.byID[id]; ok {
		t.canceled = true
		delete(l.byID, id)
	}
}

func (l *eventLoop) pending() bool {
	if len(l.micro) > 0 {
		return true
	}
	for _, t := range l.timers {
		if !t.canceled {
			return true
		}
	}
	return false
}

// popTimer removes and returns the earliest live timer, or nil.
func (l *eventLoop) popTimer() *timer {
	live := l.timers[:0]
	for _, t := range l.timers {
		if !t.canceled {
			live = append(live, t)
		}
	}
	l.timers = live
	if len(l.timers) == 0 {
		return nil
	}
	sort.Slice(l.timers, func(i, j int) bool {
		if l.timers[i].due.Equal(l.timers[j].due) {
			return l.timers[i].seq < l.timers[j].seq
		}
		return l.timers[i].due.Before(l.timers[j].due)
	})
	t := l.timers[0]
	l.timers = l.timers[1:]
	if t.interval > 0 {
		l.seq++
		next := *t
		next.due, next.seq = time.Now().Add(t.interval), l.seq
		l.timers = append(l.timers, &next)
		l.byID[t.id] = &next
	} else {
		delete(l.byID, t.id)
	}
	return t
}

// nextTimer is the earliest live timer, left in place.
func (l *eventLoop) nextTimer() *timer {
	var best *timer
	for _, t := range l.timers {
		if t.canceled {
			continue
		}
		if best == nil || t.due.Before(best.due) || (t.due.Equal(best.due) && t.seq < best.seq) {
			best = t
		}
	}
	return best
}

// ---- BigInt helpers

func bigFromFloat(f float64) *big.Int {
	b, _ := big.NewFloat(f).Int(nil)
	return b
}
