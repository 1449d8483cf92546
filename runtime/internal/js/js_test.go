package js

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// drain runs microtasks and due timers the way the Pyodide layer's driver
// does, without an interpreter.
func drain(t *testing.T, w *World) {
	t.Helper()
	for range 10000 {
		if len(w.Loop.Micro) > 0 {
			f := w.Loop.Micro[0]
			w.Loop.Micro = w.Loop.Micro[1:]
			if th := w.Catch(f); th != nil {
				t.Fatalf("uncaught in task: %s", DescribeError(th.Value))
			}
			continue
		}
		next := w.Loop.NextTimer()
		if next == nil {
			return
		}
		if d := time.Until(next.Due); d > 0 {
			time.Sleep(d)
		}
		if tm := w.Loop.PopTimer(); tm != nil {
			tm.Fn()
		}
	}
	t.Fatal("event loop did not settle")
}

func global(w *World, name string) Value { return w.GlobalThis.Get(name) }

func TestHandlesKeepIdentity(t *testing.T) {
	w := NewWorld()
	o := w.NewObject()
	h1, h2 := w.Handle(o), w.Handle(o)
	if h1 != h2 {
		t.Error("one object, two handles")
	}
	if w.Value(w.Handle(o)) != o {
		t.Error("handle does not resolve to its object")
	}
	s1, s2, n1, n2 := w.Handle("s"), w.Handle("s"), w.Handle(1.5), w.Handle(1.5)
	if s1 != s2 || n1 != n2 {
		t.Error("strings and numbers should reuse their handles")
	}
	if nan1, nan2 := w.Handle(math.NaN()), w.Handle(math.NaN()); nan1 == nan2 {
		t.Error("NaN must not be deduplicated (NaN !== NaN)")
	}
	for _, c := range []struct {
		v Value
		h uint64
	}{{nil, HandleNull}, {Undefined, HandleUndefined}, {true, HandleTrue}, {false, HandleFalse}} {
		if got := w.Handle(c.v); got != c.h {
			t.Errorf("Handle(%v) = %d, want %d", c.v, got, c.h)
		}
	}
	th := w.Catch(func() { w.Value(123456) })
	if th == nil || !strings.Contains(DescribeError(th.Value), "unknown externref") {
		t.Errorf("a handle never issued must throw, got %v", th)
	}
}

func TestObjectsKeepInsertionOrderAndPrototypes(t *testing.T) {
	w := NewWorld()
	o := w.NewObject()
	for _, k := range []string{"b", "a", "c"} {
		o.Set(k, k)
	}
	o.Delete("a")
	o.Set("a", 1.0)
	if got := strings.Join(o.OwnKeys(), ","); got != "b,c,a" {
		t.Errorf("keys %s", got)
	}
	if w.Get(o, "toString") == Undefined {
		t.Error("Object.prototype methods should be reachable")
	}
	if TypeOf(o) != "object" || TypeOf(w.NewFunc("f", func(Value, []Value) Value { return nil })) != "function" || TypeOf(Undefined) != "undefined" || TypeOf(nil) != "object" {
		t.Error("typeof")
	}
}

func TestArrayBuiltins(t *testing.T) {
	w := NewWorld()
	a := w.NewArray(3.0, 1.0, 2.0)
	w.CallMethod(a, "push", 4.0)
	reversed := w.CallMethod(a, "reverse")
	if joined := w.CallMethod(reversed, "join", "-"); joined != "4-2-1-3" {
		t.Errorf("reverse+join: %v", joined)
	}
	w.CallMethod(a, "reverse")
	doubled := w.CallMethod(a, "map", w.NewFunc("", func(_ Value, args []Value) Value { return ToNumber(args[0]) * 2 }))
	if s, _ := w.JSONStringify(doubled, ""); s != "[6,2,4,8]" {
		t.Errorf("map: %s", s)
	}
	if w.Get(a, "length") != 4.0 {
		t.Errorf("length %v", w.Get(a, "length"))
	}
	isArray := w.Get(global(w, "Array"), "isArray")
	if w.Call(isArray, Undefined, a) != true || w.Call(isArray, Undefined, w.NewObject()) != false {
		t.Error("Array.isArray")
	}
}

func TestMapAndSet(t *testing.T) {
	w := NewWorld()
	m := w.Construct(global(w, "Map"), nil).(*Object)
	w.CallMethod(m, "set", "k", 1.0)
	w.CallMethod(m, "set", 2.0, "two")
	w.CallMethod(m, "set", "k", 3.0) // overwrite keeps position
	if w.Get(m, "size") != 2.0 || w.CallMethod(m, "get", "k") != 3.0 || w.CallMethod(m, "has", 2.0) != true {
		t.Errorf("map: size %v", w.Get(m, "size"))
	}
	var order []string
	w.Iterate(m, func(e Value) { order = append(order, ToString(w.Get(e, "0"))) })
	if strings.Join(order, ",") != "k,2" {
		t.Errorf("map order %v", order)
	}
	s := w.Construct(global(w, "Set"), []Value{w.NewArray("a", "b", "a")})
	if w.Get(s, "size") != 2.0 {
		t.Errorf("set size %v", w.Get(s, "size"))
	}
}

func TestJSONRoundTrip(t *testing.T) {
	w := NewWorld()
	in := `{"a":[1,2.5,"x",true,null],"b":{"c":"é\u2028"},"n":-0}`
	v, err := w.JSONParse(in)
	if err != nil {
		t.Fatal(err)
	}
	out, ok := w.JSONStringify(v, "")
	if !ok {
		t.Fatal("stringify failed")
	}
	if out != `{"a":[1,2.5,"x",true,null],"b":{"c":"é\u2028"},"n":0}` {
		t.Errorf("round trip: %s", out)
	}
	if _, err := w.JSONParse(`{"a":`); err == nil {
		t.Error("truncated JSON must fail")
	}
	if _, ok := w.JSONStringify(Undefined, ""); ok {
		t.Error("JSON.stringify(undefined) is undefined, not a string")
	}
}

func TestPromisesRunReactionsAsMicrotasksInOrder(t *testing.T) {
	w := NewWorld()
	var log []string
	p := w.NewPromise()
	w.OnSettled(p, func(v Value) { log = append(log, "a:"+ToString(v)) }, nil)
	w.OnSettled(p, func(v Value) { log = append(log, "b:"+ToString(v)) }, nil)
	w.ResolvePromise(p, "x")
	if len(log) != 0 {
		t.Fatal("reactions must not run synchronously")
	}
	log = append(log, "sync")
	drain(t, w)
	if got := strings.Join(log, " "); got != "sync a:x b:x" {
		t.Errorf("order: %s", got)
	}

	// A promise resolved with a thenable adopts its state.
	outer, inner := w.NewPromise(), w.NewPromise()
	var got Value
	w.OnSettled(outer, func(v Value) { got = v }, nil)
	w.ResolvePromise(outer, inner)
	drain(t, w)
	if got != nil {
		t.Fatal("outer settled before inner")
	}
	w.ResolvePromise(inner, 7.0)
	drain(t, w)
	if got != 7.0 {
		t.Errorf("adopted value %v", got)
	}

	// Rejections reach the second argument of then.
	r := w.Rejected(w.NewError("RangeError", "too far"))
	var reason Value
	w.OnSettled(r, nil, func(v Value) { reason = v })
	drain(t, w)
	if DescribeError(reason) != "RangeError: too far" {
		t.Errorf("reason %v", DescribeError(reason))
	}
}

func TestTimersFireInDueOrder(t *testing.T) {
	w := NewWorld()
	var log []string
	setTimeout := global(w, "setTimeout")
	for _, c := range []struct {
		name string
		ms   float64
	}{{"late", 20}, {"early", 1}, {"same-1", 5}, {"same-2", 5}} {
		name := c.name
		w.Call(setTimeout, Undefined, w.NewFunc("", func(Value, []Value) Value { log = append(log, name); return Undefined }), c.ms)
	}
	id := w.Call(setTimeout, Undefined, w.NewFunc("", func(Value, []Value) Value { log = append(log, "cleared"); return Undefined }), 2.0)
	w.Call(global(w, "clearTimeout"), Undefined, id)
	drain(t, w)
	if got := strings.Join(log, ","); got != "early,same-1,same-2,late" {
		t.Errorf("timer order %s", got)
	}
}

func TestGoErrorsKeepTheirJSClass(t *testing.T) {
	w := NewWorld()
	for _, c := range []struct {
		err  error
		want string
	}{
		{NewTypeError("bad value"), "TypeError: bad value"},
		{fmt.Errorf("wrapped: %w", NewRangeError("out of range")), "RangeError: out of range"},
		{errors.New("plain"), "Error: plain"},
		{&Throw{Value: "a thrown string"}, "a thrown string"},
	} {
		v := w.ErrorValue(c.err)
		if got := DescribeError(v); got != c.want {
			t.Errorf("%v → %q, want %q", c.err, got, c.want)
		}
		if o, ok := v.(*Object); ok && c.want != "Error: plain" {
			// The object's class is the constructor Python's JsException reports.
			ctor := w.Get(o, "constructor")
			if name := w.Get(ctor, "name"); !strings.HasPrefix(c.want, ToString(name)) {
				t.Errorf("%v: constructor %v", c.err, name)
			}
		}
	}
	th := w.Catch(func() { w.ThrowGo(NewTypeError("thrown")) })
	if th == nil || DescribeError(th.Value) != "TypeError: thrown" {
		t.Errorf("ThrowGo: %v", th)
	}
	// err.name = "X" renames an error, as JS code does to make errors of a kind.
	named := w.NewError("Error", "stop")
	named.Set("name", "NonRetryableError")
	if got := DescribeError(named); got != "NonRetryableError: stop" {
		t.Errorf("renamed error reads %q", got)
	}
	if got := DescribeError(w.NewError("Error", "other")); got != "Error: other" {
		t.Errorf("renaming one error changed another: %q", got)
	}
	// instanceof works against the global constructor.
	e := w.ErrorValue(NewTypeError("x")).(*Object)
	if e.Proto != w.Get(global(w, "TypeError"), "prototype") {
		t.Error("a TypeError's prototype must be TypeError.prototype")
	}
}

func TestStringsAreUTF16ForJS(t *testing.T) {
	w := NewWorld()
	if got := w.Get("a😀", "length"); got != 3.0 {
		t.Errorf("length of a😀 = %v, want 3 UTF-16 units", got)
	}
	for x, want := range map[float64]string{
		1e21: "1e+21", 1e20: "100000000000000000000", 0.1: "0.1", math.Copysign(0, -1): "0",
		0.00001: "0.00001", 1.5e-7: "1.5e-7", -2.5: "-2.5", 123.456: "123.456", 5e-324: "5e-324",
		1.7976931348623157e308: "1.7976931348623157e+308", 42: "42", 1.0 / 3: "0.3333333333333333",
	} {
		if got := NumberToString(x); got != want {
			t.Errorf("String(%g) = %s, want %s", x, got, want)
		}
	}
}

func TestCallingANonFunctionThrowsTypeError(t *testing.T) {
	w := NewWorld()
	th := w.Catch(func() { w.Call(3.0, Undefined) })
	if th == nil || !strings.HasPrefix(DescribeError(th.Value), "TypeError:") {
		t.Errorf("got %v", th)
	}
	th = w.Catch(func() { w.Get(Undefined, "x") })
	if th == nil || !strings.Contains(DescribeError(th.Value), "Cannot read properties of undefined") {
		t.Errorf("got %v", th)
	}
}

// TestMapDeleteLinear (issue 17): deleting from a Map copied the whole Map,
// so hiwire's deduplication Map made a run quadratic in the JS objects it
// created. 200k entries deleted oldest-first and newest-first, and 200k
// short-lived entries deleted among 200k kept ones (kept D1 statements and
// their temporaries), must take well under a second.
func TestMapDeleteLinear(t *testing.T) {
	w := NewWorld()
	const n = 200_000
	start := time.Now()
	for _, order := range []string{"fifo", "lifo", "interleaved"} {
		m := w.NewMap()
		for i := range n {
			m.MapSet(float64(i), float64(i))
			if order == "interleaved" {
				m.MapSet(-float64(i)-1, "temporary")
				if !m.MapDelete(-float64(i) - 1) {
					t.Fatalf("delete of temporary %d failed", i)
				}
			}
		}
		for i := range n {
			k := i
			if order == "lifo" {
				k = n - 1 - i
			}
			if v, ok := m.MapGet(float64(k)); !ok || v != float64(k) {
				t.Fatalf("%s: get %d = %v, %v", order, k, v, ok)
			}
			if !m.MapDelete(float64(k)) {
				t.Fatalf("%s: delete %d failed", order, k)
			}
			if i == n/2 && len(m.MapKeys) != n/2-1 {
				t.Fatalf("%s: %d entries half-way", order, len(m.MapKeys))
			}
		}
		if len(m.MapKeys) != 0 {
			t.Fatalf("%s: %d entries left", order, len(m.MapKeys))
		}
	}
	m := w.NewMap()
	for i := range 10 {
		m.MapSet(float64(i), float64(i))
	}
	m.MapDelete(0.0)
	m.MapDelete(5.0)
	m.MapDelete(9.0)
	m.MapSet(10.0, 10.0)
	if got := fmt.Sprint(m.MapKeys); got != "[1 2 3 4 6 7 8 10]" {
		t.Errorf("keys after deletes = %s", got)
	}
	for _, k := range m.MapKeys {
		if v, _ := m.MapGet(k); v != k {
			t.Errorf("get %v = %v", k, v)
		}
	}
	// Generous for -race on a loaded 2-core VM (3.3 s seen); the quadratic
	// version takes hours at this size.
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Map deletes took %s", d)
	}
}
