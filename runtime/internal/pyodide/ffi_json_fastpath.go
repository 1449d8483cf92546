package pyodide

import (
	"math"
	"strconv"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

// A fast path for JsProxy.to_py() on large plain data (D1 results, JSON
// bodies): the value is written as JSON in Go and parsed by Python's json
// module in one call, instead of a few wasm calls per field — every call
// into wasm costs a goroutine start in wazero (it watches the context). The
// result is the one the per-field conversion gives, so the path is taken
// only when JSON can say it exactly: plain objects and arrays (each object
// seen once: no shared references, no cycles), strings, booleans, finite
// numbers (integral ones as ints when |x| < 2^53, as js2pyImmutable does),
// and no null or undefined (null becomes pyodide's jsnull, which JSON
// cannot express).

// jsonFastPathMinValues is the size from which the JSON path pays off.
const jsonFastPathMinValues = 64

// jsonFastPath returns the converted value, or ok=false to fall back.
func (inst *Instance) jsonFastPath(v Value) (r uint64, ok bool) {
	var b strings.Builder
	seen := map[*Object]bool{}
	count := 0
	if !inst.writeJSONData(&b, v, seen, &count, 0) || count < jsonFastPathMinValues {
		return 0, false
	}
	loads := inst.jsonLoads()
	if loads == 0 {
		return 0, false
	}
	text := inst.jsStringToPy(b.String())
	r = inst.call("PyObject_CallOneArg", loads, text)
	inst.call("Py_DecRef", text)
	if r == 0 {
		inst.call("PyErr_Clear")
		return 0, false
	}
	return r, true
}

// jsonLoads returns (a borrowed reference to) json.loads, imported once
// per instance; 0 when it cannot be had.
func (inst *Instance) jsonLoads() uint64 {
	if inst.jsonLoadsFn != 0 {
		return inst.jsonLoadsFn
	}
	name := inst.cString("json")
	mod := inst.call("PyImport_ImportModule", uint64(name))
	inst.call("free", uint64(name))
	if mod == 0 {
		inst.call("PyErr_Clear")
		return 0
	}
	attr := inst.cString("loads")
	fn := inst.call("PyObject_GetAttrString", mod, uint64(attr))
	inst.call("free", uint64(attr))
	inst.call("Py_DecRef", mod)
	if fn == 0 {
		inst.call("PyErr_Clear")
		return 0
	}
	inst.jsonLoadsFn = fn // kept for the instance's life
	return fn
}

// writeJSONData writes v as JSON; false means v holds something the fast
// path must not convert.
func (inst *Instance) writeJSONData(b *strings.Builder, v Value, seen map[*Object]bool, count *int, depth int) bool {
	*count++
	if depth > 64 {
		return false
	}
	switch x := v.(type) {
	case string:
		q, ok := quoteJSON(x)
		b.WriteString(q)
		return ok
	case bool:
		b.WriteString(strconv.FormatBool(x))
		return true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
		if x == math.Trunc(x) {
			if math.Abs(x) > 1<<53-1 {
				return false // js2pyImmutable makes a float; JSON would make an int
			}
			b.WriteString(strconv.FormatInt(int64(x), 10))
			return true
		}
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		b.WriteString(s)
		return true
	case *Object:
		if seen[x] {
			return false
		}
		seen[x] = true
		switch {
		case x.Kind == js.KindArray:
			b.WriteByte('[')
			for i, e := range x.Arr {
				if i > 0 {
					b.WriteByte(',')
				}
				if !inst.writeJSONData(b, e, seen, count, depth+1) {
					return false
				}
			}
			b.WriteByte(']')
			return true
		case x.Kind == js.KindPlain && x.Call == nil && (x.Proto == inst.World.ObjectProto || x.Proto == nil):
			b.WriteByte('{')
			for i, k := range x.OwnKeys() {
				if i > 0 {
					b.WriteByte(',')
				}
				q, ok := quoteJSON(k)
				if !ok {
					return false
				}
				b.WriteString(q)
				b.WriteByte(':')
				if !inst.writeJSONData(b, x.Get(k), seen, count, depth+1) {
					return false
				}
			}
			b.WriteByte('}')
			return true
		}
	}
	return false
}

// quoteJSON quotes s with strconv.Quote and reports whether the result is
// also JSON with the same meaning: Go's \x (invalid UTF-8), \U, \a and \v
// escapes are not JSON, and such strings take the slow path.
func quoteJSON(s string) (string, bool) {
	q := strconv.Quote(s)
	for i := 0; i < len(q)-1; i++ {
		if q[i] != '\\' {
			continue
		}
		switch q[i+1] {
		case 'x', 'U', 'a', 'v':
			return q, false
		}
		i++ // skip the escaped character
	}
	return q, true
}
