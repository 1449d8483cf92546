// This file ports behaviour of Pyodide's JavaScript to Go: the EM_JS bodies of
// the FFI imports for calling JS functions and constructors from Python (src/core/jsproxy.c).
//
// Pyodide is Copyright (c) Pyodide contributors and is distributed under the
// Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/). This file, as a
// port of that code, is likewise available under the MPL-2.0.

package pyodide

import "github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"

// ffiCallImports: FFI imports for calling JS functions and constructors from Python.
func ffiCallImports() map[string]hostFunc {
	return map[string]hostFunc{
		// calls
		"JsvFunction_CallBound": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				s[0] = inst.World.Handle(inst.World.Call(jsv(inst, s[0]), jsv(inst, s[1]), jsObject(inst, s[2]).Arr...))
			})
		},
		"JsvFunction_Call_OneArg": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.World.Call(jsv(inst, s[0]), Undefined, jsv(inst, s[1]))) })
		},
		"JsvFunction_Construct": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.World.Construct(jsv(inst, s[0]), jsObject(inst, s[1]).Arr)) })
		},
		"JsvObject_CallMethod": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				s[0] = inst.World.Handle(inst.World.CallMethod(jsv(inst, s[0]), js.ToString(jsv(inst, s[1])), jsObject(inst, s[2]).Arr...))
			})
		},
		"JsvObject_CallMethod_NoArgs": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.World.CallMethod(jsv(inst, s[0]), js.ToString(jsv(inst, s[1])))) })
		},
		"JsvObject_CallMethod_OneArg": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				s[0] = inst.World.Handle(inst.World.CallMethod(jsv(inst, s[0]), js.ToString(jsv(inst, s[1])), jsv(inst, s[2])))
			})
		},
		"JsvObject_CallMethod_TwoArgs": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				s[0] = inst.World.Handle(inst.World.CallMethod(jsv(inst, s[0]), js.ToString(jsv(inst, s[1])), jsv(inst, s[2]), jsv(inst, s[3])))
			})
		},
		"raw_call_js": func(inst *Instance, s []uint64) { inst.World.Call(jsv(inst, s[0]), Undefined) },
		"JsProxy_GetIter_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				v := jsv(inst, s[0])
				if o, ok := v.(*Object); ok && !inst.World.HasMethod(o, "@@iterator") {
					var items []Value
					inst.World.Iterate(o, func(e Value) { items = append(items, e) })
					s[0] = inst.World.Handle(inst.World.MakeIterator(items))
					return
				}
				s[0] = inst.World.Handle(inst.World.CallMethod(v, "@@iterator"))
			})
		},
		"JsProxy_GetAsyncIter_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.World.CallMethod(jsv(inst, s[0]), "@@asyncIterator")) })
		},
		"JsMap_GetIter_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				v := jsv(inst, s[0])
				if o, ok := v.(*Object); ok && (o.Kind == js.KindMap || o.Kind == js.KindSet) {
					s[0] = inst.World.Handle(inst.World.MakeIterator(append([]Value{}, o.MapKeys...)))
					return
				}
				s[0] = inst.World.Handle(inst.World.CallMethod(v, "keys"))
			})
		},
		"handle_next_result_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				res := jsv(inst, s[0])
				done := inst.World.Get(res, "done")
				if done == Undefined {
					inst.mem.WriteUint32Le(uint32(s[2]), inst.cString(`Result has no "done" field.`))
					inst.mem.WriteUint32Le(uint32(s[1]), 0xffffffff)
					s[0] = inst.World.Handle(Undefined)
					return
				}
				inst.mem.WriteUint32Le(uint32(s[1]), uint32(b2u(js.Truthy(done))))
				s[0] = inst.World.Handle(inst.World.Get(res, "value"))
			})
		},
	}
}
