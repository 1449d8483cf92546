package runtime

import "github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"

// The JS value types are the JS core's; the aliases keep the names the
// bindings packages use (runtime.Value, *runtime.Object, runtime.Undefined).
type (
	Value  = js.Value
	Object = js.Object
)

// Undefined is JS undefined.
var Undefined = js.Undefined

// JSError is a Go error that reaches JS (and Python) as an error of its own
// class: return &runtime.JSError{Name: "TypeError", Message: "…"} from a
// binding method and Python sees TypeError, not Error.
type JSError = js.Error

// NewTypeError and NewRangeError are JSErrors of those classes.
var (
	NewTypeError  = js.NewTypeError
	NewRangeError = js.NewRangeError
)
