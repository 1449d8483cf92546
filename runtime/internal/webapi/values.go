package webapi

import "github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"

// The Web APIs are written against the JS core's value types.
type (
	Value  = js.Value
	Object = js.Object
)

var Undefined = js.Undefined
