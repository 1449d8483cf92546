// This file ports behaviour of Pyodide's JavaScript to Go: the EM_JS bodies of
// the FFI imports for attribute and item access on JS values (src/core/jsproxy.c, src/core/jslib.c).
//
// Pyodide is Copyright (c) Pyodide contributors and is distributed under the
// Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/). This file, as a
// port of that code, is likewise available under the MPL-2.0.

package pyodide

import "github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"

// ffiAccessImports: FFI imports for attribute and item access on JS values.
func ffiAccessImports() map[string]hostFunc {
	return map[string]hostFunc{
		// attributes and items
		"JsProxy_GetAttr_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				key := normalizeReservedWords(inst.cstr(uint32(s[1])))
				v := jsv(inst, s[0])
				r := inst.World.Get(v, key)
				if r == Undefined {
					if o, ok := v.(*Object); !ok || !o.Has(key) {
						s[0] = js.HandleError
						return
					}
				}
				s[0] = inst.World.Handle(r)
			})
		},
		"JsProxy_SetAttr_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				jsObject(inst, s[0]).Set(normalizeReservedWords(inst.cstr(uint32(s[1]))), jsv(inst, s[2]))
				s[0] = 0
			})
		},
		"JsProxy_DelAttr_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				jsObject(inst, s[0]).Delete(normalizeReservedWords(inst.cstr(uint32(s[1]))))
				s[0] = 0
			})
		},
		"JsProxy_Dir_js":     dirImport,
		"JsModule_GetAll_js": dirImport,
		"JsProxy_subscript_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				o, key := jsv(inst, s[0]), jsv(inst, s[1])
				r := inst.World.CallMethod(o, "get", key)
				if r == Undefined && inst.World.HasMethod(o, "has") && !js.Truthy(inst.World.CallMethod(o, "has", key)) {
					s[0] = js.HandleError
					return
				}
				s[0] = inst.World.Handle(r)
			})
		},
		"JsObjMap_subscript_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				o, key := jsObject(inst, s[0]), js.ToString(jsv(inst, s[1]))
				if _, own := o.Props[key]; !own {
					s[0] = js.HandleError
					return
				}
				s[0] = inst.World.Handle(o.Get(key))
			})
		},
		"JsObjMap_ass_subscript_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				o, key := jsObject(inst, s[0]), js.ToString(jsv(inst, s[1]))
				if s[2] == js.HandleNull && false {
					return
				}
				if s[2] == js.HandleError || s[2] == js.HandleNoValue {
					if _, own := o.Props[key]; !own {
						s[0] = i32Error
						return
					}
					o.Delete(key)
				} else {
					o.Set(key, jsv(inst, s[2]))
				}
				s[0] = 0
			})
		},
		"JsObjMap_contains_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				_, own := jsObject(inst, s[0]).Props[js.ToString(jsv(inst, s[1]))]
				s[0] = b2u(own)
			})
		},
		"JsObjMap_length_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { s[0] = uint64(len(jsObject(inst, s[0]).OwnKeys())) })
		},
		"JsObjMap_GetIter_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				var ks []Value
				for _, k := range jsObject(inst, s[0]).OwnKeys() {
					ks = append(ks, k)
				}
				s[0] = inst.World.Handle(inst.World.MakeIterator(ks))
			})
		},
		"get_length_helper": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				v := jsv(inst, s[0])
				if n, ok := inst.World.Get(v, "size").(float64); ok {
					s[0] = uint64(uint32(n))
				} else if n, ok := inst.World.Get(v, "length").(float64); ok {
					s[0] = uint64(uint32(n))
				} else {
					s[0] = uint64(uint32(0xfffffffe)) // -2: "no length"
				}
			})
		},
		"get_length_string": func(inst *Instance, s []uint64) {
			inst.guard(s, 0, func() {
				v := jsv(inst, s[0])
				n := inst.World.Get(v, "size")
				if _, ok := n.(float64); !ok {
					n = inst.World.Get(v, "length")
				}
				s[0] = uint64(inst.cString(" " + js.ToString(n)))
			})
		},
		"JsvObject_New": func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(inst.World.NewObject()) },
		"JsvObject_SetAttr": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { jsObject(inst, s[0]).Set(js.ToString(jsv(inst, s[1])), jsv(inst, s[2])); s[0] = 0 })
		},
		"JsvObject_Entries": objectStatic("entries"),
		"JsvObject_Keys":    objectStatic("keys"),
		"JsvObject_Values":  objectStatic("values"),
	}
}
