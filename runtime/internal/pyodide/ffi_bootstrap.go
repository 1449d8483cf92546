// This file ports behaviour of Pyodide's JavaScript to Go: the EM_JS bodies of
// the FFI imports for start-up, hiwire deduplication and the type checks Python asks of JS values (src/core/hiwire.c, src/core/jsproxy.c).
//
// Pyodide is Copyright (c) Pyodide contributors and is distributed under the
// Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/). This file, as a
// port of that code, is likewise available under the MPL-2.0.

package pyodide

import (
	"math/big"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

// ffiBootstrapImports: FFI imports for start-up, hiwire deduplication and the type checks Python asks of JS values.
func ffiBootstrapImports() map[string]hostFunc {
	return map[string]hostFunc{
		// bootstrap
		"jslib_init_js": func(inst *Instance, s []uint64) {
			set := func(sym string, h uint64) {
				addr := uint32(inst.mod.ExportedGlobal(sym).Get()) + inst.host.layout.memoryBase
				inst.mem.WriteUint32Le(addr, uint32(inst.call("hiwire_intern", h)))
			}
			set("Jsr_undefined", js.HandleUndefined)
			set("Jsr_true", js.HandleTrue)
			set("Jsr_false", js.HandleFalse)
			set("Jsr_error", js.HandleError)
			set("Jsr_novalue", js.HandleNoValue)
			s[0] = 0
		},
		"jslib_init_buffers_js": func(inst *Instance, s []uint64) { s[0] = 0 },
		"set_pyodide_module":    func(inst *Instance, s []uint64) {},
		"pyodide_js_init":       func(inst *Instance, s []uint64) {},
		"hiwire_invalid_ref_js": func(inst *Instance, s []uint64) {
			panic(&abortError{"hiwire: use of an invalid JS reference (use after free or memory corruption)"})
		},
		"__hiwire_deduplicate_new": func(inst *Instance, s []uint64) {
			inst.World.dedup = inst.World.NewMap()
			s[0] = inst.World.Handle(inst.World.dedup)
		},
		"__hiwire_deduplicate_get": func(inst *Instance, s []uint64) {
			v, ok := jsObject(inst, s[0]).MapGet(jsv(inst, s[1]))
			if !ok {
				s[0] = 0
				return
			}
			s[0] = uint64(uint32(int64(js.ToNumber(v))))
		},
		"__hiwire_deduplicate_set": func(inst *Instance, s []uint64) {
			jsObject(inst, s[0]).MapSet(jsv(inst, s[1]), float64(uint32(s[2])))
		},
		"__hiwire_deduplicate_delete": func(inst *Instance, s []uint64) {
			jsObject(inst, s[0]).MapDelete(jsv(inst, s[1]))
		},

		// checks
		"JsvNoValue_Check": func(inst *Instance, s []uint64) { s[0] = b2u(s[0] == js.HandleNoValue) },
		"pyproxy_Check": func(inst *Instance, s []uint64) {
			o, ok := jsv(inst, s[0]).(*Object)
			s[0] = b2u(ok && o.Kind == js.KindPyProxy)
		},
		"is_comlink_proxy":        func(inst *Instance, s []uint64) { s[0] = 0 },
		"JsvGenerator_Check":      func(inst *Instance, s []uint64) { s[0] = 0 },
		"JsvAsyncGenerator_Check": func(inst *Instance, s []uint64) { s[0] = 0 },
		"JsvPromise_Check": func(inst *Instance, s []uint64) {
			s[0] = b2u(inst.World.HasMethod(jsv(inst, s[0]), "then"))
		},
		"JsvFunction_Check": func(inst *Instance, s []uint64) { s[0] = b2u(js.TypeOf(jsv(inst, s[0])) == "function") },
		"JsvArray_Check": func(inst *Instance, s []uint64) {
			o, ok := jsv(inst, s[0]).(*Object)
			s[0] = b2u(ok && o.Kind == js.KindArray)
		},
		"Jsv_to_bool": func(inst *Instance, s []uint64) { s[0] = b2u(js.Truthy(jsv(inst, s[0]))) },
		"JsProxy_Bool_js": func(inst *Instance, s []uint64) {
			v := jsv(inst, s[0])
			r := js.Truthy(v)
			if o, ok := v.(*Object); ok && r {
				switch {
				case (o.Kind == js.KindMap || o.Kind == js.KindSet) && len(o.MapKeys) == 0:
					r = false
				case o.Kind == js.KindArray && len(o.Arr) == 0:
					r = false
				case (o.Kind == js.KindArrayBuffer || o.Kind == js.KindUint8Array) && len(o.Bytes()) == 0:
					r = false
				}
			}
			s[0] = b2u(r)
		},
		"Jsv_typeof": func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(js.TypeOf(jsv(inst, s[0]))) },
		"Jsv_constructorName": func(inst *Instance, s []uint64) {
			inst.guard(s, 0, func() {
				name := "Object"
				switch x := jsv(inst, s[0]).(type) {
				case *Object:
					name = x.Class
				case string:
					name = "String"
				case float64:
					name = "Number"
				case bool:
					name = "Boolean"
				case *big.Int:
					name = "BigInt"
				case nil, js.UndefinedType:
					inst.World.ThrowError("TypeError", "Cannot read properties of "+js.ToString(x)+" (reading 'constructor')")
				}
				s[0] = uint64(inst.cString(name))
			})
		},
		"Jsv_equal":              func(inst *Instance, s []uint64) { s[0] = b2u(js.StrictEquals(jsv(inst, s[0]), jsv(inst, s[1]))) },
		"Jsv_not_equal":          func(inst *Instance, s []uint64) { s[0] = b2u(!js.StrictEquals(jsv(inst, s[0]), jsv(inst, s[1]))) },
		"Jsv_less_than":          compare(func(c int) bool { return c < 0 }),
		"Jsv_less_than_equal":    compare(func(c int) bool { return c <= 0 }),
		"Jsv_greater_than":       compare(func(c int) bool { return c > 0 }),
		"Jsv_greater_than_equal": compare(func(c int) bool { return c >= 0 }),
		"JsvObject_toString": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(js.ToString(jsv(inst, s[0]))) })
		},
		"JsProxy_compute_typeflags": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { s[0] = inst.typeflags(jsv(inst, s[0]), uint32(s[1]) != 0) })
		},
	}
}
