package pyodide

// Interpreter start-up (what Pyodide's loadPyodide/finalizeBootstrap do in JS)
// and memory snapshots, so each run restores a ready interpreter instead of
// paying for CPython's start and stdlib imports.

import (
	"context"
	"errors"
	"fmt"
	"path"
	stdruntime "runtime"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/memfs"
	"github.com/tetratelabs/wazero/api"
)

func numCPU() int { return stdruntime.NumCPU() }

// Where things live in the interpreter's file system.
const (
	stdlibZip        = "/lib/python313.zip"
	SitePackages     = "/lib/python3.13/site-packages"
	WorkerRoot       = "/session/metadata"       // the folder of the Worker's main module
	PythonModulesDir = "/session/python_modules" // the project's vendored packages
	BuiltinSDKDir    = "/lib/pyworkers/sdk"      // the built-in workers SDK
)

// preloadModules are imported before the snapshot so handlers do not pay to
// compile them from source (the stdlib zip has no .pyc files).
var preloadModules = []string{
	"asyncio", "json", "re", "base64", "hashlib", "hmac", "random", "uuid", "datetime", "time",
	"urllib.parse", "http", "http.cookies", "email.message", "email.utils", "dataclasses", "typing",
	"enum", "functools", "inspect", "collections", "traceback", "math", "string", "textwrap",
	"decimal", "fractions", "io", "contextlib", "copy", "itertools", "operator", "secrets", "struct",
	"zlib", "binascii", "html", "abc", "types", "weakref", "warnings", "logging", "pathlib",
	"pyodide", "pyodide.ffi", "pyodide.http", "pyodide.code", "pyodide.webloop",
}

// newFS lays out the interpreter's file system.
func (h *Host) NewFS() *memfs.FS {
	fs := memfs.New()
	fs.MkdirAll("/tmp")
	fs.MkdirAll("/home/pyodide")
	fs.AddDevices()
	fs.MkdirAll(SitePackages)
	fs.MkdirAll(WorkerRoot)
	fs.MkdirAll(PythonModulesDir)
	fs.WriteFile(stdlibZip, h.stdlib)
	for p, src := range h.files {
		fs.MkdirAll(path.Dir(p))
		fs.WriteFile(p, src)
	}
	fs.Cwd = "/home/pyodide"
	return fs
}

// boot starts CPython and Pyodide's core in a fresh instance, then imports
// setupPython (e.g. the workers SDK) on top.
func (h *Host) Boot(ctx context.Context, w *World, fs *memfs.FS, memLimit uint64, setupPython string) (*Instance, error) {
	inst, err := h.newInstance(ctx, w, fs, memLimit)
	if err != nil {
		return nil, err
	}
	err = inst.Protect(func() {
		argv := inst.malloc(8)
		inst.mem.WriteUint32Le(argv, inst.cString("python"))
		inst.mem.WriteUint32Le(argv+4, 0)
		if rc := inst.call("__main_argc_argv", 1, uint64(argv)); rc != 0 {
			panic(fmt.Errorf("python main() returned %d", int32(rc)))
		}
		if !inst.RunPython("import _pyodide_core") {
			panic(errors.New("import _pyodide_core failed: " + inst.StderrTail()))
		}
		inst.setMainAttr("_pyworkers_roots", w.Roots)
		src := `
from _pyodide._importhook import register_js_module, register_js_finder
register_js_finder()
for _name in ("js", "pyodide_js", "_pyodide_entrypoint_helper", "_cloudflare_compat_flags", "_pyworkers_host"):
    register_js_module(_name, getattr(_pyworkers_roots, _name))
del _name, _pyworkers_roots, register_js_module, register_js_finder
import sys
sys.path[:0] = [` + QuotePy(WorkerRoot) + `, ` + QuotePy(PythonModulesDir) + `]

class _PyodidePackageFinder:
    """Last on sys.meta_path: a top-level module nothing else found may be
    one of Pyodide's own packages, which the host installs."""
    @staticmethod
    def find_spec(name, path=None, target=None):
        if path is not None or "." in name:
            return None
        import _pyworkers_host
        install = getattr(_pyworkers_host, "install_package", None)
        res = install(name) if install is not None else ""
        if not res:
            return None
        if res.startswith("error:"):
            raise ImportError(res[6:], name=name)
        if res.startswith("missing:"):
            raise ModuleNotFoundError(res[8:], name=name)
        import importlib.machinery
        dirs = res[3:].split("\0")
        for d in dirs:
            if d not in sys.path:
                sys.path.append(d)
        return importlib.machinery.PathFinder.find_spec(name, dirs)

sys.meta_path.append(_PyodidePackageFinder)
del _PyodidePackageFinder
import ` + strings.Join(preloadModules, ", ") + `
import _pyworkers_runner
`
		if !inst.RunPython(src) {
			panic(errors.New("pyodide bootstrap failed: " + inst.StderrTail()))
		}
		if setupPython != "" && !inst.RunPython(setupPython) {
			panic(&SetupError{inst.StderrTail()})
		}
	})
	if err != nil {
		inst.Close()
		return nil, err
	}
	return inst, nil
}

// setupError is a failure of the SDK import that a snapshot bakes in.
type SetupError struct{ Traceback string }

func (e *SetupError) Error() string { return "importing the workers SDK failed:\n" + e.Traceback }

func (inst *Instance) StderrTail() string {
	s := inst.stderr.String()
	if len(s) > 4000 {
		s = s[len(s)-4000:]
	}
	return strings.TrimSpace(s)
}

func QuotePy(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// ---- snapshots

// refDesc describes one JS value held by the interpreter so a new world can
// supply the equivalent value: a primitive, or a path of property names
// from the world's roots.
type refDesc struct {
	isPath bool
	path   []string
	prim   Value
}

type Snapshot struct {
	Memory   []byte
	sp       uint64
	hiwire   []refDesc
	immortal []refDesc
	dedup    []dedupEntry
	// Side modules loaded before the snapshot (dylink.go), put back at the
	// same bases before the memory is written.
	dylibs    []DylibRecord
	slots     []slotRecord
	tableSize uint32
}

type dedupEntry struct {
	key  refDesc
	slot float64
}

// pathsFrom maps every object reachable from root by own properties (and
// prototype links) to its path.
func pathsFrom(root *Object) map[*Object][]string {
	paths := map[*Object][]string{root: nil}
	queue := []*Object{root}
	for len(queue) > 0 {
		o := queue[0]
		queue = queue[1:]
		visit := func(k string, v Value) {
			c, ok := v.(*Object)
			if !ok {
				return
			}
			if _, seen := paths[c]; seen {
				return
			}
			p := append(append([]string{}, paths[o]...), k)
			paths[c] = p
			queue = append(queue, c)
		}
		for _, k := range o.Keys {
			visit(k, o.Props[k])
		}
		if o.Proto != nil {
			visit("@proto", o.Proto)
		}
	}
	return paths
}

func (w *World) resolvePath(p []string) (Value, bool) {
	var cur Value = w.Roots
	for _, k := range p {
		o, ok := cur.(*Object)
		if !ok {
			return nil, false
		}
		if k == "@proto" {
			if o.Proto == nil {
				return nil, false
			}
			cur = o.Proto
			continue
		}
		v, ok := o.Props[k]
		if !ok {
			return nil, false
		}
		cur = v
	}
	return cur, true
}

func describe(w *World, paths map[*Object][]string, v Value) (refDesc, error) {
	o, ok := v.(*Object)
	if !ok {
		return refDesc{prim: v}, nil
	}
	switch o {
	case w.NoValue:
		return refDesc{isPath: true, path: []string{"@novalue"}}, nil
	case w.ErrSentinel:
		return refDesc{isPath: true, path: []string{"@error"}}, nil
	case w.dedup:
		return refDesc{isPath: true, path: []string{"@dedup"}}, nil
	}
	p, ok := paths[o]
	if !ok {
		return refDesc{}, fmt.Errorf("the interpreter holds a JS %s that a new world cannot recreate", o.Class)
	}
	return refDesc{isPath: true, path: p}, nil
}

func (w *World) materialize(d refDesc) (Value, error) {
	if !d.isPath {
		return d.prim, nil
	}
	if len(d.path) == 1 {
		switch d.path[0] {
		case "@novalue":
			return w.NoValue, nil
		case "@error":
			return w.ErrSentinel, nil
		case "@dedup":
			return w.dedup, nil
		}
	}
	v, ok := w.resolvePath(d.path)
	if !ok {
		return nil, fmt.Errorf("snapshot refers to %s, which this world lacks", strings.Join(d.path, "."))
	}
	return v, nil
}

// tryCall calls an export, reporting a trap as ok=false.
func (inst *Instance) tryCall(name string, args ...uint64) (r uint64, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return inst.call(name, args...), true
}

// capture takes a snapshot of an idle instance.
func (inst *Instance) Capture() (*Snapshot, error) {
	w := inst.World
	if w.Loop.Pending() {
		return nil, errors.New("cannot snapshot: the event loop has pending work")
	}
	snap := &Snapshot{sp: inst.env().ExportedGlobal("__stack_pointer").Get()}
	snap.dylibs, snap.slots, snap.tableSize = inst.dylibRecords()
	b, _ := inst.mem.Read(0, inst.mem.Size())
	snap.Memory = append([]byte(nil), b...)
	paths := pathsFrom(w.Roots)
	n, ok := inst.tryCall("hiwire_num_refs")
	if !ok {
		return nil, errors.New("cannot snapshot: hiwire_num_refs failed")
	}
	for i := uint64(0); i < n+64; i++ {
		h, ok := inst.tryCall("_hiwire_get", i)
		if !ok {
			break
		}
		d, err := describe(w, paths, w.Value(h))
		if err != nil {
			return nil, fmt.Errorf("hiwire slot %d: %w", i, err)
		}
		snap.hiwire = append(snap.hiwire, d)
	}
	for i := uint64(0); i < 1<<16; i++ {
		h, ok := inst.tryCall("_hiwire_immortal_get", i)
		if !ok {
			break
		}
		v := w.Value(h)
		d, err := describe(w, paths, v)
		if err != nil {
			return nil, fmt.Errorf("immortal ref %d: %w", i, err)
		}
		snap.immortal = append(snap.immortal, d)
	}
	if w.dedup != nil {
		for i, k := range w.dedup.MapKeys {
			d, err := describe(w, paths, k)
			if err != nil {
				continue // a dedup entry we cannot recreate only costs deduplication
			}
			snap.dedup = append(snap.dedup, dedupEntry{key: d, slot: js.ToNumber(w.dedup.MapVals[i])})
		}
	}
	return snap, nil
}

// SnapshotNativeError: a side module the snapshot had loaded cannot be put
// back (its file is gone or changed): the snapshot is stale.
type SnapshotNativeError struct{ Err error }

func (e *SnapshotNativeError) Error() string {
	return "restoring the snapshot's native modules: " + e.Err.Error()
}

func (e *SnapshotNativeError) Unwrap() error { return e.Err }

// restore builds an instance from a snapshot inside the given (fresh) world.
func (h *Host) Restore(ctx context.Context, snap *Snapshot, w *World, fs *memfs.FS, memLimit uint64) (*Instance, error) {
	if uint64(len(snap.Memory)) > memLimit {
		return nil, fmt.Errorf("memory limit %d MiB is below the interpreter's %d MiB", memLimit>>20, len(snap.Memory)>>20)
	}
	inst, err := h.newInstance(ctx, w, fs, memLimit)
	if err != nil {
		return nil, err
	}
	err = inst.Protect(func() {
		if cur := inst.mem.Size(); uint32(len(snap.Memory)) > cur {
			if _, ok := inst.mem.Grow((uint32(len(snap.Memory)) - cur) / 65536); !ok {
				panic(errors.New("cannot grow memory to the snapshot's size"))
			}
		}
		if err := inst.relink(snap.dylibs, snap.slots, snap.tableSize); err != nil {
			panic(&SnapshotNativeError{err})
		}
		inst.mem.Write(0, snap.Memory)
		inst.env().ExportedGlobal("__stack_pointer").(api.MutableGlobal).Set(snap.sp)
		inst.call("emscripten_stack_init")
		inst.call("jslib_init")
		inst.call("init_pyodide_proxy")
		for i, d := range snap.hiwire {
			v, err := w.materialize(d)
			if err != nil {
				panic(err)
			}
			inst.call("_hiwire_set", uint64(i), w.Handle(v))
		}
		have := 0
		for ; have < len(snap.immortal); have++ {
			if _, ok := inst.tryCall("_hiwire_immortal_get", uint64(have)); !ok {
				break
			}
		}
		for _, d := range snap.immortal[have:] {
			v, err := w.materialize(d)
			if err != nil {
				panic(err)
			}
			inst.call("_hiwire_immortal_add", w.Handle(v))
		}
		if w.dedup != nil {
			for _, e := range snap.dedup {
				if k, err := w.materialize(e.key); err == nil {
					w.dedup.MapSet(k, e.slot)
				}
			}
		}
	})
	if err != nil {
		inst.Close()
		return nil, fmt.Errorf("restoring the interpreter snapshot: %w", err)
	}
	return inst, nil
}

// Materializable checks, without an interpreter, that every JS value the
// snapshot holds can be recreated in w: what a snapshot written by another
// build of the runtime may fail (it names JS objects this build lacks).
func (snap *Snapshot) Materializable(w *World) error {
	for _, d := range snap.hiwire {
		if _, err := w.materialize(d); err != nil {
			return err
		}
	}
	for _, d := range snap.immortal {
		if _, err := w.materialize(d); err != nil {
			return err
		}
	}
	return nil
}
