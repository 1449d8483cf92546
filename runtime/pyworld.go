package runtime

// world is a JS heap as the Pyodide layer sees it: the heap itself plus what
// ties it to one interpreter instance and one run.
type world struct {
	*World
	inst         *instance // the wasm instance this world belongs to
	dedup        *Object   // hiwire's deduplication Map
	pyproxyProto *Object
	roots        *Object // named objects Python can reach: snapshot paths start here

	run *runInfo // the run this world serves (nil while booting or snapshotting)
}

// pyOf is the Python object behind a PyProxy (nil for other objects).
func pyOf(o *Object) *pyProxy {
	p, _ := o.PyProxy.(*pyProxy)
	return p
}
