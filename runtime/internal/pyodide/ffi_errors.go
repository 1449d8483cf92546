// This file ports behaviour of Pyodide's JavaScript to Go: the EM_JS bodies of
// the FFI imports for errors and stderr capture (src/core/error_handling.c).
//
// Pyodide is Copyright (c) Pyodide contributors and is distributed under the
// Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/). This file, as a
// port of that code, is likewise available under the MPL-2.0.

package pyodide

import "github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"

// ffiErrorImports: FFI imports for errors and stderr capture.
func ffiErrorImports() map[string]hostFunc {
	return map[string]hostFunc{
		// errors
		"new_error": func(inst *Instance, s []uint64) {
			typ, msg := inst.cstr(uint32(s[0])), js.ToString(jsv(inst, s[1]))
			e := inst.World.NewError("PythonError", msg)
			e.Class = "PythonError"
			e.Set("type", typ)
			e.Set("stack", "PythonError: "+msg)
			e.Host = uint32(s[2])
			s[0] = inst.World.Handle(e)
		},
		"JsException_new_helper": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				name := inst.cstr(uint32(s[0]))
				class := name
				if _, ok := inst.World.Ctors[name]; !ok {
					class = "Error"
				}
				e := inst.World.NewError(class, inst.cstr(uint32(s[1])))
				if class != name {
					e.Set("name", name)
				}
				e.Set("stack", inst.cstr(uint32(s[2])))
				s[0] = inst.World.Handle(e)
			})
		},
		"JsvError_Throw": func(inst *Instance, s []uint64) {
			t := &js.Throw{Value: jsv(inst, s[0])}
			inst.pendingThrow = t
			panic(t)
		},
		"throw_no_gil": func(inst *Instance, s []uint64) {
			panic(&js.Throw{Value: inst.World.NewError("NoGilError", "Attempted to use PyProxy when Python GIL not held")})
		},
		"fail_test":      func(inst *Instance, s []uint64) {},
		"capture_stderr": func(inst *Instance, s []uint64) { inst.stderrCapture = []byte{} },
		"restore_stderr": func(inst *Instance, s []uint64) {
			out := string(inst.stderrCapture)
			inst.stderrCapture = nil
			s[0] = inst.World.Handle(out)
		},
	}
}
