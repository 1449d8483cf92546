package runtime

// Realm helpers the simulated bindings (package runtime/bindings) need beyond
// realm.go: class instances whose constructor name the SDK dispatches on,
// binary values, Maps, streams, and reading arguments that may be PyProxies.

import (
	"math/big"
	"sort"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/webapi"
)

// NewInstance returns an object of class `class`: `x.constructor.name` is
// class (the SDKs dispatch on it) and its prototype is not Object.prototype,
// so `to_py()` keeps it a proxy instead of flattening it to a dict, as for
// workerd's binding objects.
func (r *Realm) NewInstance(class string) *Object {
	w := r.w
	// The constructors live in w.ctors under a key no global class can have,
	// so they are per world without a new field on world; they are not
	// globals (workerd does not expose binding classes either).
	key := "binding class " + class
	ctor := w.Ctors[key]
	if ctor == nil {
		proto := w.ProtoOf(class)
		ctor = w.NewFunc(class, func(Value, []Value) Value {
			w.ThrowError("TypeError", "Illegal constructor")
			return nil
		})
		ctor.Set("prototype", proto)
		proto.Set("constructor", ctor)
		w.Ctors[key] = ctor
	}
	return &Object{Class: class, Proto: ctor.Get("prototype").(*Object)}
}

// NewPlainObject returns a plain `{}` (converted to a dict by to_py).
func (r *Realm) NewPlainObject() *Object { return r.w.NewObject() }

// NewArrayBuffer and NewUint8Array wrap a copy-free byte slice.
func (r *Realm) NewArrayBuffer(b []byte) *Object { return r.w.NewArrayBuffer(b) }
func (r *Realm) NewUint8Array(b []byte) *Object  { return r.w.NewUint8Array(b) }

// NewMap returns a JS Map of the given entries, in order.
func (r *Realm) NewMap(keys []string, vals []Value) *Object {
	m := r.w.NewMap()
	for i, k := range keys {
		r.w.CallMethod(m, "set", k, vals[i])
	}
	return m
}

// NewReadableStream returns a ReadableStream that yields b then closes.
func (r *Realm) NewReadableStream(b []byte) *Object {
	s := &webapi.StreamState{}
	if len(b) > 0 {
		r.w.StreamEnqueue(s, append([]byte{}, b...))
	}
	r.w.StreamClose(s)
	return r.w.NewReadableStream(s)
}

// NewError builds a JS error of the given class ("Error", "TypeError", ...).
func (r *Realm) NewError(class, msg string) *Object { return r.w.NewError(class, msg) }

// ErrorValue is the JS value a Go error becomes: a *JSError keeps its class
// (TypeError, …), a thrown JS value passes through, anything else is an Error.
func (r *Realm) ErrorValue(err error) Value { return r.w.ErrorValue(err) }

// Resolved and Rejected return settled promises.
func (r *Realm) Resolved(v Value) *Object   { return r.w.PromiseResolve(v) }
func (r *Realm) Rejected(err Value) *Object { return r.w.Rejected(err) }

// Bytes returns the bytes of an ArrayBuffer, a Uint8Array (or a PyProxy of
// bytes/bytearray/memoryview); ok is false for anything else.
func (r *Realm) Bytes(v Value) ([]byte, bool) {
	o, isObj := v.(*Object)
	if !isObj {
		return nil, false
	}
	switch o.Kind {
	case js.KindArrayBuffer, js.KindUint8Array:
		return append([]byte{}, o.Bytes()...), true
	case js.KindPyProxy:
		if pyodide.PyOf(o) != nil && pyodide.PyOf(o).Flags&pyodide.PyIsBuffer != 0 && r.w.Inst != nil {
			var out []byte
			th := r.w.Catch(func() {
				buf := r.w.CallMethod(o, "getBuffer")
				if data, ok := r.w.Get(buf, "data").(*Object); ok {
					out = append([]byte{}, data.Bytes()...)
				}
				r.w.CallMethod(buf, "release")
			})
			return out, th == nil && out != nil
		}
	}
	return nil, false
}

// IsStream reports whether v is a ReadableStream.
func (r *Realm) IsStream(v Value) bool {
	o, ok := v.(*Object)
	return ok && o.Class == "ReadableStream"
}

// ReadAll reads a ReadableStream (or any body value) to its end and calls
// then with the bytes; the returned promise settles with then's result.
func (r *Realm) ReadAll(v Value, then func(b []byte) (Value, error)) *Object {
	w := r.w
	out := w.NewPromise()
	w.OnSettled(w.ReadAll(w.BodyFrom(v)), func(ab Value) {
		var b []byte
		if o, ok := ab.(*Object); ok {
			b = o.Bytes()
		}
		res, err := then(b)
		if err != nil {
			w.RejectPromise(out, w.ErrorValue(err))
			return
		}
		w.ResolvePromise(out, res)
	}, func(e Value) { w.RejectPromise(out, e) })
	return out
}

// ToGo converts a JS value (or a PyProxy of a dict/list/tuple, as when a
// Worker passes Python data without to_js) to plain Go data: nil, bool,
// float64, string, []any, map[string]any, []byte. Other values (functions,
// class instances) become their string form.
func (r *Realm) ToGo(v Value) any {
	return r.toGo(v, 0)
}

func (r *Realm) toGo(v Value, depth int) any {
	if depth > 64 {
		return nil
	}
	switch x := v.(type) {
	case nil, js.UndefinedType:
		return nil
	case bool, float64, string:
		return x
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case *Object:
		switch x.Kind {
		case js.KindArray:
			out := make([]any, len(x.Arr))
			for i, e := range x.Arr {
				out[i] = r.toGo(e, depth+1)
			}
			return out
		case js.KindMap:
			out := make(map[string]any, len(x.MapKeys))
			for i, k := range x.MapKeys {
				out[js.ToString(k)] = r.toGo(x.MapVals[i], depth+1)
			}
			return out
		case js.KindSet:
			out := make([]any, len(x.MapKeys))
			for i, e := range x.MapKeys {
				out[i] = r.toGo(e, depth+1)
			}
			return out
		case js.KindArrayBuffer, js.KindUint8Array:
			return append([]byte{}, x.Bytes()...)
		case js.KindPyProxy:
			return r.pyProxyToGo(x, depth)
		case js.KindPlain:
			if x.Call != nil {
				return js.ToString(x)
			}
			if x.Class == "Date" {
				return js.ToString(x)
			}
			out := map[string]any{}
			for _, k := range x.OwnKeys() {
				out[k] = r.toGo(x.Get(k), depth+1)
			}
			return out
		}
		return js.ToString(x)
	}
	return js.ToString(v)
}

// pyProxyToGo reads a proxied Python mapping (has keys()) or iterable.
func (r *Realm) pyProxyToGo(o *Object, depth int) any {
	w := r.w
	if b, ok := r.Bytes(o); ok {
		return b
	}
	var out any
	th := w.Catch(func() {
		if pyodide.PyOf(o).Flags&pyodide.PyHasGet != 0 && w.HasMethod(o, "keys") {
			m := map[string]any{}
			var keys []Value
			w.Iterate(o, func(k Value) { keys = append(keys, k) })
			for _, k := range keys {
				m[js.ToString(k)] = r.toGo(w.CallMethod(o, "get", k), depth+1)
			}
			out = m
			return
		}
		if pyodide.PyOf(o).Flags&(pyodide.PyIsIterable|pyodide.PyIsIterator) != 0 {
			var items []any
			w.Iterate(o, func(e Value) { items = append(items, r.toGo(e, depth+1)) })
			if items == nil {
				items = []any{}
			}
			out = items
			return
		}
		out = js.ToString(o)
	})
	if th != nil {
		return nil
	}
	return out
}

// FromGoOrdered is FromGo with map keys in the given order where known:
// []any, map[string]any (sorted keys), []byte (Uint8Array); OrderedMap keeps
// its order (row objects of SQL results).
func (r *Realm) FromGoOrdered(v any) Value {
	switch x := v.(type) {
	case OrderedMap:
		o := r.w.NewObject()
		for i, k := range x.Keys {
			o.Set(k, r.FromGoOrdered(x.Vals[i]))
		}
		return o
	case []byte:
		return r.w.NewArrayBuffer(append([]byte{}, x...))
	case []any:
		a := r.w.NewArray()
		for _, e := range x {
			a.Arr = append(a.Arr, r.FromGoOrdered(e))
		}
		return a
	case map[string]any:
		o := r.w.NewObject()
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			o.Set(k, r.FromGoOrdered(x[k]))
		}
		return o
	case []string:
		a := r.w.NewArray()
		for _, e := range x {
			a.Arr = append(a.Arr, e)
		}
		return a
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	}
	return fromGo(r.w, v)
}

// OrderedMap is a JSON-like object whose keys keep their order.
type OrderedMap struct {
	Keys []string
	Vals []any
}

// NewDateMs returns a JS Date of ms milliseconds since the epoch.
func (r *Realm) NewDateMs(ms float64) Value {
	return r.w.Construct(r.w.Ctors["Date"], []Value{ms})
}

// Push appends to a JS array.
func (r *Realm) Push(arr *Object, v Value) { arr.Arr = append(arr.Arr, v) }

// Items returns the elements of a JS array or of any iterable (a PyProxy of
// a Python list); ok is false for non-iterables.
func (r *Realm) Items(v Value) (items []Value, ok bool) {
	o, isObj := v.(*Object)
	if !isObj {
		return nil, false
	}
	if o.Kind == js.KindArray {
		return append([]Value{}, o.Arr...), true
	}
	if o.Kind == js.KindPyProxy && pyodide.PyOf(o).Flags&(pyodide.PyIsIterable|pyodide.PyIsIterator) == 0 {
		return nil, false
	}
	th := r.w.Catch(func() { r.w.Iterate(o, func(e Value) { items = append(items, e) }) })
	return items, th == nil
}

// CallMethod calls o[name](...args) with o as this; a JS throw panics
// through to the caller's method (it becomes the Worker's exception).
func (r *Realm) CallMethod(o Value, name string, args ...Value) Value {
	return r.w.CallMethod(o, name, args...)
}
