package pyodide

// Dynamic linking of Emscripten side modules: CPython extension modules
// (name.cpython-313-wasm32-emscripten.so) and the shared libraries they
// name in dylink.0. It does what Emscripten's loader (libdylink.js) does
// for dlopen, for wazero, whose host modules can only export functions:
// each load gets small generated modules that re-export the interpreter's
// memory, table, stack pointer and symbols under the names the side module
// imports ("env", "GOT.mem", "GOT.func"), and fills table slots with
// generated element segments.
//
// Differences from Emscripten, on purpose: a function the side module
// imports that nothing defines is an error at load time (Emscripten defers
// it to the first call, which here would be a trap inside CPython), unless
// the import is weak; the symbols of every loaded library are visible to
// the libraries loaded after it (Emscripten keeps RTLD_LOCAL ones apart).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/wasmgen"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Offsets in Emscripten's struct dso (system/lib/libc/dynlink.h), as
// pyodide.asm.js reads them.
const (
	dsoMemAlloc  = 8
	dsoMemAddr   = 12
	dsoMemSize   = 16
	dsoTableAddr = 20
	dsoTableSize = 24
	dsoName      = 36
)

// maxSideModule bounds a .so file read into host memory.
const maxSideModule = 256 << 20

// DylibRecord is what a snapshot keeps of one loaded library, so that a
// restore can put it back at the same memory and table bases.
type DylibRecord struct {
	Name      string
	Handle    uint32
	MemBase   uint32
	TableBase uint32
	Sum       [32]byte
}

// slotRecord is a table slot given to a function after the fact (GOT.func
// entries and dlsym of functions no element segment placed).
type slotRecord struct {
	Slot   uint32
	Module string // "pyodide", "env" or a library's module name
	Export string
}

type dylib struct {
	DylibRecord
	modName string
	mod     api.Module
	parsed  *wasmgen.Module
	slots   map[uint32]uint32 // function index → table slot, from its element segments
}

// dylinker is one instance's set of loaded libraries.
type dylinker struct {
	libs      []*dylib
	byName    map[string]*dylib
	byHandle  map[uint32]*dylib
	extra     []slotRecord
	slotOf    map[string]uint32 // module\x00export → slot given by extra
	tableSize uint32            // the table's size after the last load, for restores
	grower    api.Module
}

func (inst *Instance) linker() *dylinker {
	if inst.dl == nil {
		inst.dl = &dylinker{byName: map[string]*dylib{}, byHandle: map[uint32]*dylib{}, slotOf: map[string]uint32{}}
	}
	return inst.dl
}

// dlopenJS implements _dlopen_js(struct dso*): 1 on success, 0 with
// dlerror set.
func (inst *Instance) dlopenJS(handle uint32) uint32 {
	name := path.Clean(inst.cstr(handle + dsoName))
	t0 := time.Now()
	defer func() { inst.logDebug("dlopen", "file", name, "took", time.Since(t0)) }()
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				switch x := r.(type) {
				case *abortError:
					err = x
				case *wasmError:
					err = x
				default:
					panic(r)
				}
			}
		}()
		return inst.dlopen(name, handle, nil)
	}()
	if err != nil {
		inst.logDebug("dlopen failed", "file", name, "err", err)
		inst.dlSetError(fmt.Sprintf("Could not load dynamic lib: %s\n%v", name, err))
		return 0
	}
	return 1
}

// dlsymJS implements _dlsym_js(handle, symbol, symbolIndex).
func (inst *Instance) dlsymJS(handle, symPtr uint32) uint32 {
	sym := inst.cstr(symPtr)
	dl := inst.linker()
	lib := dl.byHandle[handle]
	if lib == nil { // the main module (RTLD_DEFAULT or dlopen(NULL))
		if v, ok := inst.mainSymbol(sym, true); ok {
			return v
		}
		inst.dlSetError(fmt.Sprintf("Tried to lookup unknown symbol %q in the main module", sym))
		return 0
	}
	if v, ok := inst.libSymbol(lib, sym, true); ok {
		return v
	}
	inst.dlSetError(fmt.Sprintf("Tried to lookup unknown symbol %q in dynamic lib: %s", sym, lib.Name))
	return 0
}

func (inst *Instance) dlSetError(msg string) {
	p := inst.cString(strings.ReplaceAll(msg, "%", "%%")) // __dl_seterr formats its first argument
	inst.call("__dl_seterr", uint64(p), 0)
	inst.call("free", uint64(p))
}

// dlopen loads name (and what it needs) unless it is loaded already.
func (inst *Instance) dlopen(name string, handle uint32, chain []string) error {
	dl := inst.linker()
	if lib := dl.byName[name]; lib != nil {
		if handle != 0 {
			dl.byHandle[handle] = lib
		}
		return nil
	}
	if slices.Contains(chain, name) {
		return fmt.Errorf("%s needs itself (%s)", name, strings.Join(append(chain, name), " → "))
	}
	bin, err := inst.readSideModule(name)
	if err != nil {
		return err
	}
	parsed, err := wasmgen.ParseModule(bin)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if parsed.Dylink == nil {
		return fmt.Errorf("%s: %w", name, wasmgen.ErrNoDylink)
	}
	d := parsed.Dylink
	for _, needed := range d.Needed {
		dep, err := inst.findLibrary(needed, name, d.RuntimePaths)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := inst.dlopen(dep, 0, append(chain, name)); err != nil {
			return err
		}
	}
	lib := &dylib{parsed: parsed}
	lib.Name, lib.Handle, lib.Sum = name, handle, sha256.Sum256(bin)
	if d.MemorySize > 0 {
		align := uint32(1) << min(d.MemoryAlign, 16)
		p := uint32(inst.call("calloc", uint64(d.MemorySize+align), 1))
		if p == 0 {
			return fmt.Errorf("%s: out of memory for its %d bytes of static data", name, d.MemorySize)
		}
		lib.MemBase = (p + align - 1) &^ (align - 1)
	}
	if d.TableSize > 0 {
		lib.TableBase = inst.growTable(d.TableSize)
	}
	if handle != 0 {
		inst.mem.WriteByte(handle+dsoMemAlloc, 1)
		inst.mem.WriteUint32Le(handle+dsoMemAddr, lib.MemBase)
		inst.mem.WriteUint32Le(handle+dsoMemSize, d.MemorySize)
		inst.mem.WriteUint32Le(handle+dsoTableAddr, lib.TableBase)
		inst.mem.WriteUint32Le(handle+dsoTableSize, d.TableSize)
	}
	if err := inst.link(lib, bin, true); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// readSideModule reads a .so from the interpreter's file system.
func (inst *Instance) readSideModule(name string) ([]byte, error) {
	n := inst.fs.Lookup(name)
	if n == nil || n.Dir {
		return nil, fmt.Errorf("%s: no such file", name)
	}
	size := inst.fs.Size(n)
	if size > maxSideModule {
		return nil, fmt.Errorf("%s: %d MiB is more than a side module may be (%d MiB)", name, size>>20, maxSideModule>>20)
	}
	bin := make([]byte, size)
	if got := inst.fs.ReadAt(n, bin, 0); int64(got) != size {
		return nil, fmt.Errorf("%s: short read (%d of %d bytes)", name, got, size)
	}
	return bin, nil
}

// findLibrary resolves a needed library as Emscripten's _emscripten_find_dylib
// does: the parent's runtime paths ($ORIGIN is its folder), then
// LD_LIBRARY_PATH's default folders; then, as Pyodide's loader also tries,
// the parent's own folder.
func (inst *Instance) findLibrary(needed, parent string, rpath []string) (string, error) {
	if path.IsAbs(needed) {
		return needed, nil
	}
	var dirs []string
	for _, p := range rpath {
		dirs = append(dirs, strings.Replace(p, "$ORIGIN", path.Dir(parent), 1))
	}
	dirs = append(dirs, inst.libDirs...)
	dirs = append(dirs, "/usr/lib", "/lib", path.Dir(parent))
	for _, d := range dirs {
		p := path.Join(d, needed)
		if n := inst.fs.Lookup(p); n != nil && !n.Dir {
			return p, nil
		}
	}
	return "", fmt.Errorf("needed library %s not found (looked in %s)", needed, strings.Join(dirs, ", "))
}

// growTable adds n null slots and returns the first.
func (inst *Instance) growTable(n uint32) uint32 {
	dl := inst.linker()
	if dl.grower == nil {
		m, err := inst.instantiate(inst.host.growerMod, "tablegrow", map[string]api.Module{"env": inst.env()})
		if err != nil {
			panic(&abortError{"table grower: " + err.Error()})
		}
		dl.grower = m
	}
	res, err := dl.grower.ExportedFunction("grow").Call(inst.nestedCtx, uint64(n))
	if err != nil || int32(res[0]) < 0 {
		panic(&abortError{fmt.Sprintf("cannot grow the function table by %d", n)})
	}
	dl.tableSize = uint32(res[0]) + n
	return uint32(res[0])
}

func (inst *Instance) tableLen() uint32 {
	inst.growTable(0)
	return inst.linker().tableSize
}

// importSource is where a symbol a side module imports comes from.
type importSource struct {
	module string // resolver name: "pyodide", "env" or a library's module name
	export string
	fn     api.Function
	data   uint32
	isData bool
}

// resolve finds a symbol in the main module, the JS-side imports, then the
// loaded libraries, in load order.
func (inst *Instance) resolve(sym string) (importSource, bool) {
	if f := inst.mod.ExportedFunction(sym); f != nil {
		return importSource{module: "pyodide", export: sym, fn: f}, true
	}
	if g := inst.mod.ExportedGlobal(sym); g != nil {
		return importSource{module: "pyodide", export: sym, data: uint32(g.Get()) + inst.host.layout.memoryBase, isData: true}, true
	}
	if f := inst.env().ExportedFunction(sym); f != nil {
		return importSource{module: "env", export: sym, fn: f}, true
	}
	for _, lib := range inst.linker().libs {
		if src, ok := lib.export(sym); ok {
			return src, true
		}
	}
	return importSource{}, false
}

func (lib *dylib) export(sym string) (importSource, bool) {
	if f := lib.mod.ExportedFunction(sym); f != nil {
		return importSource{module: lib.modName, export: sym, fn: f}, true
	}
	if g := lib.mod.ExportedGlobal(sym); g != nil && !internalSymbol(sym) {
		return importSource{module: lib.modName, export: sym, data: uint32(g.Get()) + lib.MemBase, isData: true}, true
	}
	return importSource{}, false
}

// internalSymbol: exports every side module has, never linked against
// (Emscripten's isInternalSym).
func internalSymbol(sym string) bool {
	switch sym {
	case "__cpp_exception", "__c_longjmp", "__wasm_apply_data_relocs", "__dso_handle", "__tls_size",
		"__tls_align", "__set_stack_limits", "_emscripten_tls_init", "__wasm_init_tls", "__wasm_call_ctors",
		"__start_em_asm", "__stop_em_asm", "__start_em_js", "__stop_em_js":
		return true
	}
	return strings.HasPrefix(sym, "__em_js__")
}

// funcSlot returns the table slot of src's function, placing it in a new
// slot when no element segment did.
func (inst *Instance) funcSlot(src importSource, pending *[]slotRecord) uint32 {
	if src.module == "pyodide" {
		if s, ok := inst.host.mainSlots[src.export]; ok {
			return s
		}
	}
	for _, lib := range inst.linker().libs {
		if lib.modName == src.module {
			if idx, ok := lib.parsed.FuncExport(src.export); ok {
				if s, ok := lib.slots[idx]; ok {
					return s
				}
			}
		}
	}
	dl := inst.linker()
	key := src.module + "\x00" + src.export
	if s, ok := dl.slotOf[key]; ok {
		return s
	}
	s := inst.growTable(1)
	dl.slotOf[key] = s
	*pending = append(*pending, slotRecord{Slot: s, Module: src.module, Export: src.export})
	return s
}

// mainSymbol: dlsym on the main module.
func (inst *Instance) mainSymbol(sym string, place bool) (uint32, bool) {
	src, ok := inst.resolve(sym)
	if !ok || src.module == "env" {
		return 0, false
	}
	return inst.symbolValue(src, place), true
}

func (inst *Instance) libSymbol(lib *dylib, sym string, place bool) (uint32, bool) {
	src, ok := lib.export(sym)
	if !ok {
		return 0, false
	}
	return inst.symbolValue(src, place), true
}

func (inst *Instance) symbolValue(src importSource, place bool) uint32 {
	if src.isData {
		return src.data
	}
	var pending []slotRecord
	s := inst.funcSlot(src, &pending)
	if place {
		if err := inst.fillSlots(pending); err != nil {
			panic(&abortError{err.Error()})
		}
	}
	return s
}

// fillSlots puts functions into their slots with a generated element segment.
func (inst *Instance) fillSlots(recs []slotRecord) error {
	if len(recs) == 0 {
		return nil
	}
	dl := inst.linker()
	b := wasmgen.NewBuilder()
	b.ImportTable("env", "__indirect_function_table", 0)
	named := map[string]api.Module{"env": inst.env(), "pyodide": inst.mod}
	for _, l := range dl.libs {
		named[l.modName] = l.mod
	}
	var segs [][2]uint32
	for _, r := range recs {
		m := named[r.Module]
		if m == nil {
			return fmt.Errorf("slot %d: no module %s", r.Slot, r.Module)
		}
		f := m.ExportedFunction(r.Export)
		if f == nil {
			return fmt.Errorf("slot %d: %s has no function %s", r.Slot, r.Module, r.Export)
		}
		def := f.Definition()
		segs = append(segs, [2]uint32{r.Slot, b.ImportFunc(r.Module, r.Export, def.ParamTypes(), def.ResultTypes())})
	}
	for _, s := range segs {
		b.Elem(int32(s[0]), s[1])
	}
	if _, err := inst.instantiateGlue(b.Bytes(), "slots", named); err != nil {
		return err
	}
	dl.extra = append(dl.extra, recs...)
	return nil
}

// instantiateGlue instantiates a generated module. The same library at the
// same bases gives the same bytes, so a restore (every run of a Worker whose
// snapshot holds native modules) reuses the compiled glue.
func (inst *Instance) instantiateGlue(bin []byte, what string, named map[string]api.Module) (api.Module, error) {
	cm, err := inst.host.compileOnce(inst.nestedCtx, bin, sha256.Sum256(bin), "")
	if err != nil {
		return nil, fmt.Errorf("%s module: %w", what, err)
	}
	return inst.instantiate(cm, what, named)
}

func (inst *Instance) instantiate(cm wazero.CompiledModule, what string, named map[string]api.Module) (api.Module, error) {
	name := what + "#" + inst.seq + "." + strconv.Itoa(len(inst.modules))
	ctx := experimental.WithImportResolver(inst.nestedCtx, func(n string) api.Module { return named[n] })
	m, err := inst.host.rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName(name).WithStartFunctions())
	if err != nil {
		return nil, err
	}
	inst.modules = append(inst.modules, m)
	return m, nil
}

// link instantiates lib at its bases. fresh: run its relocations and
// constructors (a restore has their effects in the memory it writes back).
func (inst *Instance) link(lib *dylib, bin []byte, fresh bool) error {
	dl := inst.linker()
	p := lib.parsed
	cm, err := inst.host.compileOnce(inst.nestedCtx, bin, lib.Sum, path.Base(lib.Name))
	if err != nil {
		return err
	}
	named := map[string]api.Module{"env": inst.env(), "pyodide": inst.mod}
	for _, l := range dl.libs {
		named[l.modName] = l.mod
	}
	own := map[string]bool{}
	for _, e := range p.Exports {
		own[e.Name] = true
	}
	env := wasmgen.NewBuilder()
	gotMem, gotFunc := wasmgen.NewBuilder(), wasmgen.NewBuilder()
	var pending []slotRecord
	var selfs []selfGOT
	var envExports []func()
	var missing []string
	for _, imp := range p.Imports {
		switch imp.Module {
		case "env":
			switch imp.Kind {
			case 0:
				t := p.Types[imp.Type]
				src, ok := inst.resolve(imp.Name)
				if !ok || src.isData {
					if p.Dylink.WeakImports[imp.Name] {
						idx := env.Func(t.Params, t.Results, []byte{0, 0x00, 0x0b}) // unreachable
						n := imp.Name
						envExports = append(envExports, func() { env.Export(n, 0, idx) })
						continue
					}
					missing = append(missing, imp.Name)
					continue
				}
				def := src.fn.Definition()
				if !slices.Equal(def.ParamTypes(), t.Params) || !slices.Equal(def.ResultTypes(), t.Results) {
					return fmt.Errorf("symbol %s: the module expects %s, the interpreter's is %s",
						imp.Name, sig(t.Params, t.Results), sig(def.ParamTypes(), def.ResultTypes()))
				}
				idx := env.ImportFunc(src.module, src.export, t.Params, t.Results)
				n := imp.Name
				envExports = append(envExports, func() { env.Export(n, 0, idx) })
			case 1:
				env.ImportTable("env", "__indirect_function_table", 0)
				envExports = append(envExports, func() { env.Export(imp.Name, 1, 0) })
			case 2:
				env.ImportMemory("env", "memory", 0)
				envExports = append(envExports, func() { env.Export(imp.Name, 2, 0) })
			case 3:
				switch imp.Name {
				case "__stack_pointer":
					g := env.ImportGlobal("env", "__stack_pointer", api.ValueTypeI32, true)
					envExports = append(envExports, func() { env.Export(imp.Name, 3, g) })
				case "__memory_base", "__table_base":
					v := lib.MemBase
					if imp.Name == "__table_base" {
						v = lib.TableBase
					}
					n := imp.Name
					envExports = append(envExports, func() { env.Export(n, 3, env.GlobalI32(false, int32(v))) })
				default:
					return fmt.Errorf("imports the global env.%s, which the runtime does not provide", imp.Name)
				}
			case 4:
				if imp.Name != "__cpp_exception" && imp.Name != "__c_longjmp" {
					return fmt.Errorf("imports the exception tag env.%s, which the runtime does not provide", imp.Name)
				}
				env.ImportTag("env", imp.Name, []api.ValueType{api.ValueTypeI32})
				n := imp.Name
				envExports = append(envExports, func() { env.Export(n, 4, 0) })
			}
		case "GOT.mem", "GOT.func":
			isFunc := imp.Module == "GOT.func"
			var v uint32
			switch src, ok := inst.resolve(imp.Name); {
			case own[imp.Name] && !ok:
				selfs = append(selfs, selfGOT{imp.Name, isFunc})
			case ok && isFunc && !src.isData:
				v = inst.funcSlot(src, &pending)
			case ok && !isFunc && src.isData:
				v = src.data
			case ok:
				return fmt.Errorf("%s.%s names a %s", imp.Module, imp.Name, map[bool]string{true: "data symbol", false: "function"}[src.isData])
			case p.Dylink.WeakImports[imp.Name]:
			default:
				missing = append(missing, imp.Name)
			}
			g := gotMem
			if isFunc {
				g = gotFunc
			}
			g.Export(imp.Name, 3, g.GlobalI32(true, int32(v)))
		case "wasi_snapshot_preview1":
		default:
			return fmt.Errorf("imports from module %q, which the runtime does not provide", imp.Module)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		if len(missing) > 8 {
			missing = append(missing[:8], fmt.Sprintf("and %d more", len(missing)-8))
		}
		return fmt.Errorf("undefined symbol: %s (not in the interpreter nor in any loaded library)", strings.Join(missing, ", "))
	}
	for _, e := range envExports {
		e()
	}
	if err := inst.fillSlots(pending); err != nil {
		return err
	}
	envMod, err := inst.instantiateGlue(env.Bytes(), "dlenv", named)
	if err != nil {
		return err
	}
	gm, err := inst.instantiateGlue(gotMem.Bytes(), "dlgotmem", nil)
	if err != nil {
		return err
	}
	gf, err := inst.instantiateGlue(gotFunc.Bytes(), "dlgotfunc", nil)
	if err != nil {
		return err
	}
	lib.modName = "lib" + strconv.Itoa(len(dl.libs))
	mod, err := inst.instantiate(cm, lib.modName, map[string]api.Module{"env": envMod, "GOT.mem": gm, "GOT.func": gf})
	if err != nil {
		return fmt.Errorf("instantiating: %w", err)
	}
	lib.mod = mod
	lib.slots = p.TableSlots(map[string]uint32{"__table_base": lib.TableBase})
	dl.libs = append(dl.libs, lib)
	dl.byName[lib.Name] = lib
	if lib.Handle != 0 {
		dl.byHandle[lib.Handle] = lib
	}
	if err := inst.finishLink(lib, gm, gf, selfs, fresh); err != nil {
		// Not loaded after all: a later import tries again and fails the same way.
		dl.libs = dl.libs[:len(dl.libs)-1]
		delete(dl.byName, lib.Name)
		delete(dl.byHandle, lib.Handle)
		return err
	}
	dl.tableSize = inst.tableLen()
	return nil
}

// selfGOT is a GOT entry naming the module's own export.
type selfGOT struct {
	name string
	fn   bool
}

// finishLink fills the GOT entries naming the module's own exports (known
// only once it is instantiated), then runs its relocations and constructors.
func (inst *Instance) finishLink(lib *dylib, gm, gf api.Module, selfs []selfGOT, fresh bool) error {
	mod := lib.mod
	// Entries naming the module's own exports are known only now.
	var selfPending []slotRecord
	for _, s := range selfs {
		src, ok := lib.export(s.name)
		if !ok || src.isData == s.fn {
			return fmt.Errorf("GOT entry %s: not exported as a %s", s.name, map[bool]string{true: "function", false: "data symbol"}[s.fn])
		}
		v := src.data
		if s.fn {
			v = inst.funcSlot(src, &selfPending)
		}
		g := gm
		if s.fn {
			g = gf
		}
		g.ExportedGlobal(s.name).(api.MutableGlobal).Set(uint64(v))
	}
	if err := inst.fillSlots(selfPending); err != nil {
		return err
	}
	if fresh {
		for _, f := range []string{"__wasm_apply_data_relocs", "__wasm_call_ctors"} {
			if fn := mod.ExportedFunction(f); fn != nil {
				inst.callDepth++
				_, err := fn.Call(inst.nestedCtx)
				inst.callDepth--
				if err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
			}
		}
	}
	return nil
}

func sig(params, results []api.ValueType) string {
	name := func(ts []api.ValueType) string {
		var s []string
		for _, t := range ts {
			s = append(s, api.ValueTypeName(t))
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	return name(params) + " → " + name(results)
}

// compileOnce compiles a side module or glue module once per host, keyed
// by its sha256; wazero's compilation cache keeps the machine code across
// processes.
func (h *Host) compileOnce(ctx context.Context, bin []byte, sum [32]byte, name string) (wazero.CompiledModule, error) {
	h.onceMu.Lock()
	defer h.onceMu.Unlock()
	if cm, ok := h.onceMods[sum]; ok {
		return cm, nil
	}
	// wazero's disk cache makes later compiles of the same bytes quick; a
	// stamp beside it says whether this one was ever compiled here.
	var stamp string
	if name != "" && len(bin) >= largeSideModule && h.cacheDir != "" && h.Progress != nil {
		stamp = filepath.Join(h.cacheDir, "pyworkers-native", hex.EncodeToString(sum[:16]))
		if _, err := os.Stat(stamp); err == nil {
			stamp = ""
		} else {
			h.Progress(fmt.Sprintf("compiling native module %s (%.1f MB, first use only)", name, float64(len(bin))/(1<<20)))
		}
	}
	start := time.Now()
	cm, err := h.rt.CompileModule(ctx, bin)
	if err != nil {
		return nil, fmt.Errorf("compiling: %w", err)
	}
	if stamp != "" {
		h.Progress(fmt.Sprintf("compiled native module %s in %s", name, time.Since(start).Round(time.Millisecond)))
		if os.MkdirAll(filepath.Dir(stamp), 0o755) == nil {
			_ = os.WriteFile(stamp, nil, 0o644)
		}
	}
	h.onceMods[sum] = cm
	return cm, nil
}

// largeSideModule: from this size a first compile is reported (_ssl, 2.9 MB,
// takes about a second).
const largeSideModule = 1 << 20

// Dylibs lists the loaded libraries, in load order, for a snapshot.
func (inst *Instance) dylibRecords() (libs []DylibRecord, extra []slotRecord, tableSize uint32) {
	if inst.dl == nil {
		return nil, nil, 0
	}
	for _, l := range inst.dl.libs {
		libs = append(libs, l.DylibRecord)
	}
	return libs, slices.Clone(inst.dl.extra), inst.tableLen()
}

// relink puts a snapshot's libraries back, before its memory is written.
func (inst *Instance) relink(libs []DylibRecord, extra []slotRecord, tableSize uint32) error {
	if len(libs) == 0 && len(extra) == 0 {
		return nil
	}
	if cur := inst.tableLen(); tableSize > cur {
		inst.growTable(tableSize - cur)
	}
	dl := inst.linker()
	for _, e := range extra { // slots given after the fact: re-filled below
		dl.slotOf[e.Module+"\x00"+e.Export] = e.Slot
	}
	for _, r := range libs {
		bin, err := inst.readSideModule(r.Name)
		if err != nil {
			return err
		}
		if sha256.Sum256(bin) != r.Sum {
			return fmt.Errorf("%s changed since the snapshot was taken", r.Name)
		}
		parsed, err := wasmgen.ParseModule(bin)
		if err != nil || parsed.Dylink == nil {
			return fmt.Errorf("%s: not a side module", r.Name)
		}
		if err := inst.link(&dylib{DylibRecord: r, parsed: parsed}, bin, false); err != nil {
			return fmt.Errorf("%s: %w", r.Name, err)
		}
	}
	dl.extra = nil
	return inst.fillSlots(extra)
}

// readMainSlots records where the main module's element segments put its
// exported functions: a side module's GOT.func entry for one of them must be
// that slot, so that function pointers compare equal across modules
// (CPython compares tp_getattro with PyObject_GenericGetAttr, for one).
// funcImport is one function the main module imports, with its signature.
type funcImport struct {
	module, name    string
	params, results []api.ValueType
}

func (h *Host) readMainSlots(bin []byte) error {
	m, err := wasmgen.ParseModule(bin)
	if err != nil {
		return err
	}
	slots := m.TableSlots(map[string]uint32{"__table_base": h.layout.tableBase})
	// The main module's imported functions, from its type section: wazero's
	// ImportedFunctions builds definitions of all ~30k functions first
	// (≈130 ms of every start).
	h.mainFuncImports = nil
	for _, imp := range m.Imports {
		if imp.Kind != 0 || int(imp.Type) >= len(m.Types) {
			continue
		}
		t := m.Types[imp.Type]
		h.mainFuncImports = append(h.mainFuncImports, funcImport{module: imp.Module, name: imp.Name, params: t.Params, results: t.Results})
	}
	h.mainSlots = map[string]uint32{}
	for _, e := range m.Exports {
		if e.Kind != 0 {
			continue
		}
		if s, ok := slots[e.Index]; ok {
			h.mainSlots[e.Name] = s
		}
	}
	return nil
}

// MountHost makes a host folder visible in the interpreter's file system.
func (inst *Instance) MountHost(p, dir string) { inst.fs.MountHost(p, dir) }

// AddLibraryDirs adds folders where needed libraries are looked for (those
// of installed shared_library packages), after a library's runtime paths.
func (inst *Instance) AddLibraryDirs(dirs ...string) {
	for _, d := range dirs {
		if !slices.Contains(inst.libDirs, d) {
			inst.libDirs = append(inst.libDirs, d)
		}
	}
}
