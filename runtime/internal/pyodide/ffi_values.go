// This file ports behaviour of Pyodide's JavaScript to Go: the EM_JS bodies of
// the FFI imports for arrays, maps, sets, numbers and strings (src/core/jsproxy.c, src/core/jslib.c).
//
// Pyodide is Copyright (c) Pyodide contributors and is distributed under the
// Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/). This file, as a
// port of that code, is likewise available under the MPL-2.0.

package pyodide

import (
	"math"
	"math/big"
	"unicode/utf16"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

// ffiValueImports: FFI imports for arrays, maps, sets, numbers and strings.
func ffiValueImports() map[string]hostFunc {
	return map[string]hostFunc{
		// arrays, maps, sets, numbers, strings
		"JsvArray_New": func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(inst.World.NewArray()) },
		"JsvArray_Push": func(inst *Instance, s []uint64) {
			a := jsObject(inst, s[0])
			a.Arr = append(a.Arr, jsv(inst, s[1]))
			s[0] = uint64(len(a.Arr))
		},
		"_JsArray_PushEntry_helper": func(inst *Instance, s []uint64) {
			a := jsObject(inst, s[0])
			a.Arr = append(a.Arr, inst.World.NewArray(jsv(inst, s[1]), jsv(inst, s[2])))
			s[0] = 0
		},
		"JsvArray_Get": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				a := jsv(inst, s[0])
				key := js.NumberToString(float64(i32(s[1])))
				r := inst.World.Get(a, key)
				if r == Undefined {
					if o, ok := a.(*Object); !ok || !o.Has(key) {
						s[0] = js.HandleError
						return
					}
				}
				s[0] = inst.World.Handle(r)
			})
		},
		"JsvArray_Set": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				jsObject(inst, s[0]).Set(js.NumberToString(float64(i32(s[1]))), jsv(inst, s[2]))
				s[0] = 0
			})
		},
		"JsvArray_Delete": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				a := jsObject(inst, s[0])
				i := int(i32(s[1]))
				if a.Kind != js.KindArray || i < 0 || i >= len(a.Arr) {
					s[0] = i32Error
					return
				}
				a.Arr = append(a.Arr[:i:i], a.Arr[i+1:]...)
				s[0] = 0
			})
		},
		"JsvArray_Insert": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				a := jsObject(inst, s[0])
				i := max(0, min(int(i32(s[1])), len(a.Arr)))
				a.Arr = append(a.Arr[:i], append([]Value{jsv(inst, s[2])}, a.Arr[i:]...)...)
				s[0] = 0
			})
		},
		"JsvArray_Extend": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				a := jsObject(inst, s[0])
				inst.World.Iterate(jsv(inst, s[1]), func(e Value) { a.Arr = append(a.Arr, e) })
				s[0] = 0
			})
		},
		"JsvArray_ShallowCopy": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.World.NewArray(jsObject(inst, s[0]).Arr...)) })
		},
		"JsvArray_slice": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				a := jsObject(inst, s[0])
				length, start, stop, step := int(i32(s[1])), int(i32(s[2])), int(i32(s[3])), int(i32(s[4]))
				out := inst.World.NewArray()
				if step == 1 {
					out.Arr = append(out.Arr, a.Arr[start:stop]...)
				} else {
					for i := 0; i < length; i++ {
						out.Arr = append(out.Arr, a.Arr[start+i*step])
					}
				}
				s[0] = inst.World.Handle(out)
			})
		},
		"JsArray_count_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				n := 0
				for _, e := range jsObject(inst, s[0]).Arr {
					if js.StrictEquals(e, jsv(inst, s[1])) {
						n++
					}
				}
				s[0] = uint64(n)
			})
		},
		"JsArray_index_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				a, v := jsObject(inst, s[0]), jsv(inst, s[1])
				for i := int(i32(s[2])); i < min(len(a.Arr), int(i32(s[3]))); i++ {
					if js.StrictEquals(a.Arr[i], v) {
						s[0] = uint64(i)
						return
					}
				}
				s[0] = i32Error
			})
		},
		"JsArray_reverse_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { inst.World.CallMethod(jsObject(inst, s[0]), "reverse"); s[0] = 0 })
		},
		"JsvMap_New":        func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(inst.World.NewMap()) },
		"JsvLiteralMap_New": func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(inst.World.NewMap()) },
		"JsvMap_Set": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { inst.World.CallMethod(jsv(inst, s[0]), "set", jsv(inst, s[1]), jsv(inst, s[2])); s[0] = 0 })
		},
		"JsMap_clear_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { inst.World.CallMethod(jsv(inst, s[0]), "clear"); s[0] = 0 })
		},
		"JsvSet_New": func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(inst.World.NewSet()) },
		"JsvSet_Add": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { inst.World.CallMethod(jsv(inst, s[0]), "add", jsv(inst, s[1])); s[0] = 0 })
		},
		"JsvNum_fromInt":    func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(float64(i32(s[0]))) },
		"JsvNum_fromDouble": func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(math.Float64frombits(s[0])) },
		"JsvNum_fromDigits": func(inst *Instance, s []uint64) {
			p, n := uint32(s[0]), int(i32(s[1]))
			r := new(big.Int)
			var top uint32
			for i := n - 1; i >= 0; i-- {
				d, _ := inst.mem.ReadUint32Le(p + 4*uint32(i))
				if i == n-1 {
					top = d
				}
				r.Lsh(r, 32)
				r.Or(r, new(big.Int).SetUint64(uint64(d)))
			}
			if top&0x80000000 != 0 { // two's complement sign
				r.Sub(r, new(big.Int).Lsh(big.NewInt(1), uint(32*n)))
			}
			if r.IsInt64() && math.Abs(float64(r.Int64())) < 1<<53-1 {
				s[0] = inst.World.Handle(float64(r.Int64()))
				return
			}
			s[0] = inst.World.Handle(r)
		},
		"JsvUTF8ToString": func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(inst.cstr(uint32(s[0]))) },
		"_python2js_ucs1": func(inst *Instance, s []uint64) {
			b, _ := inst.mem.Read(uint32(s[0]), uint32(s[1]))
			rs := make([]rune, len(b))
			for i, c := range b {
				rs[i] = rune(c)
			}
			s[0] = inst.World.Handle(string(rs))
		},
		"_python2js_ucs2": func(inst *Instance, s []uint64) {
			n := uint32(s[1])
			u := make([]uint16, n)
			for i := range u {
				u[i], _ = inst.mem.ReadUint16Le(uint32(s[0]) + 2*uint32(i))
			}
			s[0] = inst.World.Handle(string(utf16.Decode(u)))
		},
		"_python2js_ucs4": func(inst *Instance, s []uint64) {
			n := uint32(s[1])
			rs := make([]rune, n)
			for i := range rs {
				v, _ := inst.mem.ReadUint32Le(uint32(s[0]) + 4*uint32(i))
				rs[i] = rune(v)
			}
			s[0] = inst.World.Handle(string(rs))
		},
	}
}
