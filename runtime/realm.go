package runtime

import "github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"

// Realm is the small API Go-implemented bindings use to build JS objects in
// a run's world. Values are JS values: nil (null), Undefined, bool, float64,
// string, *Object.
type Realm struct{ w *pyodide.World }

// NewObject returns an object whose constructor name is class (the name the
// workers SDK dispatches on, e.g. "KvNamespace").
func (r *Realm) NewObject(class string) *Object {
	o := r.w.NewObject()
	o.Class = class
	return o
}

// Method defines a synchronous method; a non-nil error is thrown into JS
// (a *JSError keeps its class, e.g. TypeError).
func (r *Realm) Method(o *Object, name string, fn func(args []Value) (Value, error)) {
	r.w.Method(o, name, func(_ Value, a []Value) Value {
		v, err := fn(a)
		if err != nil {
			r.w.ThrowGo(err)
		}
		return v
	})
}

// AsyncMethod defines a method returning a Promise of fn's result.
func (r *Realm) AsyncMethod(o *Object, name string, fn func(args []Value) (Value, error)) {
	r.w.Method(o, name, func(_ Value, a []Value) Value {
		v, err := fn(a)
		if err != nil {
			return r.w.Rejected(r.w.ErrorValue(err))
		}
		return r.w.PromiseResolve(v)
	})
}

// NewArray, FromGo and JSON helpers for building results.
func (r *Realm) NewArray(items ...Value) *Object   { return r.w.NewArray(items...) }
func (r *Realm) FromGo(v any) Value                { return fromGo(r.w, v) }
func (r *Realm) JSONParse(s string) (Value, error) { return r.w.JSONParse(s) }
func (r *Realm) JSONStringify(v Value) (string, bool) {
	return r.w.JSONStringify(v, "")
}

// Get reads a property of a JS value (Undefined when absent).
func (r *Realm) Get(v Value, key string) Value {
	if o, ok := v.(*Object); ok {
		return o.Get(key)
	}
	return Undefined
}
