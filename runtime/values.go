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
