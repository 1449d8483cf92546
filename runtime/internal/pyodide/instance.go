package pyodide

// host owns what is shared by every interpreter instance: the wazero runtime,
// the compiled Pyodide module and the host modules. instance is one
// interpreter: its linear memory, its JS world and its file system.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/memfs"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/wasmgen"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Artifacts are the files the build script produces.
type Artifacts struct {
	Dir       string
	Wasm      string // pyodide.asm.wasm translated to exnref
	Stdlib    string // python_stdlib.zip
	LoaderJS  string // pyodide.asm.js: layout constants are read from it
	LockFile  string // pyodide-lock.json
	Checksums string
	SDK       string // the unpacked workers-runtime-sdk (holding workers/), "" when absent
	// CPythonModules holds the runtime's own builds of Pyodide's
	// cpython_module packages (runtime/artifacts/cpython), "" when absent.
	CPythonModules string
}

type Host struct {
	rt       wazero.Runtime
	main     wazero.CompiledModule
	layout   *layout
	stdlib   []byte
	files    map[string][]byte // laid into every interpreter's file system, by absolute path
	environ  []string
	imports  []wasmgen.Import
	gotMem   wazero.CompiledModule
	gotFunc  wazero.CompiledModule
	countMod wazero.CompiledModule

	envMu  sync.Mutex
	envMod map[uint32]wazero.CompiledModule // by maximum memory pages

	countArgsSlot uint32
	argCounts     sync.Map // main table slot → number of i32 params

	mainSlots       map[string]uint32 // exported function → its slot in the main module's element segments
	mainFuncImports []funcImport      // the main module's imported functions, in order
	growerMod       wazero.CompiledModule
	onceMu          sync.Mutex
	onceMods        map[[32]byte]wazero.CompiledModule // side modules and their glue, by sha256 (compileOnce)
	cacheDir        string                             // wazero's compilation cache, "" for none
	// Progress, if set, is told before a large side module is compiled for
	// the first time (seconds for a multi-MB one), and when it is done.
	Progress func(msg string)
	memory   memPool
	seq      atomic.Int64
}

type instanceKey struct{}

func instanceFrom(ctx context.Context) *Instance { return ctx.Value(instanceKey{}).(*Instance) }

// newHost compiles (or loads from the compilation cache) the Pyodide module.
func NewHost(ctx context.Context, art *Artifacts, cacheDir string, files map[string][]byte) (*Host, error) {
	l, err := readLayout(art.LoaderJS)
	if err != nil {
		return nil, err
	}
	bin, err := os.ReadFile(art.Wasm)
	if err != nil {
		return nil, err
	}
	stdlib, err := os.ReadFile(art.Stdlib)
	if err != nil {
		return nil, err
	}
	imports, err := wasmgen.ParseImports(bin)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", art.Wasm, err)
	}
	cfg := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling |
			experimental.CoreFeaturesTailCall | experimental.CoreFeaturesExtendedConst).
		WithCloseOnContextDone(true)
	if cacheDir != "" {
		if err := os.MkdirAll(cacheDir, 0o755); err == nil {
			if cache, err := wazero.NewCompilationCacheWithDir(cacheDir); err == nil {
				cfg = cfg.WithCompilationCache(cache)
			}
		}
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	h := &Host{rt: rt, cacheDir: cacheDir, layout: l, stdlib: stdlib, files: files, imports: imports, envMod: map[uint32]wazero.CompiledModule{},
		countArgsSlot: l.tableSize, onceMods: map[[32]byte]wazero.CompiledModule{}}
	if err := h.readMainSlots(bin); err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("%s: %w", art.Wasm, err)
	}
	h.environ = []string{"USER=web_user", "LOGNAME=web_user", "PATH=/", "PWD=/", "HOME=/home/pyodide",
		"LANG=C.UTF-8", "_=./this.program", "PYTHONHOME=/", "PYTHONDONTWRITEBYTECODE=1", "PYTHON_COLORS=0",
		"PYTHONHASHSEED=0"}
	compileCtx := experimental.WithCompilationWorkers(ctx, max(1, numCPU()))
	h.main, err = rt.CompileModule(compileCtx, bin)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("compiling %s: %w", art.Wasm, err)
	}
	if err := h.instantiateHostModules(ctx); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	if err := h.compileGlue(ctx); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	return h, nil
}

func (h *Host) Close(ctx context.Context) { h.rt.Close(ctx) }

// instantiateHostModules defines the Go functions the main module imports:
// "envhost" (re-exported by the generated env module), WASI and sentinel.
func (h *Host) instantiateHostModules(ctx context.Context) error {
	impls := map[string]hostFunc{}
	for _, set := range []map[string]hostFunc{emscriptenImports(), ffiImports()} {
		for k, v := range set {
			impls[k] = v
		}
	}
	wasi := wasiImports()
	envhost := h.rt.NewHostModuleBuilder("envhost")
	wasiB := h.rt.NewHostModuleBuilder("wasi_snapshot_preview1")
	sentinel := h.rt.NewHostModuleBuilder("sentinel")
	for _, fd := range h.mainFuncImports {
		module, name := fd.module, fd.name
		params, results := fd.params, fd.results
		var impl hostFunc
		switch module {
		case "env":
			impl = impls[name]
		case "wasi_snapshot_preview1":
			impl = wasi[name]
		case "sentinel":
			switch name {
			case "create_sentinel":
				impl = func(inst *Instance, s []uint64) { s[0] = js.HandleError }
			case "is_sentinel":
				impl = func(inst *Instance, s []uint64) { s[0] = b2u(s[0] == js.HandleError) }
			}
		default:
			return fmt.Errorf("unexpected import module %q", module)
		}
		if impl == nil {
			impl = unimplemented(module+"."+name, results)
		}
		gf := goFunc(impl)
		switch module {
		case "env":
			envhost.NewFunctionBuilder().WithGoModuleFunction(gf, params, results).Export(name)
		case "wasi_snapshot_preview1":
			wasiB.NewFunctionBuilder().WithGoModuleFunction(gf, params, results).Export(name)
		default:
			sentinel.NewFunctionBuilder().WithGoModuleFunction(gf, params, results).Export(name)
		}
	}
	for _, b := range []wazero.HostModuleBuilder{envhost, wasiB, sentinel} {
		if _, err := b.Instantiate(ctx); err != nil {
			return err
		}
	}
	_, err := h.rt.NewHostModuleBuilder("countargs_host").NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(hostCountArgs), i32Types(1), i32Types(1)).Export("count").Instantiate(ctx)
	return err
}

func goFunc(impl hostFunc) api.GoModuleFunc {
	return func(ctx context.Context, _ api.Module, s []uint64) { impl(instanceFrom(ctx), s) }
}

// unimplemented answers imports nothing on the supported paths calls:
// syscalls fail with ENOSYS, everything else returns zero.
func unimplemented(name string, results []api.ValueType) hostFunc {
	isSyscall := len(name) > 14 && name[:14] == "env.__syscall_"
	return func(inst *Instance, s []uint64) {
		inst.logDebug("unimplemented import called", "import", name)
		if len(results) > 0 {
			s[0] = 0
			if isSyscall {
				s[0] = neg(memfs.ENOSYS)
			}
		}
	}
}

// compileGlue compiles the small generated modules once.
func (h *Host) compileGlue(ctx context.Context) error {
	var gm, gf = wasmgen.NewBuilder(), wasmgen.NewBuilder()
	for _, imp := range h.imports {
		switch imp.Module {
		case "GOT.mem":
			v := map[string]uint32{"__heap_base": h.layout.heapBase, "__stack_high": h.layout.stackHigh, "__stack_low": h.layout.stackLow}[imp.Name]
			gm.Export(imp.Name, 3, gm.GlobalI32(true, int32(v)))
		case "GOT.func":
			// Every GOT.func entry names a JS-only symbol nothing on our paths
			// calls (emscripten_gl*, console helpers): leave them null.
			gf.Export(imp.Name, 3, gf.GlobalI32(true, 0))
		}
	}
	cm := wasmgen.NewBuilder()
	cm.ImportTable("env", "__indirect_function_table", h.layout.tableSize+1)
	count := cm.ImportFunc("countargs_host", "count", i32Types(1), i32Types(1))
	cm.Elem(int32(h.countArgsSlot), count)
	g := wasmgen.NewBuilder()
	g.ImportTable("env", "__indirect_function_table", 0)
	// grow(n) → old size: table.grow with null refs (-1 when it cannot).
	g.Export("grow", 0, g.Func(i32Types(1), i32Types(1), []byte{0, 0xd0, 0x70, 0x20, 0, 0xfc, 0x0f, 0, 0x0b}))
	var err error
	if h.growerMod, err = h.rt.CompileModule(ctx, g.Bytes()); err != nil {
		return fmt.Errorf("table grower module: %w", err)
	}
	if h.gotMem, err = h.rt.CompileModule(ctx, gm.Bytes()); err != nil {
		return fmt.Errorf("GOT.mem module: %w", err)
	}
	if h.gotFunc, err = h.rt.CompileModule(ctx, gf.Bytes()); err != nil {
		return fmt.Errorf("GOT.func module: %w", err)
	}
	if h.countMod, err = h.rt.CompileModule(ctx, cm.Bytes()); err != nil {
		return fmt.Errorf("count-args module: %w", err)
	}
	return nil
}

// envModule returns the compiled "env" module whose memory may grow to maxPages.
func (h *Host) envModule(ctx context.Context, maxPages uint32) (wazero.CompiledModule, error) {
	h.envMu.Lock()
	defer h.envMu.Unlock()
	if m, ok := h.envMod[maxPages]; ok {
		return m, nil
	}
	b := wasmgen.NewBuilder()
	var exports []func()
	for _, fd := range h.mainFuncImports {
		module, name := fd.module, fd.name
		if module != "env" {
			continue
		}
		idx := b.ImportFunc("envhost", name, fd.params, fd.results)
		exports = append(exports, func() { b.Export(name, 0, idx) })
	}
	for _, e := range exports {
		e()
	}
	b.Export("memory", 2, b.Memory(h.layout.initialPages, maxPages))
	b.Export("__indirect_function_table", 1, b.Table(h.layout.tableSize+1))
	b.Export("__memory_base", 3, b.GlobalI32(false, int32(h.layout.memoryBase)))
	b.Export("__stack_pointer", 3, b.GlobalI32(true, int32(h.layout.stackPointer)))
	b.Export("__table_base", 3, b.GlobalI32(false, int32(h.layout.tableBase)))
	b.Export("__cpp_exception", 4, b.Tag(i32Types(1)))
	b.Export("__c_longjmp", 4, b.Tag(i32Types(1)))
	m, err := h.rt.CompileModule(ctx, b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("env module: %w", err)
	}
	h.envMod[maxPages] = m
	return m, nil
}

// instance is one Pyodide interpreter.
type Instance struct {
	host *Host
	ctx  context.Context
	// nestedCtx is ctx without its cancellation, for calls made while
	// another call into this instance is running (from a host function):
	// wazero starts a goroutine per call to watch a cancellable context,
	// and the outermost call's watcher already closes the module when the
	// run is cancelled. FFI conversions make thousands of such calls.
	nestedCtx context.Context
	callDepth int
	// jsonLoadsFn is Python's json.loads, for the to_py fast path.
	jsonLoadsFn uint64
	mod         api.Module
	modules     []api.Module   // everything instantiated for this instance, closed together
	seq         string         // this instance's suffix in module names
	dl          *dylinker      // loaded side modules (dylink.go)
	libDirs     []string       // where needed libraries are also looked for
	argCounts   map[uint32]int // countArgs for slots past the main table
	mem         api.Memory
	World       *World
	fs          *memfs.FS
	started     time.Time

	memLimit    uint64
	MemLimitHit bool
	// SocketTried names the first socket call of the run ("getaddrinfo",
	// "socket", "connect"), or is "".
	SocketTried string
	hs          handleSweep // handles.go

	pool         map[string][]api.Function
	pendingThrow *js.Throw
	formatB      uint32

	stdout, stderr bytes.Buffer
	stderrCapture  []byte // non-nil while wrap_exception captures fd 2
	syncifyError   Value  // the rejection a run_sync wait ended with, until Python takes it
	OnOutput       func(stream string, line string)
	debug          func(msg string, args ...any)
}

func (inst *Instance) noteSocket(call string) {
	if inst.SocketTried == "" {
		inst.SocketTried = call
	}
}

// newInstance instantiates the module and its glue, runs the constructors,
// and leaves the interpreter uninitialised (boot or restore comes next).
func (h *Host) newInstance(ctx context.Context, w *World, fs *memfs.FS, memLimit uint64) (*Instance, error) {
	maxPages := uint32(min(memLimit/65536, 65536))
	envCM, err := h.envModule(ctx, maxPages)
	if err != nil {
		return nil, err
	}
	inst := &Instance{host: h, World: w, fs: fs, started: time.Now(), memLimit: uint64(maxPages) * 65536,
		pool: map[string][]api.Function{}}
	w.Inst = inst
	inst.installMemoryHooks()
	inst.ctx = context.WithValue(ctx, instanceKey{}, inst)
	inst.nestedCtx = context.WithoutCancel(inst.ctx)
	n := strconv.FormatInt(h.seq.Add(1), 10)
	inst.seq = n
	named := map[string]api.Module{}
	resolverCtx := experimental.WithImportResolver(inst.ctx, func(name string) api.Module { return named[name] })
	resolverCtx = experimental.WithMemoryAllocator(resolverCtx, &h.memory)
	for _, step := range []struct {
		name string
		cm   wazero.CompiledModule
	}{{"env", envCM}, {"GOT.mem", h.gotMem}, {"GOT.func", h.gotFunc}, {"countargs", h.countMod}} {
		m, err := h.rt.InstantiateModule(resolverCtx, step.cm, wazero.NewModuleConfig().WithName(step.name+"#"+n))
		if err != nil {
			inst.Close()
			return nil, fmt.Errorf("instantiating %s: %w", step.name, err)
		}
		named[step.name] = m
		inst.modules = append(inst.modules, m)
	}
	inst.mem = named["env"].ExportedMemory("memory")
	mod, err := h.rt.InstantiateModule(resolverCtx, h.main, wazero.NewModuleConfig().WithName("pyodide#"+n).WithStartFunctions())
	if err != nil {
		inst.Close()
		return nil, fmt.Errorf("instantiating pyodide: %w", err)
	}
	inst.mod = mod
	inst.modules = append(inst.modules, mod)
	if err := inst.Protect(func() {
		inst.call("__wasm_apply_data_relocs")
		inst.call("__wasm_call_ctors")
	}); err != nil {
		inst.Close()
		return nil, err
	}
	return inst, nil
}

func (inst *Instance) Close() {
	ctx := context.Background()
	for i := len(inst.modules) - 1; i >= 0; i-- {
		inst.modules[i].Close(ctx)
	}
	inst.modules = nil
}

func (inst *Instance) env() api.Module { return inst.modules[0] }

// call calls an export. api.Function values are pooled, never shared by two
// active frames: wazero's call engines are not re-entrant.
func (inst *Instance) call(name string, args ...uint64) uint64 {
	pool := inst.pool[name]
	var f api.Function
	if n := len(pool); n > 0 {
		f = pool[n-1]
		inst.pool[name] = pool[:n-1]
	} else {
		f = inst.mod.ExportedFunction(name)
		if f == nil {
			panic(&abortError{"pyodide has no export " + name})
		}
	}
	callCtx := inst.ctx
	if inst.callDepth > 0 {
		callCtx = inst.nestedCtx
	}
	inst.callDepth++
	res, err := f.Call(callCtx, args...)
	inst.callDepth--
	inst.pool[name] = append(inst.pool[name], f)
	if err != nil {
		if t := inst.pendingThrow; t != nil { // a JS throw unwound wasm frames (JsvError_Throw)
			inst.pendingThrow = nil
			panic(t)
		}
		panic(&wasmError{name: name, err: err})
	}
	if len(res) > 0 {
		return res[0]
	}
	return 0
}

// wasmError is a trap or host failure inside a wasm call: the instance is
// unusable afterwards.
type wasmError struct {
	name string
	err  error
}

func (e *wasmError) Error() string { return fmt.Sprintf("wasm call %s: %v", e.name, e.err) }
func (e *wasmError) Unwrap() error { return e.err }

// protect runs f and turns any panic (trap, abort, exit, uncaught JS throw)
// into an error, so nothing inside the interpreter can crash the host.
func (inst *Instance) Protect(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			switch x := r.(type) {
			case error:
				err = x
			default:
				err = fmt.Errorf("pyworkers runtime: %v", x)
			}
			var we *wasmError
			if errors.As(err, &we) {
				err = we.unwrapHost()
			}
		}
	}()
	f()
	return nil
}

// unwrapHost digs the original Go panic value out of wazero's wrapping.
func (e *wasmError) unwrapHost() error {
	var ex *ExitError
	var ab *abortError
	var th *js.Throw
	switch {
	case errors.As(e.err, &ex):
		return ex
	case errors.As(e.err, &ab):
		return ab
	case errors.As(e.err, &th):
		return th
	}
	return e
}

// ---- memory helpers

func (inst *Instance) cstr(p uint32) string {
	if p == 0 {
		return ""
	}
	var b []byte
	for {
		c, ok := inst.mem.ReadByte(p)
		if !ok || c == 0 {
			return string(b)
		}
		b = append(b, c)
		p++
	}
}

func (inst *Instance) malloc(n uint32) uint32 {
	p := uint32(inst.call("malloc", uint64(n)))
	if p == 0 {
		panic(&js.Throw{Value: inst.World.NewError("RangeError", "out of memory")})
	}
	return p
}

func (inst *Instance) cString(s string) uint32 {
	p := inst.malloc(uint32(len(s) + 1))
	inst.mem.Write(p, append([]byte(s), 0))
	return p
}

// ---- output

func (inst *Instance) writeStdout(b []byte) { inst.emit("stdout", &inst.stdout, b) }

func (inst *Instance) WriteStderr(b []byte) {
	if inst.stderrCapture != nil {
		inst.stderrCapture = append(inst.stderrCapture, b...)
		return
	}
	inst.emit("stderr", &inst.stderr, b)
}

// emit buffers partial lines and reports complete ones.
func (inst *Instance) emit(stream string, buf *bytes.Buffer, b []byte) {
	buf.Write(b)
	if inst.OnOutput == nil {
		return // kept for stderrTail (boot and snapshot errors)
	}
	for {
		i := bytes.IndexByte(buf.Bytes(), '\n')
		if i < 0 {
			return
		}
		line := string(buf.Next(i + 1))
		inst.OnOutput(stream, line[:len(line)-1])
	}
}

func (inst *Instance) FlushOutput() {
	for _, s := range []struct {
		name string
		buf  *bytes.Buffer
	}{{"stdout", &inst.stdout}, {"stderr", &inst.stderr}} {
		if s.buf.Len() > 0 && inst.OnOutput != nil {
			inst.OnOutput(s.name, s.buf.String())
		}
		s.buf.Reset()
	}
}

func (inst *Instance) logDebug(msg string, args ...any) {
	if inst.debug != nil {
		inst.debug(msg, args...)
	}
}

// runPython runs source in __main__; ok=false when it raised (the traceback
// went to stderr).
func (inst *Instance) RunPython(src string) bool {
	p := inst.cString(src)
	rc := int32(inst.call("PyRun_SimpleString", uint64(p)))
	inst.call("free", uint64(p))
	return rc == 0
}

// setMainAttr stores a JS value as a JsProxy attribute of __main__.
func (inst *Instance) setMainAttr(name string, v Value) {
	mainMod := inst.call("PyImport_AddModule", uint64(inst.cString("__main__")))
	px := inst.call("JsProxy_create", inst.World.Handle(v))
	inst.call("PyObject_SetAttrString", mainMod, uint64(inst.cString(name)), px)
	inst.call("Py_DecRef", px)
}

// MemorySize is the size of the interpreter's linear memory in bytes.
func (inst *Instance) MemorySize() uint32 { return inst.mem.Size() }
