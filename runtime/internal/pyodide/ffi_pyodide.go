// This file ports behaviour of Pyodide's JavaScript to Go: the EM_JS bodies of
// the FFI imports in pyodide.asm.js (src/core/*.c, src/core/jsproxy.c,
// src/core/python2js*.c, src/core/hiwire.c) and the Module.* helpers they call
// from pyodide_js_init (src/core/*.ts, src/js/*.ts).
//
// Pyodide is Copyright (c) Pyodide contributors and is distributed under the
// Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/). This file, as a
// port of that code, is likewise available under the MPL-2.0.

package pyodide

import (
	"math"
	"math/big"
	"strings"
	"unicode/utf16"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

// handleJSError is Module.handle_js_error: make a thrown JS value the
// current Python exception.
func (inst *Instance) handleJSError(v Value) {
	if o, ok := v.(*Object); ok && o.Class == "PythonError" {
		if addr, ok := o.Host.(uint32); ok && addr != 0 {
			if inst.call("restore_sys_last_exception", uint64(addr)) != 0 {
				return
			}
		}
	}
	px := inst.call("JsProxy_create", inst.World.Handle(v))
	inst.call("set_error", px)
	inst.call("Py_DecRef", px)
}

// guard runs an import body; a JS throw becomes a Python error and the
// import returns errValue, as the try/catch in every EM_JS body does.
func (inst *Instance) guard(s []uint64, errValue uint64, body func()) {
	defer func() {
		if r := recover(); r != nil {
			t, ok := r.(*js.Throw)
			if !ok {
				panic(r)
			}
			inst.handleJSError(t.Value)
			s[0] = errValue
		}
	}()
	body()
}

const i32Error = uint64(0xffffffff) // -1

// pythonError fetches and clears the current Python exception as a JS
// PythonError (wrap_exception calls our new_error import).
func (inst *Instance) pythonError() Value { return inst.World.Value(inst.call("wrap_exception")) }

var reservedWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("False await else import pass None break except in raise True class finally is return and continue for lambda try as def from nonlocal while assert del global not with async elif if or yield") {
		m[w] = true
	}
	return m
}()

// normalizeReservedWords maps Python's `from_` spelling back to `from`.
func normalizeReservedWords(word string) string {
	noUnderscore := strings.TrimRight(word, "_")
	if !reservedWords[noUnderscore] {
		return word
	}
	if noUnderscore != word {
		return word[:len(word)-1]
	}
	return word
}

// ---- js2python

func (inst *Instance) jsStringToPy(s string) uint64 {
	p := inst.cString(s)
	r := inst.call("PyUnicode_FromStringAndSize", uint64(p), uint64(len(s)))
	inst.call("free", uint64(p))
	return r
}

// js2pyImmutable is Module.js2python_convertImmutable; ok=false means the
// value is not immutable (the caller proxies it).
func (inst *Instance) js2pyImmutable(v Value) (uint64, bool) {
	switch x := v.(type) {
	case string:
		return inst.jsStringToPy(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= 1<<53-1 {
			return inst.call("PyLong_FromDouble", math.Float64bits(x)), true
		}
		return inst.call("PyFloat_FromDouble", math.Float64bits(x)), true
	case *big.Int:
		return inst.jsBigIntToPy(x), true
	case js.UndefinedType:
		return inst.call("_js2python_none"), true
	case nil:
		return inst.call("_js2python_null"), true
	case bool:
		if x {
			return inst.call("_js2python_true"), true
		}
		return inst.call("_js2python_false"), true
	case *Object:
		if PyOf(x) != nil && PyOf(x).ptr != 0 {
			if PyOf(x).roundtrip {
				return inst.call("JsProxy_create", inst.World.Handle(x)), true
			}
			return inst.call("_js2python_pyproxy", uint64(PyOf(x).ptr)), true
		}
	}
	return 0, false
}

func (inst *Instance) jsBigIntToPy(b *big.Int) uint64 {
	// _PyLong_FromByteArray(bytes, n, little_endian=1, signed=1) on two's complement.
	n := (b.BitLen() + 8) / 8
	if n < 1 {
		n = 1
	}
	n = (n + 3) &^ 3
	buf := make([]byte, n)
	mod := new(big.Int).Lsh(big.NewInt(1), uint(8*n))
	t := new(big.Int).Set(b)
	if t.Sign() < 0 {
		t.Add(t, mod)
	}
	be := t.FillBytes(make([]byte, n))
	for i := range be {
		buf[i] = be[n-1-i]
	}
	p := inst.malloc(uint32(n))
	inst.mem.Write(p, buf)
	r := inst.call("_PyLong_FromByteArray", uint64(p), uint64(n), 1, 1)
	inst.call("free", uint64(p))
	return r
}

// js2pyConversion is the state of one JsProxy.to_py() call: objects already
// converted (cycles and shared references), and the Python strings made for
// object keys, reused across the objects of one conversion — 1,000 D1 rows
// share three keys — instead of made anew per object.
type js2pyConversion struct {
	objects map[*Object]uint64
	keys    map[string]uint64 // each holds one reference, dropped by done
}

func newJs2pyConversion() *js2pyConversion {
	return &js2pyConversion{objects: map[*Object]uint64{}, keys: map[string]uint64{}}
}

// key returns a new reference to the Python string for k.
func (c *js2pyConversion) key(inst *Instance, k string) uint64 {
	if r, ok := c.keys[k]; ok {
		inst.call("Py_IncRef", r)
		return r
	}
	r := inst.jsStringToPy(k)
	inst.call("Py_IncRef", r)
	c.keys[k] = r
	return r
}

func (c *js2pyConversion) done(inst *Instance) {
	for _, r := range c.keys {
		inst.call("Py_DecRef", r)
	}
}

// js2pyConvert is Module.js2python_convert, used by JsProxy.to_py().
func (inst *Instance) js2pyConvert(v Value, depth int, conv *js2pyConversion) uint64 {
	cache := conv.objects
	if r, ok := inst.js2pyImmutable(v); ok {
		return r
	}
	o, _ := v.(*Object)
	if o == nil || depth == 0 {
		return inst.call("JsProxy_create", inst.World.Handle(v))
	}
	if r, ok := cache[o]; ok {
		inst.call("Py_IncRef", r)
		return r
	}
	if depth < 0 && o.Kind == js.KindArray && len(o.Arr) >= 16 {
		// A long array inside a value the JSON path refused as a whole
		// (a D1 result's meta holds nulls; its rows usually do not).
		if r, ok := inst.jsonFastPath(o); ok {
			cache[o] = r
			return r
		}
	}
	depth--
	switch {
	case o.Kind == js.KindArray:
		l := inst.call("PyList_New", uint64(len(o.Arr)))
		cache[o] = l
		for i, e := range o.Arr {
			inst.call("PyList_SetItem", l, uint64(i), inst.js2pyConvert(e, depth, conv)) // steals
		}
		return l
	case o.Kind == js.KindMap:
		d := inst.call("PyDict_New")
		cache[o] = d
		for i := range o.MapKeys {
			k, ok := inst.js2pyImmutable(o.MapKeys[i])
			if !ok {
				inst.World.ThrowError("Error", "Cannot use key of type "+js.TypeOf(o.MapKeys[i])+" as a key to a Python dict")
			}
			val := inst.js2pyConvert(o.MapVals[i], depth, conv)
			inst.call("PyDict_SetItem", d, k, val)
			inst.call("Py_DecRef", k)
			inst.call("Py_DecRef", val)
		}
		return d
	case o.Kind == js.KindSet:
		set := inst.call("PySet_New", 0)
		cache[o] = set
		for _, e := range o.MapKeys {
			k, ok := inst.js2pyImmutable(e)
			if !ok {
				inst.World.ThrowError("Error", "Cannot use key of type "+js.TypeOf(e)+" as a key to a Python set")
			}
			inst.call("PySet_Add", set, k)
			inst.call("Py_DecRef", k)
		}
		return set
	case o.Kind == js.KindArrayBuffer || o.Kind == js.KindUint8Array:
		b := o.Bytes()
		p := inst.malloc(uint32(len(b)) + 1)
		inst.mem.Write(p, b)
		r := inst.call("PyBytes_FromStringAndSize", uint64(p), uint64(len(b)))
		inst.call("free", uint64(p))
		return r
	case o.Kind == js.KindPlain && o.Call == nil && (o.Proto == inst.World.ObjectProto || o.Proto == nil):
		d := inst.call("PyDict_New")
		cache[o] = d
		for _, k := range o.OwnKeys() {
			pk := conv.key(inst, k)
			val := inst.js2pyConvert(o.Get(k), depth, conv)
			inst.call("PyDict_SetItem", d, pk, val)
			inst.call("Py_DecRef", pk)
			inst.call("Py_DecRef", val)
		}
		return d
	}
	return inst.call("JsProxy_create", inst.World.Handle(v))
}

// ---- type flags (JsProxy_compute_typeflags)

const (
	isIterable      = 1 << 0
	isIterator      = 1 << 1
	hasLength       = 1 << 2
	hasGet          = 1 << 3
	hasSet          = 1 << 4
	hasHas          = 1 << 5
	hasIncludes     = 1 << 6
	isAwaitable     = 1 << 7
	isBuffer        = 1 << 8
	isCallable      = 1 << 9
	isArray         = 1 << 10
	isNodeList      = 1 << 11
	isTypedArray    = 1 << 12
	isDoubleProxy   = 1 << 13
	isAsyncIterable = 1 << 15
	isGenerator     = 1 << 16
	isAsyncGen      = 1 << 17
	isAsyncIterator = 1 << 18
	isError         = 1 << 19
	isPyJSONDict    = 1 << 20
	isPyJSONSeq     = 1 << 21
)

func (inst *Instance) typeflags(v Value, isPyJSON bool) uint64 {
	w := inst.World
	o, isObj := v.(*Object)
	if isObj && o.Kind == js.KindPyProxy && PyOf(o).ptr == 0 {
		return 0
	}
	has := func(k string) bool { return isObj && o.Has(k) }
	var f uint64
	if js.TypeOf(v) == "function" {
		f |= isCallable
	}
	if w.HasMethod(v, "then") {
		f |= isAwaitable
	}
	iter := w.HasMethod(v, "@@iterator") || (isObj && (o.Kind == js.KindArray || o.Kind == js.KindMap || o.Kind == js.KindSet || o.Kind == js.KindUint8Array))
	asyncIter := w.HasMethod(v, "@@asyncIterator")
	if iter {
		f |= isIterable
	}
	if asyncIter {
		f |= isAsyncIterable
	}
	if w.HasMethod(v, "next") && (iter || !asyncIter) {
		f |= isIterator
	}
	if w.HasMethod(v, "next") && (!iter || asyncIter) {
		f |= isAsyncIterator
	}
	if has("size") || (has("length") && js.TypeOf(v) != "function") {
		f |= hasLength
	}
	for k, bit := range map[string]uint64{"get": hasGet, "set": hasSet, "has": hasHas, "includes": hasIncludes} {
		if w.HasMethod(v, k) {
			f |= bit
		}
	}
	if isObj && (o.Kind == js.KindArrayBuffer || o.Kind == js.KindUint8Array) && f&isCallable == 0 {
		f |= isBuffer
	}
	if isObj && o.Kind == js.KindPyProxy {
		f |= isDoubleProxy
	}
	if isObj && o.Kind == js.KindArray {
		f |= isArray
	}
	if isObj && o.Kind == js.KindUint8Array {
		f |= isTypedArray
	}
	if has("name") && has("message") && has("stack") && f&(isCallable|isBuffer) == 0 {
		f |= isError
	}
	if isPyJSON && f&(isArray|isNodeList|isIterator) != 0 {
		f |= isPyJSONSeq
	}
	if isPyJSON && f&(isArray|isTypedArray|isNodeList|isBuffer|isDoubleProxy|isIterator|isCallable|isError) == 0 {
		f |= isPyJSONDict
	}
	return f
}

// ---- the import table

func ffiImports() map[string]hostFunc {
	E := func(inst *Instance, h uint64) Value { return inst.World.Value(h) }
	obj := func(inst *Instance, h uint64) *Object {
		o, ok := inst.World.Value(h).(*Object)
		if !ok {
			inst.World.ThrowError("TypeError", "expected an object")
		}
		return o
	}
	m := map[string]hostFunc{
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
			v, ok := obj(inst, s[0]).MapGet(E(inst, s[1]))
			if !ok {
				s[0] = 0
				return
			}
			s[0] = uint64(uint32(int64(js.ToNumber(v))))
		},
		"__hiwire_deduplicate_set": func(inst *Instance, s []uint64) {
			obj(inst, s[0]).MapSet(E(inst, s[1]), float64(uint32(s[2])))
		},
		"__hiwire_deduplicate_delete": func(inst *Instance, s []uint64) {
			obj(inst, s[0]).MapDelete(E(inst, s[1]))
		},

		// checks
		"JsvNoValue_Check": func(inst *Instance, s []uint64) { s[0] = b2u(s[0] == js.HandleNoValue) },
		"pyproxy_Check": func(inst *Instance, s []uint64) {
			o, ok := E(inst, s[0]).(*Object)
			s[0] = b2u(ok && o.Kind == js.KindPyProxy)
		},
		"is_comlink_proxy":        func(inst *Instance, s []uint64) { s[0] = 0 },
		"JsvGenerator_Check":      func(inst *Instance, s []uint64) { s[0] = 0 },
		"JsvAsyncGenerator_Check": func(inst *Instance, s []uint64) { s[0] = 0 },
		"JsvPromise_Check": func(inst *Instance, s []uint64) {
			s[0] = b2u(inst.World.HasMethod(E(inst, s[0]), "then"))
		},
		"JsvFunction_Check": func(inst *Instance, s []uint64) { s[0] = b2u(js.TypeOf(E(inst, s[0])) == "function") },
		"JsvArray_Check": func(inst *Instance, s []uint64) {
			o, ok := E(inst, s[0]).(*Object)
			s[0] = b2u(ok && o.Kind == js.KindArray)
		},
		"Jsv_to_bool": func(inst *Instance, s []uint64) { s[0] = b2u(js.Truthy(E(inst, s[0]))) },
		"JsProxy_Bool_js": func(inst *Instance, s []uint64) {
			v := E(inst, s[0])
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
		"Jsv_typeof": func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(js.TypeOf(E(inst, s[0]))) },
		"Jsv_constructorName": func(inst *Instance, s []uint64) {
			inst.guard(s, 0, func() {
				name := "Object"
				switch x := E(inst, s[0]).(type) {
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
		"Jsv_equal":              func(inst *Instance, s []uint64) { s[0] = b2u(js.StrictEquals(E(inst, s[0]), E(inst, s[1]))) },
		"Jsv_not_equal":          func(inst *Instance, s []uint64) { s[0] = b2u(!js.StrictEquals(E(inst, s[0]), E(inst, s[1]))) },
		"Jsv_less_than":          compare(func(c int) bool { return c < 0 }),
		"Jsv_less_than_equal":    compare(func(c int) bool { return c <= 0 }),
		"Jsv_greater_than":       compare(func(c int) bool { return c > 0 }),
		"Jsv_greater_than_equal": compare(func(c int) bool { return c >= 0 }),
		"JsvObject_toString": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(js.ToString(E(inst, s[0]))) })
		},
		"JsProxy_compute_typeflags": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { s[0] = inst.typeflags(E(inst, s[0]), uint32(s[1]) != 0) })
		},

		// attributes and items
		"JsProxy_GetAttr_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				key := normalizeReservedWords(inst.cstr(uint32(s[1])))
				v := E(inst, s[0])
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
				obj(inst, s[0]).Set(normalizeReservedWords(inst.cstr(uint32(s[1]))), E(inst, s[2]))
				s[0] = 0
			})
		},
		"JsProxy_DelAttr_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				obj(inst, s[0]).Delete(normalizeReservedWords(inst.cstr(uint32(s[1]))))
				s[0] = 0
			})
		},
		"JsProxy_Dir_js":     dirImport,
		"JsModule_GetAll_js": dirImport,
		"JsProxy_subscript_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				o, key := E(inst, s[0]), E(inst, s[1])
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
				o, key := obj(inst, s[0]), js.ToString(E(inst, s[1]))
				if _, own := o.Props[key]; !own {
					s[0] = js.HandleError
					return
				}
				s[0] = inst.World.Handle(o.Get(key))
			})
		},
		"JsObjMap_ass_subscript_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				o, key := obj(inst, s[0]), js.ToString(E(inst, s[1]))
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
					o.Set(key, E(inst, s[2]))
				}
				s[0] = 0
			})
		},
		"JsObjMap_contains_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				_, own := obj(inst, s[0]).Props[js.ToString(E(inst, s[1]))]
				s[0] = b2u(own)
			})
		},
		"JsObjMap_length_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { s[0] = uint64(len(obj(inst, s[0]).OwnKeys())) })
		},
		"JsObjMap_GetIter_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				var ks []Value
				for _, k := range obj(inst, s[0]).OwnKeys() {
					ks = append(ks, k)
				}
				s[0] = inst.World.Handle(inst.World.MakeIterator(ks))
			})
		},
		"get_length_helper": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				v := E(inst, s[0])
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
				v := E(inst, s[0])
				n := inst.World.Get(v, "size")
				if _, ok := n.(float64); !ok {
					n = inst.World.Get(v, "length")
				}
				s[0] = uint64(inst.cString(" " + js.ToString(n)))
			})
		},
		"JsvObject_New": func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(inst.World.NewObject()) },
		"JsvObject_SetAttr": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { obj(inst, s[0]).Set(js.ToString(E(inst, s[1])), E(inst, s[2])); s[0] = 0 })
		},
		"JsvObject_Entries": objectStatic("entries"),
		"JsvObject_Keys":    objectStatic("keys"),
		"JsvObject_Values":  objectStatic("values"),

		// arrays, maps, sets, numbers, strings
		"JsvArray_New": func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(inst.World.NewArray()) },
		"JsvArray_Push": func(inst *Instance, s []uint64) {
			a := obj(inst, s[0])
			a.Arr = append(a.Arr, E(inst, s[1]))
			s[0] = uint64(len(a.Arr))
		},
		"_JsArray_PushEntry_helper": func(inst *Instance, s []uint64) {
			a := obj(inst, s[0])
			a.Arr = append(a.Arr, inst.World.NewArray(E(inst, s[1]), E(inst, s[2])))
			s[0] = 0
		},
		"JsvArray_Get": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				a := E(inst, s[0])
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
				obj(inst, s[0]).Set(js.NumberToString(float64(i32(s[1]))), E(inst, s[2]))
				s[0] = 0
			})
		},
		"JsvArray_Delete": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				a := obj(inst, s[0])
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
				a := obj(inst, s[0])
				i := max(0, min(int(i32(s[1])), len(a.Arr)))
				a.Arr = append(a.Arr[:i], append([]Value{E(inst, s[2])}, a.Arr[i:]...)...)
				s[0] = 0
			})
		},
		"JsvArray_Extend": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				a := obj(inst, s[0])
				inst.World.Iterate(E(inst, s[1]), func(e Value) { a.Arr = append(a.Arr, e) })
				s[0] = 0
			})
		},
		"JsvArray_ShallowCopy": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.World.NewArray(obj(inst, s[0]).Arr...)) })
		},
		"JsvArray_slice": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				a := obj(inst, s[0])
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
				for _, e := range obj(inst, s[0]).Arr {
					if js.StrictEquals(e, E(inst, s[1])) {
						n++
					}
				}
				s[0] = uint64(n)
			})
		},
		"JsArray_index_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				a, v := obj(inst, s[0]), E(inst, s[1])
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
			inst.guard(s, i32Error, func() { inst.World.CallMethod(obj(inst, s[0]), "reverse"); s[0] = 0 })
		},
		"JsvMap_New":        func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(inst.World.NewMap()) },
		"JsvLiteralMap_New": func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(inst.World.NewMap()) },
		"JsvMap_Set": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { inst.World.CallMethod(E(inst, s[0]), "set", E(inst, s[1]), E(inst, s[2])); s[0] = 0 })
		},
		"JsMap_clear_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { inst.World.CallMethod(E(inst, s[0]), "clear"); s[0] = 0 })
		},
		"JsvSet_New": func(inst *Instance, s []uint64) { s[0] = inst.World.Handle(inst.World.NewSet()) },
		"JsvSet_Add": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() { inst.World.CallMethod(E(inst, s[0]), "add", E(inst, s[1])); s[0] = 0 })
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

		// calls
		"JsvFunction_CallBound": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				s[0] = inst.World.Handle(inst.World.Call(E(inst, s[0]), E(inst, s[1]), obj(inst, s[2]).Arr...))
			})
		},
		"JsvFunction_Call_OneArg": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.World.Call(E(inst, s[0]), Undefined, E(inst, s[1]))) })
		},
		"JsvFunction_Construct": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.World.Construct(E(inst, s[0]), obj(inst, s[1]).Arr)) })
		},
		"JsvObject_CallMethod": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				s[0] = inst.World.Handle(inst.World.CallMethod(E(inst, s[0]), js.ToString(E(inst, s[1])), obj(inst, s[2]).Arr...))
			})
		},
		"JsvObject_CallMethod_NoArgs": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.World.CallMethod(E(inst, s[0]), js.ToString(E(inst, s[1])))) })
		},
		"JsvObject_CallMethod_OneArg": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				s[0] = inst.World.Handle(inst.World.CallMethod(E(inst, s[0]), js.ToString(E(inst, s[1])), E(inst, s[2])))
			})
		},
		"JsvObject_CallMethod_TwoArgs": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				s[0] = inst.World.Handle(inst.World.CallMethod(E(inst, s[0]), js.ToString(E(inst, s[1])), E(inst, s[2]), E(inst, s[3])))
			})
		},
		"raw_call_js": func(inst *Instance, s []uint64) { inst.World.Call(E(inst, s[0]), Undefined) },
		"JsProxy_GetIter_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				v := E(inst, s[0])
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
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.World.CallMethod(E(inst, s[0]), "@@asyncIterator")) })
		},
		"JsMap_GetIter_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				v := E(inst, s[0])
				if o, ok := v.(*Object); ok && (o.Kind == js.KindMap || o.Kind == js.KindSet) {
					s[0] = inst.World.Handle(inst.World.MakeIterator(append([]Value{}, o.MapKeys...)))
					return
				}
				s[0] = inst.World.Handle(inst.World.CallMethod(v, "keys"))
			})
		},
		"handle_next_result_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				res := E(inst, s[0])
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

		// js2python
		"js2python_immutable_js": func(inst *Instance, s []uint64) {
			inst.guard(s, 0, func() { r, _ := inst.js2pyImmutable(E(inst, s[0])); s[0] = r })
		},
		"js2python_js": func(inst *Instance, s []uint64) {
			inst.guard(s, 0, func() {
				if r, ok := inst.js2pyImmutable(E(inst, s[0])); ok {
					s[0] = r
					return
				}
				s[0] = inst.call("JsProxy_create", s[0])
			})
		},
		"js2python_convert": func(inst *Instance, s []uint64) {
			inst.guard(s, 0, func() {
				// default_converter (s[2]) is not supported: such objects stay proxies.
				v := E(inst, s[0])
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
					jc.Set("dict_converter", E(inst, s[2]))
				}
				cache := E(inst, s[1])
				ctxPtr := uint64(uint32(s[0]))
				if present(s[3]) {
					jc.Set("default_converter", E(inst, s[3]))
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
					jc.Set("eager_converter", E(inst, s[4]))
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
				s[0] = inst.World.Handle(inst.World.Call(inst.World.Get(E(inst, s[0]), "dict_converter"), Undefined, E(inst, s[1])))
			})
		},
		"_python2js_cache_lookup": func(inst *Instance, s []uint64) {
			v, ok := obj(inst, s[0]).MapGet(float64(uint32(s[1])))
			if !ok || v == Undefined {
				s[0] = js.HandleError
				return
			}
			s[0] = inst.World.Handle(v)
		},
		"_python2js_add_to_cache": func(inst *Instance, s []uint64) {
			obj(inst, s[0]).MapSet(float64(uint32(s[1])), E(inst, s[2]))
			s[0] = 0
		},
		"_python2js_addto_postprocess_list": func(inst *Instance, s []uint64) {
			l := obj(inst, s[0])
			l.Arr = append(l.Arr, inst.World.NewArray(E(inst, s[1]), E(inst, s[2]), float64(uint32(s[3]))))
		},
		"_python2js_handle_postprocess_list": func(inst *Instance, s []uint64) {
			cache := obj(inst, s[1])
			for _, e := range obj(inst, s[0]).Arr {
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
				jc := E(inst, s[0])
				px := inst.newPyProxy(uint32(s[1]), pyProxyOptions{})
				defer inst.destroyPyProxy(px, "")
				s[0] = inst.World.Handle(inst.World.Call(inst.World.Get(jc, "default_converter"), Undefined, px, inst.World.Get(jc, "converter"), inst.World.Get(jc, "cacheConversion")))
			})
		},
		"python2js__eager_converter_js": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				jc := E(inst, s[0])
				visited := obj(inst, inst.World.Handle(inst.World.Get(jc, "eager_visited")))
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
			r.Set("shape", E(inst, s[6]))
			r.Set("strides", E(inst, s[7]))
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
			inst.guard(s, i32Error, func() { inst.mem.Write(uint32(s[1]), obj(inst, s[0]).Bytes()); s[0] = 0 })
		},
		"JsvBuffer_assignFromPtr": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				dst := obj(inst, s[0]).Bytes()
				src, _ := inst.mem.Read(uint32(s[1]), uint32(len(dst)))
				copy(dst, src)
				s[0] = 0
			})
		},
		"JsBuffer_get_info": func(inst *Instance, s []uint64) {
			o := obj(inst, s[0])
			inst.mem.WriteUint32Le(uint32(s[1]), uint32(len(o.Bytes())))
			inst.mem.WriteUint32Le(uint32(s[2]), inst.bufferFormatB())
			inst.mem.WriteUint32Le(uint32(s[3]), 1)
			inst.mem.WriteByte(uint32(s[4]), byte(b2u(o.Kind == js.KindUint8Array)))
		},
		"JsBuffer_DecodeString_js": func(inst *Instance, s []uint64) {
			inst.guard(s, 0, func() {
				b := obj(inst, s[0]).Bytes()
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
			o, ok := E(inst, s[0]).(*Object)
			if !ok || o.Kind != js.KindPyProxy || PyOf(o).ptr == 0 {
				s[0] = 0
				return
			}
			s[0] = uint64(PyOf(o).ptr)
		},
		"JsDoubleProxy_unwrap_js": func(inst *Instance, s []uint64) {
			o, ok := E(inst, s[0]).(*Object)
			if !ok || o.Kind != js.KindPyProxy {
				s[0] = 0
				return
			}
			s[0] = uint64(PyOf(o).ptr)
		},
		"destroy_proxy": func(inst *Instance, s []uint64) {
			if o, ok := E(inst, s[0]).(*Object); ok && o.Kind == js.KindPyProxy && !PyOf(o).roundtrip {
				inst.destroyPyProxy(o, inst.cstr(uint32(s[1])))
			}
		},
		"destroy_proxies": func(inst *Instance, s []uint64) {
			msg := inst.cstr(uint32(s[1]))
			inst.World.Iterate(E(inst, s[0]), func(px Value) {
				if o, ok := px.(*Object); ok && o.Kind == js.KindPyProxy {
					inst.destroyPyProxy(o, msg)
				}
			})
		},
		"destroy_proxies_js": func(inst *Instance, s []uint64) {
			inst.guard(s, i32Error, func() {
				inst.World.Iterate(E(inst, s[0]), func(px Value) { inst.World.CallMethod(px, "destroy") })
				s[0] = 0
			})
		},
		"gc_register_proxies": func(inst *Instance, s []uint64) {}, // no FinalizationRegistry: per-run worlds bound the leak
		"proxy_cache_get": func(inst *Instance, s []uint64) {
			v, ok := obj(inst, s[0]).MapGet(float64(uint32(s[1])))
			if o, isObj := v.(*Object); ok && isObj && o.Kind == js.KindPyProxy && PyOf(o).ptr != 0 {
				s[0] = inst.World.Handle(o)
				return
			}
			s[0] = js.HandleError
		},
		"proxy_cache_set": func(inst *Instance, s []uint64) {
			obj(inst, s[0]).MapSet(float64(uint32(s[1])), E(inst, s[2]))
		},
		"create_once_callable": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.onceCallable(uint32(s[0]))) })
		},
		"create_promise_handles": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				s[0] = inst.World.Handle(inst.promiseHandles(uint32(s[0]), uint32(s[1]), E(inst, s[2]), uint32(s[3])))
			})
		},
		"get_async_js_call_done_callback": func(inst *Instance, s []uint64) {
			inst.guard(s, js.HandleError, func() {
				proxies := E(inst, s[0])
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
				p := E(inst, s[0])
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
			inst.guard(s, js.HandleError, func() { s[0] = inst.World.Handle(inst.World.PromiseResolve(E(inst, s[0]))) })
		},

		// errors
		"new_error": func(inst *Instance, s []uint64) {
			typ, msg := inst.cstr(uint32(s[0])), js.ToString(E(inst, s[1]))
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
			t := &js.Throw{Value: E(inst, s[0])}
			inst.pendingThrow = t
			panic(t)
		},
		"throw_no_gil": func(inst *Instance, s []uint64) {
			panic(&js.Throw{Value: inst.World.NewError("NoGilError", "Attempted to use PyProxy when Python GIL not held")})
		},
		"can_run_sync_js":                func(inst *Instance, s []uint64) { s[0] = 0 },
		"saveState":                      func(inst *Instance, s []uint64) { s[0] = 0 },
		"get_suspender":                  func(inst *Instance, s []uint64) { s[0] = 0 },
		"restoreState":                   func(inst *Instance, s []uint64) {},
		"set_suspender":                  func(inst *Instance, s []uint64) {},
		"JsvPromise_Syncify_handleError": func(inst *Instance, s []uint64) {},
		"fail_test":                      func(inst *Instance, s []uint64) {},
		"capture_stderr":                 func(inst *Instance, s []uint64) { inst.stderrCapture = []byte{} },
		"restore_stderr": func(inst *Instance, s []uint64) {
			out := string(inst.stderrCapture)
			inst.stderrCapture = nil
			s[0] = inst.World.Handle(out)
		},
	}
	return m
}

// bufferFormatB is a pointer to the C string "B" (unsigned bytes) that
// jslib_init_buffers_js would have allocated.
func (inst *Instance) bufferFormatB() uint32 {
	if inst.formatB == 0 {
		inst.formatB = inst.cString("B")
	}
	return inst.formatB
}

func compare(ok func(int) bool) hostFunc {
	return func(inst *Instance, s []uint64) {
		a, b := inst.World.Value(s[0]), inst.World.Value(s[1])
		var c int
		if as, isStr := a.(string); isStr {
			if bs, isStr := b.(string); isStr {
				c = strings.Compare(as, bs)
				s[0] = b2u(ok(c))
				return
			}
		}
		x, y := js.ToNumber(a), js.ToNumber(b)
		if math.IsNaN(x) || math.IsNaN(y) {
			s[0] = 0
			return
		}
		switch {
		case x < y:
			c = -1
		case x > y:
			c = 1
		}
		s[0] = b2u(ok(c))
	}
}

func dirImport(inst *Instance, s []uint64) {
	inst.guard(s, js.HandleError, func() {
		out := inst.World.NewArray()
		seen := map[string]bool{}
		o, _ := inst.World.Value(s[0]).(*Object)
		for ; o != nil; o = o.Proto {
			names := append([]string{}, o.Keys...)
			for k := range o.Getters {
				names = append(names, k)
			}
			for _, k := range names {
				if seen[k] || strings.HasPrefix(k, "@@") || (k[0] >= '0' && k[0] <= '9') {
					continue
				}
				seen[k] = true
				if reservedWords[strings.TrimRight(k, "_")] {
					k += "_"
				}
				out.Arr = append(out.Arr, k)
			}
		}
		s[0] = inst.World.Handle(out)
	})
}

func objectStatic(name string) hostFunc {
	return func(inst *Instance, s []uint64) {
		inst.guard(s, js.HandleError, func() {
			s[0] = inst.World.Handle(inst.World.CallMethod(inst.World.Ctors["Object"], name, inst.World.Value(s[0])))
		})
	}
}
