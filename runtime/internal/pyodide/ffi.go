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
	"maps"
	"math"
	"math/big"
	"strings"

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

// ffiImports is the whole FFI import table, group by group.
func ffiImports() map[string]hostFunc {
	m := map[string]hostFunc{}
	for _, group := range []map[string]hostFunc{
		ffiBootstrapImports(), ffiAccessImports(), ffiValueImports(),
		ffiCallImports(), ffiConversionImports(), ffiErrorImports(), ffiSyncifyImports(),
	} {
		maps.Copy(m, group)
	}
	return m
}

// jsv is the JS value behind an externref handle.
func jsv(inst *Instance, h uint64) Value { return inst.World.Value(h) }

// jsObject is the object behind h; anything else throws a TypeError.
func jsObject(inst *Instance, h uint64) *Object {
	o, ok := inst.World.Value(h).(*Object)
	if !ok {
		inst.World.ThrowError("TypeError", "expected an object")
	}
	return o
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
