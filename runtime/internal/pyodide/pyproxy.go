// This file ports behaviour of Pyodide's JavaScript to Go: PyProxy creation,
// calls and lifetime (src/core/pyproxy.ts), create_once_callable and
// create_promise_handles (src/core/jsproxy.c EM_JS bodies).
//
// Pyodide is Copyright (c) Pyodide contributors and is distributed under the
// Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/). This file, as a
// port of that code, is likewise available under the MPL-2.0.

package pyodide

import (
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

type PyProxy struct {
	ptr         uint32
	Flags       int32
	roundtrip   bool
	captureThis bool
	destroyed   string
}

type pyProxyOptions struct {
	captureThis, roundtrip, jsonAdaptor bool
}

// PyProxy type flags (pyproxy_getflags).
const (
	pyHasLength   = 1 << 0
	PyHasGet      = 1 << 1
	pyHasHas      = 1 << 3
	PyIsIterable  = 1 << 4
	PyIsIterator  = 1 << 5
	pyIsAwaitable = 1 << 6
	PyIsBuffer    = 1 << 7
	pyIsCallable  = 1 << 8
)

// newPyProxy is Module.pyproxy_new: a JS object owning a reference to a
// Python object.
func (inst *Instance) newPyProxy(ptr uint32, opt pyProxyOptions) *Object {
	w := inst.World
	flags := int32(inst.call("pyproxy_getflags", uint64(ptr), b2u(opt.jsonAdaptor)))
	if flags == -1 {
		panic(&js.Throw{Value: inst.pythonError()})
	}
	inst.call("Py_IncRef", uint64(ptr))
	o := &Object{Class: "PyProxy", Kind: js.KindPyProxy, Proto: w.pyProxyProto(),
		PyProxy: &PyProxy{ptr: ptr, Flags: flags, roundtrip: opt.roundtrip, captureThis: opt.captureThis}}
	if flags&pyIsCallable != 0 {
		o.Name = "PyProxy"
		o.Call = func(this Value, args []Value) Value {
			if PyOf(o).captureThis {
				args = append([]Value{this}, args...)
			}
			return inst.callPy(o, args)
		}
	}
	if flags&pyIsAwaitable != 0 {
		var future *Object
		ensure := func() *Object {
			if future != nil {
				return future
			}
			inst.checkAlive(o)
			future = w.NewPromise()
			res := w.NewFunc("resolve", func(_ Value, a []Value) Value { w.ResolvePromise(future, js.Arg(a, 0)); return Undefined })
			rej := w.NewFunc("reject", func(_ Value, a []Value) Value { w.RejectPromise(future, js.Arg(a, 0)); return Undefined })
			if int32(inst.call("_pyproxy_ensure_future", uint64(PyOf(o).ptr), w.Handle(res), w.Handle(rej))) == -1 {
				panic(&js.Throw{Value: inst.pythonError()})
			}
			inst.destroyPyProxy(o, "")
			return future
		}
		w.Method(o, "then", func(_ Value, a []Value) Value { return w.Then(ensure(), js.Arg(a, 0), js.Arg(a, 1)) })
		w.Method(o, "catch", func(_ Value, a []Value) Value { return w.Then(ensure(), Undefined, js.Arg(a, 0)) })
	}
	cache := w.NewMap() // Pyodide's per-proxy attribute cache map
	o.DynGet = func(key string) (Value, bool) {
		// The PyProxy get trap: anything not on the proxy itself is a Python
		// attribute ("$name" escapes names the proxy defines).
		if PyOf(o).ptr == 0 || key == "then" || strings.HasPrefix(key, "@@") {
			return nil, false
		}
		key = strings.TrimPrefix(key, "$")
		r := inst.call("_pyproxy_getattr", uint64(PyOf(o).ptr), w.Handle(key), w.Handle(cache))
		if r == js.HandleError {
			if inst.call("PyErr_Occurred") != 0 {
				panic(&js.Throw{Value: inst.pythonError()})
			}
			return nil, false
		}
		return w.Value(r), true
	}
	if flags&PyHasGet != 0 {
		w.Method(o, "get", func(_ Value, a []Value) Value {
			inst.checkAlive(o)
			r := inst.call("_pyproxy_getitem", uint64(PyOf(o).ptr), w.Handle(js.Arg(a, 0)), w.Handle(cache), 0)
			if r == js.HandleError {
				if inst.call("PyErr_Occurred") != 0 {
					panic(&js.Throw{Value: inst.pythonError()})
				}
				return Undefined
			}
			return w.Value(r)
		})
	}
	if flags&pyHasHas != 0 {
		w.Method(o, "has", func(_ Value, a []Value) Value {
			inst.checkAlive(o)
			r := int32(inst.call("_pyproxy_contains", uint64(PyOf(o).ptr), w.Handle(js.Arg(a, 0))))
			if r == -1 {
				panic(&js.Throw{Value: inst.pythonError()})
			}
			return r == 1
		})
	}
	if flags&(PyIsIterable|PyIsIterator) != 0 {
		w.Method(o, "@@iterator", func(_ Value, a []Value) Value {
			inst.checkAlive(o)
			it := uint32(inst.call("PyObject_GetIter", uint64(PyOf(o).ptr)))
			if it == 0 {
				panic(&js.Throw{Value: inst.pythonError()})
			}
			finished := false
			iter := &Object{Class: "Object", Proto: w.IteratorProto}
			w.Method(iter, "next", func(Value, []Value) Value {
				if finished {
					return w.NewObjectFrom("done", true, "value", Undefined)
				}
				r := inst.call("_pyproxy_iter_next", uint64(it), w.Handle(cache), 0)
				if r == js.HandleError {
					finished = true
					inst.call("Py_DecRef", uint64(it))
					if inst.call("PyErr_Occurred") != 0 {
						panic(&js.Throw{Value: inst.pythonError()})
					}
					return w.NewObjectFrom("done", true, "value", Undefined)
				}
				return w.NewObjectFrom("done", false, "value", w.Value(r))
			})
			return iter
		})
	}
	if flags&PyIsBuffer != 0 {
		w.Method(o, "getBuffer", func(_ Value, a []Value) Value { return inst.pyGetBuffer(o) })
	}
	return o
}

// pyProxyProto holds the methods every PyProxy has.
func (w *World) pyProxyProto() *Object {
	if w.pyproxyProto != nil {
		return w.pyproxyProto
	}
	p := w.ProtoOf("PyProxy")
	w.pyproxyProto = p
	self := func(this Value) (*Object, *Instance) {
		o, ok := this.(*Object)
		if !ok || o.Kind != js.KindPyProxy {
			w.ThrowError("TypeError", "not a PyProxy")
		}
		return o, w.Inst
	}
	w.Method(p, "destroy", func(this Value, a []Value) Value {
		o, inst := self(this)
		inst.destroyPyProxy(o, "")
		return Undefined
	})
	w.Method(p, "toString", func(this Value, a []Value) Value {
		o, inst := self(this)
		if PyOf(o).ptr == 0 {
			return "<destroyed PyProxy>"
		}
		r := inst.call("_pyproxy_repr", uint64(PyOf(o).ptr))
		if r == js.HandleError {
			panic(&js.Throw{Value: inst.pythonError()})
		}
		return w.Value(r)
	})
	w.Method(p, "copy", func(this Value, a []Value) Value {
		o, inst := self(this)
		inst.checkAlive(o)
		return inst.newPyProxy(PyOf(o).ptr, pyProxyOptions{captureThis: PyOf(o).captureThis, roundtrip: PyOf(o).roundtrip})
	})
	return p
}

func (inst *Instance) checkAlive(o *Object) {
	if PyOf(o).ptr == 0 {
		msg := "Object has already been destroyed"
		if PyOf(o).destroyed != "" {
			msg += "\n" + PyOf(o).destroyed
		}
		inst.World.ThrowError("Error", msg)
	}
}

func (inst *Instance) destroyPyProxy(o *Object, msg string) {
	if PyOf(o) == nil || PyOf(o).ptr == 0 {
		return
	}
	p := PyOf(o).ptr
	PyOf(o).ptr = 0
	PyOf(o).destroyed = msg
	inst.call("Py_DecRef", uint64(p))
}

// callPy is Module.callPyObjectKwargs without keyword arguments.
func (inst *Instance) callPy(o *Object, args []Value) Value {
	inst.checkAlive(o)
	return inst.callPyPtr(PyOf(o).ptr, args)
}

func (inst *Instance) callPyPtr(ptr uint32, args []Value) Value {
	w := inst.World
	r := inst.call("_pyproxy_apply", uint64(ptr), w.Handle(w.NewArray(args...)), uint64(len(args)), w.Handle(w.NewArray()), 0)
	if r == js.HandleError {
		panic(&js.Throw{Value: inst.pythonError()})
	}
	return w.Value(r)
}

// pyGetBuffer is PyProxyBufferMethods.getBuffer for byte buffers. The data is
// copied out of linear memory, so release() has nothing left to free.
func (inst *Instance) pyGetBuffer(o *Object) Value {
	inst.checkAlive(o)
	w := inst.World
	r := inst.call("_pyproxy_get_buffer", uint64(PyOf(o).ptr))
	if r == js.HandleError {
		panic(&js.Throw{Value: inst.pythonError()})
	}
	info := w.Value(r).(*Object)
	lo, hi := uint32(js.ToNumber(info.Get("smallest_ptr"))), uint32(js.ToNumber(info.Get("largest_ptr")))
	view := uint64(uint32(js.ToNumber(info.Get("view"))))
	data, _ := inst.mem.Read(lo, hi-lo)
	arr := w.NewUint8Array(append([]byte{}, data...))
	inst.call("PyBuffer_Release", view)
	inst.call("PyMem_Free", view)
	res := w.NewObjectFrom("data", arr, "nbytes", float64(hi-lo), "readonly", js.Truthy(info.Get("readonly")),
		"format", info.Get("format"), "itemsize", info.Get("itemsize"), "offset", 0.0)
	w.Method(res, "release", func(Value, []Value) Value { return Undefined })
	return res
}

// onceCallable is create_once_callable.
func (inst *Instance) onceCallable(ptr uint32) *Object {
	w := inst.World
	inst.call("Py_IncRef", uint64(ptr))
	called := false
	f := w.NewFunc("wrapper", nil)
	destroy := func() {
		if called {
			w.ThrowError("Error", "OnceProxy has already been destroyed")
		}
		called = true
		inst.call("Py_DecRef", uint64(ptr))
	}
	f.Call = func(this Value, args []Value) Value {
		if called {
			w.ThrowError("Error", "OnceProxy can only be called once")
		}
		defer destroy()
		return inst.callPyPtr(ptr, args)
	}
	w.Method(f, "destroy", func(Value, []Value) Value { destroy(); return Undefined })
	return f
}

// promiseHandles is create_promise_handles: the [onFulfilled, onRejected]
// pair a Python `await` of a JS promise hands to promise.then().
func (inst *Instance) promiseHandles(handleResult, handleException uint32, done Value, converter uint32) *Object {
	w := inst.World
	owned := []uint32{handleResult, handleException, converter}
	for _, p := range owned {
		if p != 0 {
			inst.call("Py_IncRef", uint64(p))
		}
	}
	used := false
	destroy := func() {
		if used {
			w.ThrowError("Error", "One of the promise handles has already been called.")
		}
		used = true
		for _, p := range owned {
			if p != 0 {
				inst.call("Py_DecRef", uint64(p))
			}
		}
	}
	callDone := func(v Value) {
		if d, ok := done.(*Object); ok && d.Call != nil {
			d.Call(Undefined, []Value{v})
		}
	}
	onFulfilled := w.NewFunc("onFulfilled", func(_ Value, a []Value) Value {
		if used {
			w.ThrowError("Error", "One of the promise handles has already been called.")
		}
		defer destroy()
		defer callDone(js.Arg(a, 0))
		if handleResult != 0 {
			r := inst.call("create_promise_handles_result_helper", uint64(handleResult), uint64(converter), w.Handle(js.Arg(a, 0)))
			if r == js.HandleError {
				panic(&js.Throw{Value: inst.pythonError()})
			}
			return w.Value(r)
		}
		return Undefined
	})
	onRejected := w.NewFunc("onRejected", func(_ Value, a []Value) Value {
		if used {
			w.ThrowError("Error", "One of the promise handles has already been called.")
		}
		defer destroy()
		defer callDone(Undefined)
		if handleException != 0 {
			return inst.callPyPtr(handleException, []Value{js.Arg(a, 0)})
		}
		return Undefined
	})
	return w.NewArray(onFulfilled, onRejected)
}
