package runtime

import (
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/webapi"
)

// world is a JS heap as the Pyodide layer sees it: the heap itself plus what
// ties it to one interpreter instance and one run.
type world struct {
	*js.World
	*webapi.Web
	inst         *instance // the wasm instance this world belongs to
	dedup        *Object   // hiwire's deduplication Map
	pyproxyProto *Object
	roots        *Object // named objects Python can reach: snapshot paths start here

	// run is the Workers layer's record of the run this world serves (nil
	// while booting or snapshotting); the Pyodide layer only carries it.
	run any
}

// pyOf is the Python object behind a PyProxy (nil for other objects).
func pyOf(o *Object) *pyProxy {
	p, _ := o.PyProxy.(*pyProxy)
	return p
}

// The JS value types are the JS core's; the aliases keep the names the
// bindings packages use (runtime.Value, *runtime.Object, runtime.Undefined).
type (
	Value  = js.Value
	Object = js.Object
)

// Undefined is JS undefined.
var Undefined = js.Undefined
