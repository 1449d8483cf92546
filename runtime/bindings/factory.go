package bindings

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// build makes the JS object of one binding, or ok=false for kinds this
// package does not simulate (Durable Objects, services, workflows... belong
// to other factories; the rest keep the engine's "not available" error).
func (s *Store) build(r *runtime.Realm, b runtime.Binding) (*runtime.Object, bool) {
	switch b.Kind {
	case "kv_namespaces":
		return s.newKV(r, b), true
	case "d1_databases":
		return s.newD1(r, b), true
	case "r2_buckets":
		return s.newR2(r, b), true
	case "queues", "queues.producers":
		return s.newQueueProducer(r, b), true
	case "vectorize":
		return s.newVectorize(r, b), true
	case "analytics_engine_datasets":
		return s.newAnalytics(r, b), true
	case "ai":
		return s.newAI(r, b), true
	}
	return nil, false
}

// ResourceName is the name the binding's state is kept under: the config's
// resource field (database_name, bucket_name, ...) when the spec carries
// it, else the binding name, so two bindings of one resource share it.
func ResourceName(b runtime.Binding, fields ...string) string {
	for _, f := range fields {
		if v := b.Field(f); v != "" {
			return v
		}
	}
	return b.Name
}

// args gives positional access to a JS call's arguments.
type args struct {
	r *runtime.Realm
	a []runtime.Value
}

func (a args) at(i int) runtime.Value {
	if i < len(a.a) {
		return a.a[i]
	}
	return runtime.Undefined
}

func (a args) present(i int) bool {
	v := a.at(i)
	return v != runtime.Undefined && v != nil
}

// str returns argument i as a string key (a JS string, or a number).
func (a args) str(i int, what string) (string, error) {
	switch v := a.at(i).(type) {
	case string:
		return v, nil
	case float64:
		return fmt.Sprint(v), nil
	}
	return "", fmt.Errorf("%s must be a string", what)
}

// opts returns argument i as an options map (nil when absent).
func (a args) opts(i int) map[string]any {
	m, _ := a.r.ToGo(a.at(i)).(map[string]any)
	return m
}

func optString(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func optNumber(m map[string]any, k string) (float64, bool) {
	switch v := m[k].(type) {
	case float64:
		return v, !math.IsNaN(v)
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

func optBool(m map[string]any, k string) bool {
	b, _ := m[k].(bool)
	return b
}

// randomHex returns n random bytes as hex (ids, versions, cursors).
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// jsonText encodes Go data as JSON ("null" on failure).
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// fromJSONText decodes JSON into Go data (nil when empty or invalid).
func fromJSONText(s string) any {
	if s == "" {
		return nil
	}
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return nil
	}
	return v
}

// async defines an async method whose errors reject the promise.
func async(r *runtime.Realm, o *runtime.Object, name string, fn func(a args) (runtime.Value, error)) {
	r.AsyncMethod(o, name, func(v []runtime.Value) (runtime.Value, error) { return fn(args{r, v}) })
}

// asyncPromise defines an async method that builds its own promise (for
// arguments that must be read asynchronously, such as streams).
func asyncPromise(r *runtime.Realm, o *runtime.Object, name string, fn func(a args) runtime.Value) {
	r.Method(o, name, func(v []runtime.Value) (runtime.Value, error) { return fn(args{r, v}), nil })
}

// sync defines a synchronous method; errors are thrown.
func syncMethod(r *runtime.Realm, o *runtime.Object, name string, fn func(a args) (runtime.Value, error)) {
	r.Method(o, name, func(v []runtime.Value) (runtime.Value, error) { return fn(args{r, v}) })
}
