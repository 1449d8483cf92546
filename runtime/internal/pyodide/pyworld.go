package pyodide

import (
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/webapi"
)

// world is a JS heap as the Pyodide layer sees it: the heap itself plus what
// ties it to one interpreter instance and one run.
type World struct {
	*js.World
	*webapi.Web
	Inst         *Instance // the wasm instance this world belongs to
	dedup        *Object   // hiwire's deduplication Map
	pyproxyProto *Object
	Roots        *Object // named objects Python can reach: snapshot paths start here

	// run is the Workers layer's record of the run this world serves (nil
	// while booting or snapshotting); the Pyodide layer only carries it.
	Run any
}

// pyOf is the Python object behind a PyProxy (nil for other objects).
func PyOf(o *Object) *PyProxy {
	p, _ := o.PyProxy.(*PyProxy)
	return p
}

// The Pyodide layer is written against the JS core's value types.
type (
	Value  = js.Value
	Object = js.Object
)

var Undefined = js.Undefined
