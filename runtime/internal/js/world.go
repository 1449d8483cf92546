package js

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
	HandleNull      uint64 = 0
	HandleUndefined uint64 = 1
	HandleTrue      uint64 = 2
	HandleFalse     uint64 = 3
	HandleNoValue   uint64 = 4 // Pyodide's {noValueMarker: 1}
	HandleError     uint64 = 5 // Pyodide's error sentinel (Module.error): NOT null
	firstFree       uint64 = 16
)

type World struct {
	ObjectProto, FunctionProto, ArrayProto, MapProto, SetProto, PromiseProto,
	ErrorProto, ArrayBufferProto, Uint8ArrayProto, IteratorProto *Object
	GlobalThis *Object
	Ctors      map[string]*Object // constructor by name, for x.constructor

	NoValue, ErrSentinel *Object

	refs      map[uint64]ref
	objHandle map[*Object]uint64
	strHandle map[string]uint64
	numHandle map[float64]uint64
	next      uint64

	// Memory accounting (handles.go): epoch advances at every Sweep; a
	// handle records the last epoch it crossed in. OnPressure is called
	// when the table or the timers have grown by PressureStep since the
	// last call (the Pyodide layer sweeps and enforces the run's limit).
	epoch      uint32
	OnPressure func()
	nextCheck  int

	Loop EventLoop
}

// ref is one externref handle's value and the last epoch it crossed.
type ref struct {
	v     Value
	epoch uint32
}

func NewWorld() *World {
	w := &World{
		Ctors:     map[string]*Object{},
		refs:      map[uint64]ref{},
		objHandle: map[*Object]uint64{},
		strHandle: map[string]uint64{},
		numHandle: map[float64]uint64{},
		next:      firstFree,
		nextCheck: PressureStep,
	}
	w.ObjectProto = &Object{Class: "Object"}
	w.FunctionProto = w.ProtoOf("Function")
	w.ArrayProto = w.ProtoOf("Array")
	w.MapProto = w.ProtoOf("Map")
	w.SetProto = w.ProtoOf("Set")
	w.PromiseProto = w.ProtoOf("Promise")
	w.ErrorProto = w.ProtoOf("Error")
	w.ArrayBufferProto = w.ProtoOf("ArrayBuffer")
	w.Uint8ArrayProto = w.ProtoOf("Uint8Array")
	w.IteratorProto = w.ProtoOf("Iterator")
	w.GlobalThis = w.NewObject()
	w.NoValue = w.NewObject()
	w.NoValue.Set("noValueMarker", 1.0)
	w.ErrSentinel = &Object{Class: "PyodideErrorSentinel"}
	w.refs[HandleUndefined] = ref{v: Undefined}
	w.refs[HandleTrue] = ref{v: true}
	w.refs[HandleFalse] = ref{v: false}
	w.refs[HandleNoValue] = ref{v: w.NoValue}
	w.objHandle[w.NoValue] = HandleNoValue
	w.refs[HandleError] = ref{v: w.ErrSentinel}
	w.objHandle[w.ErrSentinel] = HandleError
	w.installBuiltins()
	w.Loop.OnGrow = w.LoopGrew
	return w
}

func (w *World) ProtoOf(class string) *Object { return &Object{Class: class, Proto: w.ObjectProto} }

// ---- handles

// handle returns the externref for v. Objects, strings and numbers keep one
// handle each, so identity survives crossings and repeated crossings of the
// same value do not grow the table.
func (w *World) Handle(v Value) uint64 {
	switch x := v.(type) {
	case nil:
		return HandleNull
	case UndefinedType:
		return HandleUndefined
	case bool:
		if x {
			return HandleTrue
		}
		return HandleFalse
	case *Object:
		if h, ok := w.objHandle[x]; ok {
			w.touch(h)
			return h
		}
		h := w.alloc(x)
		w.objHandle[x] = h
		return h
	case string:
		if h, ok := w.strHandle[x]; ok {
			w.touch(h)
			return h
		}
		h := w.alloc(x)
		w.strHandle[x] = h
		return h
	case float64:
		if h, ok := w.numHandle[x]; ok && !math.IsNaN(x) && !(x == 0 && math.Signbit(x)) {
			w.touch(h)
			return h
		}
		h := w.alloc(x)
		if !math.IsNaN(x) && !(x == 0 && math.Signbit(x)) {
			w.numHandle[x] = h
		}
		return h
	case int:
		return w.Handle(float64(x))
	}
	return w.alloc(v)
}

func (w *World) alloc(v Value) uint64 {
	h := w.next
	w.next++
	w.refs[h] = ref{v: v, epoch: w.epoch}
	w.checkPressure()
	return h
}

// value resolves an externref handle from wasm.
func (w *World) Value(h uint64) Value {
	if h == HandleNull {
		return nil
	}
	if r, ok := w.refs[h]; ok {
		if r.epoch != w.epoch {
			r.epoch = w.epoch
			w.refs[h] = r
		}
		return r.v
	}
	// A handle we never issued means memory corruption or a stale snapshot.
	panic(&Throw{w.NewError("Error", "pyworkers runtime: unknown externref handle")})
}

// ---- constructors of values

func (w *World) NewObject() *Object {
	return &Object{Class: "Object", Proto: w.ObjectProto}
}

func (w *World) NewObjectFrom(kv ...Value) *Object {
	o := w.NewObject()
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

func (w *World) NewHostObject(class string, proto *Object, host any) *Object {
	return &Object{Class: class, Proto: proto, Host: host}
}

func (w *World) NewArray(items ...Value) *Object {
	return &Object{Class: "Array", Kind: KindArray, Proto: w.ArrayProto, Arr: append([]Value{}, items...)}
}

func (w *World) NewFunc(name string, fn func(this Value, args []Value) Value) *Object {
	return &Object{Class: "Function", Kind: kindFunction, Proto: w.FunctionProto, Call: fn, Name: name}
}

func (w *World) NewMap() *Object {
	return &Object{Class: "Map", Kind: KindMap, Proto: w.MapProto}
}

func (w *World) NewSet() *Object {
	return &Object{Class: "Set", Kind: KindSet, Proto: w.SetProto}
}

func (w *World) NewArrayBuffer(b []byte) *Object {
	return &Object{Class: "ArrayBuffer", Kind: KindArrayBuffer, Proto: w.ArrayBufferProto, buf: &b}
}

func (w *World) NewUint8Array(b []byte) *Object {
	ab := w.NewArrayBuffer(b)
	return &Object{Class: "Uint8Array", Kind: KindUint8Array, Proto: w.Uint8ArrayProto, viewOf: ab, viewLen: len(b)}
}

func (w *World) NewError(class, msg string) *Object {
	proto := w.ErrorProto
	if c, ok := w.Ctors[class]; ok {
		if p, ok := c.Get("prototype").(*Object); ok {
			proto = p
		}
	}
	o := &Object{Class: class, Proto: proto}
	o.Set("message", msg)
	o.Set("stack", class+": "+msg+"\n    at <pyworkers runtime>")
	return o
}

func (w *World) ThrowError(class, msg string) {
	panic(&Throw{w.NewError(class, msg)})
}

// method defines a function-valued property.
func (w *World) Method(o *Object, name string, fn func(this Value, args []Value) Value) *Object {
	f := w.NewFunc(name, fn)
	o.Set(name, f)
	return f
}

// getter defines an accessor property on o (normally a prototype).
func (w *World) Getter(o *Object, name string, fn func(this *Object) Value) {
	if o.Getters == nil {
		o.Getters = map[string]func(*Object) Value{}
	}
	o.Getters[name] = fn
}

// defineClass makes a global constructor whose instances use proto.
func (w *World) DefineClass(name string, proto *Object, ctor func(args []Value) Value) *Object {
	c := w.NewFunc(name, func(this Value, args []Value) Value {
		w.ThrowError("TypeError", "Class constructor "+name+" cannot be invoked without 'new'")
		return nil
	})
	c.ctor = ctor
	c.Set("prototype", proto)
	proto.Set("constructor", c)
	w.Ctors[name] = c
	w.GlobalThis.Set(name, c)
	return c
}

// ---- calling

func (w *World) Call(f Value, this Value, args ...Value) Value {
	fo, ok := f.(*Object)
	if !ok || fo.Call == nil {
		w.ThrowError("TypeError", ToString(f)+" is not a function")
	}
	return fo.Call(this, args)
}

func (w *World) CallMethod(o Value, name string, args ...Value) Value {
	return w.Call(w.Get(o, name), o, args...)
}

func (w *World) Construct(f Value, args []Value) Value {
	fo, ok := f.(*Object)
	if !ok || fo.ctor == nil {
		w.ThrowError("TypeError", ToString(f)+" is not a constructor")
	}
	return fo.ctor(args)
}

// get reads a property of any value (primitives use their prototypes).
func (w *World) Get(v Value, k string) Value {
	switch x := v.(type) {
	case *Object:
		return x.Get(k)
	case string:
		if k == "length" {
			return float64(jsLength(x))
		}
		if p, ok := w.Ctors["String"]; ok {
			return p.Get("prototype").(*Object).Get(k)
		}
	case float64:
		if p, ok := w.Ctors["Number"]; ok {
			return p.Get("prototype").(*Object).Get(k)
		}
	case nil, UndefinedType:
		w.ThrowError("TypeError", "Cannot read properties of "+ToString(v)+" (reading '"+k+"')")
	}
	return Undefined
}

func (w *World) HasMethod(v Value, k string) bool {
	o, ok := v.(*Object)
	if !ok {
		return false
	}
	f, ok := o.Get(k).(*Object)
	return ok && f.Call != nil
}

// iterate runs f over a JS iterable.
func (w *World) Iterate(v Value, f func(Value)) {
	o, ok := v.(*Object)
	if !ok {
		if s, ok := v.(string); ok {
			for _, r := range s {
				f(string(r))
			}
			return
		}
		w.ThrowError("TypeError", ToString(v)+" is not iterable")
	}
	switch o.Kind {
	case KindArray:
		for _, e := range append([]Value{}, o.Arr...) {
			f(e)
		}
		return
	case KindMap:
		ks, vs := append([]Value{}, o.MapKeys...), append([]Value{}, o.MapVals...)
		for i := range ks {
			f(w.NewArray(ks[i], vs[i]))
		}
		return
	case KindSet:
		for _, k := range append([]Value{}, o.MapKeys...) {
			f(k)
		}
		return
	case KindUint8Array:
		for _, b := range o.Bytes() {
			f(float64(b))
		}
		return
	}
	if !w.HasMethod(o, "@@iterator") {
		w.ThrowError("TypeError", o.Class+" is not iterable")
	}
	it := w.CallMethod(o, "@@iterator")
	for {
		r := w.CallMethod(it, "next")
		if Truthy(w.Get(r, "done")) {
			return
		}
		f(w.Get(r, "value"))
	}
}

// makeIterator returns a JS iterator over items.
func (w *World) MakeIterator(items []Value) *Object {
	i := 0
	it := &Object{Class: "Object", Proto: w.IteratorProto}
	w.Method(it, "next", func(this Value, args []Value) Value {
		if i >= len(items) {
			return w.NewObjectFrom("done", true, "value", Undefined)
		}
		i++
		return w.NewObjectFrom("done", false, "value", items[i-1])
	})
	return it
}

// ---- event loop: microtasks and timers

type Timer struct {
	id       int
	Due      time.Time
	seq      int
	Fn       func()
	interval time.Duration
	canceled bool
}

type EventLoop struct {
	Micro  []func()
	timers []*Timer
	seq    int
	byID   map[int]*Timer

	// Work finishing outside the loop (outbound HTTP) posts its completion
	// here; extPending counts what is still out.
	Ext        chan func()
	ExtPending int

	// OnGrow is called for every new timer (the world's memory check).
	OnGrow func()

	// BeforeWait and AfterWait, when set, run around each time the loop
	// blocks waiting for a timer or an external completion: a long-lived
	// interpreter (an isolate serving requests) releases the engine's run
	// lock while it has nothing to do.
	BeforeWait, AfterWait func()
}

// OpenSource starts a long-lived source of tasks posted from other
// goroutines (a server's incoming requests). While it is open the loop
// waits for it instead of stalling; post may be called from any goroutine,
// close only on the loop's.
func (l *EventLoop) OpenSource() (post func(func()), close func()) {
	var posted func(func())
	l.External(func(done func(func())) { posted = done })
	ch := l.Ext
	closed := false
	post = func(f func()) {
		// The loop counts every task it receives as one completion of
		// pending work: count the posted one before it arrives.
		task := func() { l.ExtPending++; f() }
		select {
		case ch <- task:
		default:
			go func() { ch <- task }()
		}
	}
	close = func() {
		if !closed {
			closed = true
			posted(func() {})
		}
	}
	return post, close
}

// Timers is how many timers the loop holds (live or cancelled but not yet
// dropped).
func (l *EventLoop) Timers() int { return len(l.timers) }

// external starts work that completes on another goroutine: start receives a
// done function that queues a callback onto the loop.
func (l *EventLoop) External(start func(done func(func()))) {
	if l.Ext == nil {
		l.Ext = make(chan func(), 1024)
	}
	l.ExtPending++
	ch := l.Ext
	start(func(f func()) {
		select {
		case ch <- f:
		default:
			go func() { ch <- f }()
		}
	})
}

func (l *EventLoop) QueueMicrotask(f func()) { l.Micro = append(l.Micro, f) }

func (l *EventLoop) SetTimer(d time.Duration, repeat bool, f func()) int {
	l.seq++
	t := &Timer{id: l.seq, Due: time.Now().Add(d), seq: l.seq, Fn: f}
	if repeat {
		t.interval = max(d, time.Millisecond)
	}
	l.timers = append(l.timers, t)
	if l.OnGrow != nil {
		l.OnGrow()
	}
	if l.byID == nil {
		l.byID = map[int]*Timer{}
	}
	l.byID[t.id] = t
	return t.id
}

func (l *EventLoop) clearTimer(id int) {
	if t, ok := l.byID[id]; ok {
		t.canceled = true
		delete(l.byID, id)
	}
}

func (l *EventLoop) Pending() bool {
	if len(l.Micro) > 0 {
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
func (l *EventLoop) PopTimer() *Timer {
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
		if l.timers[i].Due.Equal(l.timers[j].Due) {
			return l.timers[i].seq < l.timers[j].seq
		}
		return l.timers[i].Due.Before(l.timers[j].Due)
	})
	t := l.timers[0]
	l.timers = l.timers[1:]
	if t.interval > 0 {
		l.seq++
		next := *t
		next.Due, next.seq = time.Now().Add(t.interval), l.seq
		l.timers = append(l.timers, &next)
		l.byID[t.id] = &next
	} else {
		delete(l.byID, t.id)
	}
	return t
}

// nextTimer is the earliest live timer, left in place.
func (l *EventLoop) NextTimer() *Timer {
	var best *Timer
	for _, t := range l.timers {
		if t.canceled {
			continue
		}
		if best == nil || t.Due.Before(best.Due) || (t.Due.Equal(best.Due) && t.seq < best.seq) {
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
