// This file ports behaviour of Pyodide's JavaScript to Go: the EM_JS bodies of
// the FFI imports for conversions between JS and Python values (src/core/js2python.c, src/core/python2js*.c).
//
// Pyodide is Copyright (c) Pyodide contributors and is distributed under the
// Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/). This file, as a
// port of that code, is likewise available under the MPL-2.0.

package pyodide

import (
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

// ffiConversionImports: FFI imports for conversions between JS and Python values.
func ffiConversionImports() map[string]hostFunc {
	return map[string]hostFunc{
		// js2python
		"js2python_immutable_js": func(inst *Instance, s []uint64) {
			inst.guard(s, 0, func() { r, _ := inst.js2pyImmutable(jsv(inst, s[0])); s[0] = r })
		},
		"js2python_js": func(inst *Instance, s []uint64) {
			inst.guard(s, 0, func() {
				if r, ok := inst.js2pyImmutable(jsv(inst, s[0])); ok {
					s[0] = r
					return
				}
				s[0] = inst.call("JsProxy_create", s[0])
			})
		},
		"js2python_convert": func(inst *Instance, s []uint64) {
			inst.guard(s, 0, func() {
				// default_converter (s[2]) is not supported: such objects stay proxies.
				v := jsv(inst, s[0])
				if depth := int(i32(s[1])); depth < 0 {
					if r, ok := inst.jsonFastPath(v); ok {
						s[0] = r
						return
					}
				}
				conv := newJs2pyConversion()
				defer conv.done(inst)
				s[0] = inst.js2pyConvert(v, int(i32(s[1])), conv)
			})
		},

		// python2js helpers
		"python2js_custom__create_jscontext": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				jc := inst.World.NewObject()
				present := func(h uint64) bool { return h != js.HandleNull && h != js.HandleError && h != js.HandleUndefined }
				if present(s[2]) {
					jc.Set("dict_converter", jsv(inst, s[2]))
				}
				cache := jsv(inst, s[1])
				ctxPtr := uint64(uint32(s[0]))
				if present(s[3]) {
					jc.Set("default_converter", jsv(inst, s[3]))
					jc.Set("cacheConversion", inst.World.NewFunc("cacheConversion", func(_ Value, a []Value) Value {
						px, ok := js.Arg(a, 0).(*Object)
						if !ok || px.Kind != js.KindPyProxy {
							inst.World.ThrowError("TypeError", "The first argument to cacheConversion must be a PyProxy.")
						}
						inst.World.CallMethod(cache, "set", float64(PyOf(px).ptr), js.Arg(a, 1))
						return Undefined
					}))
				}
				if present(s[4]) {
					jc.Set("eager_converter", jsv(inst, s[4]))
					jc.Set("eager_visited", inst.World.NewSet())
				}
				if present(s[3]) || present(s[4]) {
					jc.Set("converter", inst.World.NewFunc("converter", func(_ Value, a []Value) Value {
						px, ok := js.Arg(a, 0).(*Object)
						if !ok || px.Kind != js.KindPyProxy {
							return js.Arg(a, 0)
						}
						r := inst.call("_python2js", ctxPtr, uint64(PyOf(px).ptr))
						if r == js.HandleError {
							panic(&js.Throw{Value: inst.pythonError()})
						}
						return inst.World.Value(r)
					}))
				}
				s[0] = inst.World.Handle(jc)
			})
		},
		"_JsArray_PostProcess_helper": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				s[0] = inst.World.Handle(inst.World.Call(inst.World.Get(jsv(inst, s[0]), "dict_converter"), Undefined, jsv(inst, s[1])))
			})
		},
		"_python2js_cache_lookup": func(inst *Instance, s []uint64) {
			v, ok := jsObject(inst, s[0]).MapGet(float64(uint32(s[1])))
			if !ok || v == Undefined {
				s[0] = js.HandleError
				return
			}
			s[0] = inst.World.Handle(v)
		},
		"_python2js_add_to_cache": func(inst *Instance, s []uint64) {
			jsObject(inst, s[0]).MapSet(float64(uint32(s[1])), jsv(inst, s[2]))
			s[0] = 0
		},
		"_python2js_addto_postprocess_list": func(inst *Instance, s []uint64) {
			l := jsObject(inst, s[0])
			l.Arr = append(l.Arr, inst.World.NewArray(jsv(inst, s[1]), jsv(inst, s[2]), float64(uint32(s[3]))))
		},
		"_python2js_handle_postprocess_list": func(inst *Instance, s []uint64) {
			cache := jsObject(inst, s[1])
			for _, e := range jsObject(inst, s[0]).Arr {
				t := e.(*Object).Arr
				v, _ := cache.MapGet(t[2])
				if p := t[0].(*Object); p.Kind == js.KindMap {
					p.MapSet(t[1], v)
				} else {
					p.Set(js.ToString(t[1]), v)
				}
			}
		},
		"python2js__default_converter_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				jc := jsv(inst, s[0])
				px := inst.newPyProxy(uint32(s[1]), pyProxyOptions{})
				defer inst.destroyPyProxy(px, "")
				s[0] = inst.World.Handle(inst.World.Call(inst.World.Get(jc, "default_converter"), Undefined, px, inst.World.Get(jc, "converter"), inst.World.Get(jc, "cacheConversion")))
			})
		},
		"python2js__eager_converter_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				jc := jsv(inst, s[0])
				visited := jsObject(inst, inst.World.Handle(inst.World.Get(jc, "eager_visited")))
				if _, seen := visited.MapGet(float64(uint32(s[1]))); seen {
					s[0] = js.HandleNoValue
					return
				}
				visited.MapSet(float64(uint32(s[1])), true)
				px := inst.newPyProxy(uint32(s[1]), pyProxyOptions{})
				defer inst.destroyPyProxy(px, "")
				s[0] = inst.World.Handle(inst.World.Call(inst.World.Get(jc, "eager_converter"), Undefined, px, inst.World.Get(jc, "converter"), inst.World.Get(jc, "cacheConversion")))
			})
		},
		"my_dict_converter": func(inst *Instance, s []uint64) {
			s[0] = inst.World.Handle(inst.World.Ctors["Object"].Get("fromEntries"))
		},
		"array_to_js": func(inst *Instance, s []uint64) {
			a := inst.World.NewArray()
			for i := uint32(0); i < uint32(s[1]); i++ {
				v, _ := inst.mem.ReadUint32Le(uint32(s[0]) + 4*i)
				a.Arr = append(a.Arr, float64(int32(v)))
			}
			s[0] = inst.World.Handle(a)
		},
		"_pyproxy_get_buffer_result": func(inst *Instance, s []uint64) {
			r := inst.World.NewObject()
			for i, k := range []string{"start_ptr", "smallest_ptr", "largest_ptr", "readonly"} {
				r.Set(k, float64(i32(s[i])))
			}
			r.Set("format", inst.cstr(uint32(s[4])))
			r.Set("itemsize", float64(i32(s[5])))
			r.Set("shape", jsv(inst, s[6]))
			r.Set("strides", jsv(inst, s[7]))
			r.Set("view", float64(uint32(s[8])))
			r.Set("c_contiguous", float64(i32(s[9])))
			r.Set("f_contiguous", float64(i32(s[10])))
			s[0] = inst.World.Handle(r)
		},
		"_python2js_buffer_inner": func(inst *Instance, s []uint64) {
			// Byte buffers only (bytes, bytearray, memoryview of B/b/c):
			// Module._python2js_buffer_recursive for ndim <= 1.
			inst.guard(s, js.HandleError, func() {
				buf, itemsize, ndim := uint32(s[0]), int(i32(s[1])), int(i32(s[2]))
				format := inst.cstr(uint32(s[3]))
				if f := strings.TrimLeft(format, "@=<>!"); f != "B" && f != "b" && f != "c" && f != "" || itemsize != 1 || ndim > 1 {
					inst.World.ThrowError("Error", "pyworkers runtime: converting buffers of format '"+format+"' is not supported yet")
				}
				n, stride := 1, 1
				if ndim == 1 {
					nv, _ := inst.mem.ReadUint32Le(uint32(s[4]))
					sv, _ := inst.mem.ReadUint32Le(uint32(s[5]))
					n, stride = int(nv), int(int32(sv))
				}
				out := make([]byte, n)
				for i := 0; i < n; i++ {
					b, _ := inst.mem.ReadByte(uint32(int(buf) + i*stride))
					out[i] = b
				}
				s[0] = inst.World.Handle(inst.World.NewUint8Array(out))
			})
		},
		"JsvBuffer_assignToPtr": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { inst.mem.Write(uint32(s[1]), jsObject(inst, s[0]).Bytes()); s[0] = 0 })
		},
		"JsvBuffer_assignFromPtr": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				dst := jsObject(inst, s[0]).Bytes()
				src, _ := inst.mem.Read(uint32(s[1]), uint32(len(dst)))
				copy(dst, src)
				s[0] = 0
			})
		},
		"JsBuffer_get_info": func(inst *Instance, s []uint64) {
			o := jsObject(inst, s[0])
			inst.mem.WriteUint32Le(uint32(s[1]), uint32(len(o.Bytes())))
			inst.mem.WriteUint32Le(uint32(s[2]), inst.bufferFormatB())
			inst.mem.WriteUint32Le(uint32(s[3]), 1)
			inst.mem.WriteByte(uint32(s[4]), byte(b2u(o.Kind == js.KindUint8Array)))
		},
		"JsBuffer_DecodeString_js": func(inst *Instance, s []uint64) {
			inst.guard(s, 0, func() {
				b := jsObject(inst, s[0]).Bytes()
				enc := strings.ToLower(inst.cstr(uint32(s[1])))
				if enc != "" && enc != "utf-8" && enc != "utf8" {
					inst.World.ThrowError("RangeError", "Unsupported encoding "+enc)
				}
				s[0] = inst.World.Handle(string(b))
			})
		},

		// PyProxy lifetime
		"pyproxy_new_ex": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				s[0] = inst.World.Handle(inst.newPyProxy(uint32(s[0]), pyProxyOptions{captureThis: uint32(s[1]) != 0, roundtrip: uint32(s[2]) != 0, jsonAdaptor: uint32(s[4]) != 0}))
			})
		},
		"pyproxy_new": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.newPyProxy(uint32(s[0]), pyProxyOptions{})) })
		},
		"pyproxy_AsPyObject": func(inst *Instance, s []uint64) {
			o, ok := jsv(inst, s[0]).(*Object)
			if !ok || o.Kind != js.KindPyProxy || PyOf(o).ptr == 0 {
				s[0] = 0
				return
			}
			s[0] = uint64(PyOf(o).ptr)
		},
		"JsDoubleProxy_unwrap_js": func(inst *Instance, s []uint64) {
			o, ok := jsv(inst, s[0]).(*Object)
			if !ok || o.Kind != js.KindPyProxy {
				s[0] = 0
				return
			}
			s[0] = uint64(PyOf(o).ptr)
		},
		"destroy_proxy": func(inst *Instance, s []uint64) {
			if o, ok := jsv(inst, s[0]).(*Object); ok && o.Kind == js.KindPyProxy && !PyOf(o).roundtrip {
				inst.destroyPyProxy(o, inst.cstr(uint32(s[1])))
			}
		},
		"destroy_proxies": func(inst *Instance, s []uint64) {
			msg := inst.cstr(uint32(s[1]))
			inst.World.Iterate(jsv(inst, s[0]), func(px Value) {
				if o, ok := px.(*Object); ok && o.Kind == js.KindPyProxy {
					inst.destroyPyProxy(o, msg)
				}
			})
		},
		"destroy_proxies_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				inst.World.Iterate(jsv(inst, s[0]), func(px Value) { inst.World.CallMethod(px, "destroy") })
				s[0] = 0
			})
		},
		"gc_register_proxies": func(inst *Instance, s []uint64) {}, // no FinalizationRegistry: per-run worlds bound the leak
		"proxy_cache_get": func(inst *Instance, s []uint64) {
			v, ok := jsObject(inst, s[0]).MapGet(float64(uint32(s[1])))
			if o, isObj := v.(*Object); ok && isObj && o.Kind == js.KindPyProxy && PyOf(o).ptr != 0 {
				s[0] = inst.World.Handle(o)
				return
			}
			s[0] = js.HandleError
		},
		"proxy_cache_set": func(inst *Instance, s []uint64) {
			jsObject(inst, s[0]).MapSet(float64(uint32(s[1])), jsv(inst, s[2]))
		},
		"create_once_callable": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.onceCallable(uint32(s[0]))) })
		},
		"create_promise_handles": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				s[0] = inst.World.Handle(inst.promiseHandles(uint32(s[0]), uint32(s[1]), jsv(inst, s[2]), uint32(s[3])))
			})
		},
		"get_async_js_call_done_callback": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				proxies := jsv(inst, s[0])
				const msg = "This borrowed proxy was automatically destroyed at the end of an asynchronous function call. Try using create_proxy or create_once_callable."
				s[0] = inst.World.Handle(inst.World.NewFunc("done", func(_ Value, a []Value) Value {
					inst.World.Iterate(proxies, func(px Value) {
						if o, ok := px.(*Object); ok && o.Kind == js.KindPyProxy {
							inst.destroyPyProxy(o, msg)
						}
					})
					if o, ok := js.Arg(a, 0).(*Object); ok && o.Kind == js.KindPyProxy {
						inst.destroyPyProxy(o, msg)
					}
					return Undefined
				}))
			})
		},
		"_agen_handle_result_js": func(inst *Instance, s []uint64) {
			// Awaiting anext() of a JS async iterator: settle the Python
			// future through _agen_handle_result_js_c when next()'s promise does.
			inst.guard(s, i32Error, func() {
				w := inst.World
				p := jsv(inst, s[0])
				setResult, setException, closing := uint64(uint32(s[2])), uint64(uint32(s[3])), uint64(uint32(s[4]))
				errmsg := ""
				if _, ok := p.(*Object); !ok {
					errmsg = "Result of anext() should be object not " + js.TypeOf(p)
				} else if !w.HasMethod(p, "then") {
					errmsg = "Result of anext() was not a promise."
				}
				if errmsg != "" {
					inst.mem.WriteUint32Le(uint32(s[1]), inst.cString(errmsg))
					s[0] = i32Error
					return
				}
				inst.call("Py_IncRef", setResult)
				inst.call("Py_IncRef", setException)
				settle := func(done int32, v Value) {
					defer func() {
						inst.call("Py_DecRef", setResult)
						inst.call("Py_DecRef", setException)
					}()
					inst.call("_agen_handle_result_js_c", setResult, setException, uint64(uint32(done)), w.Handle(v), closing)
				}
				w.OnSettled(w.PromiseResolve(p), func(r Value) {
					settle(int32(b2u(js.Truthy(w.Get(r, "done")))), w.Get(r, "value"))
				}, func(e Value) { settle(-1, e) })
				s[0] = 0
			})
		},
		"JsvPromise_Resolve": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.World.PromiseResolve(jsv(inst, s[0]))) })
		},
	}
}
