package js

// The Go "JS world": the value model the Pyodide FFI talks to in place of V8.
//
// A JS value is a Go `Value` (any):
//
//	nil         null
//	Undefined   undefined
//	bool, float64, string, *big.Int (BigInt)
//	*Object     every reference value (objects, arrays, functions, Map, Set,
//	            Promise, Error, ArrayBuffer, Uint8Array, PyProxy, host objects)
//
// Symbols are not modelled; the two well-known ones are property keys
// "@@iterator" and "@@asyncIterator".

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// Value is any JS value.
type Value = any

type UndefinedType struct{}

// Undefined is JS undefined.
var Undefined Value = UndefinedType{}

type objKind uint8

const (
	KindPlain objKind = iota
	KindArray
	kindFunction
	KindMap
	KindSet
	kindPromise
	KindArrayBuffer
	KindUint8Array
	KindPyProxy
)

// Object is a JS reference value.
type Object struct {
	Class   string // constructor name, what `x.constructor.name` reports
	Kind    objKind
	Proto   *Object
	Props   map[string]Value
	Keys    []string // insertion order of props
	Getters map[string]func(this *Object) Value
	setters map[string]func(this *Object, v Value)

	Arr []Value // kindArray

	MapKeys []Value // kindMap, kindSet: insertion order
	MapVals []Value
	mapIdx  map[any]int // key → position + mapBase
	mapBase int

	Call func(this Value, args []Value) Value // callable
	ctor func(args []Value) Value             // constructible with new
	Name string

	Promise *promiseState
	// PyProxy is the Python side of a kindPyProxy object; the JS core only
	// carries it (the Pyodide layer knows its type).
	PyProxy any

	buf        *[]byte // kindArrayBuffer storage; views share it
	viewOf     *Object // kindUint8Array: its ArrayBuffer
	viewOff    int
	viewLen    int
	Host       any // Go payload of host objects (Request, Response, Headers...)
	frozenKeys bool

	// dynGet answers property reads the object does not hold itself
	// (a PyProxy reads Python attributes this way).
	DynGet func(key string) (Value, bool)
}

// jsThrow is how Go code throws a JS value: panic(&jsThrow{v}).
type Throw struct{ Value Value }

func (t *Throw) Error() string { return "uncaught JS exception: " + DescribeError(t.Value) }

func DescribeError(v Value) string {
	if o, ok := v.(*Object); ok {
		name, msg := o.Get("name"), o.Get("message")
		if name != Undefined || msg != Undefined {
			return ToString(name) + ": " + ToString(msg)
		}
	}
	return ToString(v)
}

// SetProperty writes a property (the name bindings use).
func (o *Object) SetProperty(key string, v Value) { o.Set(key, v) }

// Get reads property k, following the prototype chain and accessors.
func (o *Object) Get(k string) Value {
	switch o.Kind {
	case KindArray:
		if k == "length" {
			return float64(len(o.Arr))
		}
		if i, ok := arrayIndex(k); ok {
			if i < len(o.Arr) {
				return o.Arr[i]
			}
			return Undefined
		}
	case KindUint8Array:
		if i, ok := arrayIndex(k); ok {
			b := o.Bytes()
			if i < len(b) {
				return float64(b[i])
			}
			return Undefined
		}
	}
	for c := o; c != nil; c = c.Proto {
		if g, ok := c.Getters[k]; ok {
			return g(o)
		}
		if v, ok := c.Props[k]; ok {
			return v
		}
	}
	if o.Call != nil && k == "name" {
		return o.Name
	}
	if o.DynGet != nil {
		if v, ok := o.DynGet(k); ok {
			return v
		}
	}
	return Undefined
}

// Has is `k in o`.
func (o *Object) Has(k string) bool {
	switch o.Kind {
	case KindArray:
		if k == "length" {
			return true
		}
		if i, ok := arrayIndex(k); ok {
			return i < len(o.Arr)
		}
	case KindUint8Array:
		if i, ok := arrayIndex(k); ok {
			return i < o.viewLen
		}
	}
	for c := o; c != nil; c = c.Proto {
		if _, ok := c.Getters[k]; ok {
			return true
		}
		if _, ok := c.Props[k]; ok {
			return true
		}
	}
	if o.DynGet != nil {
		if _, ok := o.DynGet(k); ok {
			return true
		}
	}
	return o.Call != nil && k == "name"
}

// Set writes own property k (or calls an accessor's setter).
func (o *Object) Set(k string, v Value) {
	switch o.Kind {
	case KindArray:
		if i, ok := arrayIndex(k); ok {
			for len(o.Arr) <= i {
				o.Arr = append(o.Arr, Undefined)
			}
			o.Arr[i] = v
			return
		}
		if k == "length" {
			if n, ok := v.(float64); ok && n >= 0 && int(n) <= len(o.Arr) {
				o.Arr = o.Arr[:int(n)]
			}
			return
		}
	case KindUint8Array:
		if i, ok := arrayIndex(k); ok {
			b := o.Bytes()
			if i < len(b) {
				b[i] = byte(int64(ToNumber(v)))
			}
			return
		}
	}
	for c := o; c != nil; c = c.Proto {
		if s, ok := c.setters[k]; ok {
			s(o, v)
			return
		}
		if _, ok := c.Getters[k]; ok {
			return // read-only accessor: silently ignored, as in sloppy JS
		}
	}
	o.defineOwn(k, v)
}

// defineOwn writes an own data property, past any accessor on the prototypes.
func (o *Object) defineOwn(k string, v Value) {
	if o.frozenKeys {
		return
	}
	if o.Props == nil {
		o.Props = map[string]Value{}
	}
	if _, ok := o.Props[k]; !ok {
		o.Keys = append(o.Keys, k)
	}
	o.Props[k] = v
}

// Delete removes own property k.
func (o *Object) Delete(k string) bool {
	if o.Kind == KindArray {
		if i, ok := arrayIndex(k); ok && i < len(o.Arr) {
			o.Arr[i] = Undefined
			return true
		}
	}
	if _, ok := o.Props[k]; !ok {
		return true
	}
	delete(o.Props, k)
	for i, kk := range o.Keys {
		if kk == k {
			o.Keys = append(o.Keys[:i:i], o.Keys[i+1:]...)
			break
		}
	}
	return true
}

// OwnKeys lists own enumerable string keys in JS order (indices first).
func (o *Object) OwnKeys() []string {
	var ks []string
	switch o.Kind {
	case KindArray:
		for i := range o.Arr {
			ks = append(ks, strconv.Itoa(i))
		}
	case KindUint8Array:
		for i := 0; i < o.viewLen; i++ {
			ks = append(ks, strconv.Itoa(i))
		}
	}
	var ints []int
	var rest []string
	for _, k := range o.Keys {
		if strings.HasPrefix(k, "@@") {
			continue
		}
		if i, ok := arrayIndex(k); ok {
			ints = append(ints, i)
		} else {
			rest = append(rest, k)
		}
	}
	sort.Ints(ints)
	for _, i := range ints {
		ks = append(ks, strconv.Itoa(i))
	}
	return append(ks, rest...)
}

func arrayIndex(k string) (int, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	n := 0
	for _, c := range k {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// bytes returns the bytes an ArrayBuffer or Uint8Array covers.
func (o *Object) Bytes() []byte {
	switch o.Kind {
	case KindArrayBuffer:
		return *o.buf
	case KindUint8Array:
		b := *o.viewOf.buf
		end := min(o.viewOff+o.viewLen, len(b))
		if o.viewOff > end {
			return nil
		}
		return b[o.viewOff:end]
	}
	return nil
}

// mapKey normalises a Map/Set key for Go map lookup (SameValueZero).
func mapKey(v Value) any {
	switch x := v.(type) {
	case float64:
		if x == 0 {
			return float64(0)
		}
		if math.IsNaN(x) {
			return "\x00NaN"
		}
	case *big.Int:
		return "\x00big" + x.String()
	case string:
		return "s" + x
	}
	return v
}

// Map and Set entries live in MapKeys/MapVals in insertion order; mapIdx
// maps a key to its position plus mapBase, so that deleting the oldest entry
// (a queue) or the newest (short-lived dedup entries) costs O(1) and any
// other delete only moves the entries after it. (Issue 17: a delete used to
// copy the whole map, making hiwire's deduplication Map quadratic.)

func (o *Object) MapGet(k Value) (Value, bool) {
	if i, ok := o.mapIdx[mapKey(k)]; ok {
		return o.MapVals[i-o.mapBase], true
	}
	return Undefined, false
}

func (o *Object) MapSet(k, v Value) {
	mk := mapKey(k)
	if i, ok := o.mapIdx[mk]; ok {
		o.MapVals[i-o.mapBase] = v
		return
	}
	if o.mapIdx == nil {
		o.mapIdx = map[any]int{}
	}
	o.mapIdx[mk] = len(o.MapKeys) + o.mapBase
	o.MapKeys = append(o.MapKeys, k)
	o.MapVals = append(o.MapVals, v)
}

func (o *Object) MapDelete(k Value) bool {
	mk := mapKey(k)
	abs, ok := o.mapIdx[mk]
	if !ok {
		return false
	}
	delete(o.mapIdx, mk)
	i, n := abs-o.mapBase, len(o.MapKeys)
	switch {
	case i == 0:
		o.MapKeys[0], o.MapVals[0] = nil, nil
		o.MapKeys, o.MapVals = o.MapKeys[1:], o.MapVals[1:]
		o.mapBase++
	default:
		copy(o.MapKeys[i:], o.MapKeys[i+1:])
		copy(o.MapVals[i:], o.MapVals[i+1:])
		o.MapKeys[n-1], o.MapVals[n-1] = nil, nil
		o.MapKeys, o.MapVals = o.MapKeys[:n-1], o.MapVals[:n-1]
		for j := i; j < n-1; j++ {
			o.mapIdx[mapKey(o.MapKeys[j])] = j + o.mapBase
		}
	}
	if len(o.MapKeys) == 0 {
		o.mapClear()
	}
	return true
}

func (o *Object) mapClear() { o.MapKeys, o.MapVals, o.mapIdx, o.mapBase = nil, nil, nil, 0 }

// ---- conversions and comparisons

func TypeOf(v Value) string {
	switch x := v.(type) {
	case nil:
		return "object"
	case UndefinedType:
		return "undefined"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case *big.Int:
		return "bigint"
	case *Object:
		if x.Call != nil {
			return "function"
		}
	}
	return "object"
}

func Truthy(v Value) bool {
	switch x := v.(type) {
	case nil, UndefinedType:
		return false
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case string:
		return x != ""
	case *big.Int:
		return x.Sign() != 0
	}
	return true
}

func StrictEquals(a, b Value) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case *big.Int:
		y, ok := b.(*big.Int)
		return ok && x.Cmp(y) == 0
	case *Object:
		y, ok := b.(*Object)
		return ok && x == y
	}
	return a == b
}

func ToNumber(v Value) float64 {
	switch x := v.(type) {
	case nil:
		return 0
	case UndefinedType:
		return math.NaN()
	case bool:
		if x {
			return 1
		}
		return 0
	case float64:
		return x
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return 0
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return math.NaN()
		}
		return f
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	}
	return math.NaN()
}

func NumberToString(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	case x == 0:
		return "0" // -0 too
	}
	// ECMAScript Number::toString: the shortest digits that round-trip,
	// positioned by the decimal exponent n (value = 0.digits × 10^n).
	sign := ""
	if x < 0 {
		sign, x = "-", -x
	}
	e := strconv.FormatFloat(x, 'e', -1, 64) // d.ddde±XX
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	k := len(digits)
	n, _ := strconv.Atoi(exp)
	n++
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	es := "+"
	if n-1 < 0 {
		es = "-"
	}
	m := digits[:1]
	if k > 1 {
		m += "." + digits[1:]
	}
	return sign + m + "e" + es + strconv.Itoa(abs(n-1))
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// toString is JS String(v) for the values Go code needs to print.
func ToString(v Value) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case UndefinedType:
		return "undefined"
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return NumberToString(x)
	case string:
		return x
	case *big.Int:
		return x.String()
	case *Object:
		if f, ok := x.Get("toString").(*Object); ok && f.Call != nil {
			if s, ok := safeCall(f, x); ok {
				if str, ok := s.(string); ok {
					return str
				}
			}
		}
		return "[object " + x.Class + "]"
	}
	return fmt.Sprint(v)
}

// safeCall calls f, turning a JS throw into ok=false.
func safeCall(f *Object, this Value, args ...Value) (r Value, ok bool) {
	defer func() {
		if e := recover(); e != nil {
			if _, isThrow := e.(*Throw); !isThrow {
				panic(e)
			}
			ok = false
		}
	}()
	return f.Call(this, args), true
}

// jsLength is the UTF-16 length of a Go string.
func jsLength(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func Arg(args []Value, i int) Value {
	if i < len(args) {
		return args[i]
	}
	return Undefined
}

func IsNullish(v Value) bool { return v == nil || v == Undefined }
