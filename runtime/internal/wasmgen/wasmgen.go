package wasmgen

// Small hand-encoded wasm modules that stand in for the parts of Emscripten's
// JS loader wazero cannot express with host modules: wazero host modules only
// export functions, but Pyodide's main module also imports a memory, a table,
// globals and exception tags.

import (
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero/api"
)

// wasmImport is one entry of a module's import section.
type Import struct {
	Module, Name string
	kind         byte // 0 func, 1 table, 2 memory, 3 global, 4 tag
}

// parseImports reads the import section of a wasm binary.
func ParseImports(bin []byte) ([]Import, error) {
	if len(bin) < 8 || string(bin[:4]) != "\x00asm" {
		return nil, errors.New("not a wasm binary")
	}
	r := &wasmReader{b: bin, p: 8}
	for r.p < len(r.b) {
		id := r.byte()
		size := int(r.u32())
		end := r.p + size
		if r.err != nil || end > len(r.b) {
			return nil, errors.New("truncated wasm section")
		}
		if id != 2 {
			r.p = end
			continue
		}
		n := int(r.u32())
		out := make([]Import, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			imp := Import{Module: r.name(), Name: r.name(), kind: r.byte()}
			switch imp.kind {
			case 0: // type index
				r.u32()
			case 1: // table: reftype + limits
				r.byte()
				r.limits()
			case 2:
				r.limits()
			case 3: // valtype + mut
				r.byte()
				r.byte()
			case 4: // attribute + type index
				r.byte()
				r.u32()
			default:
				return nil, fmt.Errorf("unknown import kind %d", imp.kind)
			}
			out = append(out, imp)
		}
		return out, r.err
	}
	return nil, nil
}

type wasmReader struct {
	b   []byte
	p   int
	err error
}

func (r *wasmReader) byte() byte {
	if r.p >= len(r.b) {
		r.err = errors.New("unexpected end of wasm")
		return 0
	}
	c := r.b[r.p]
	r.p++
	return c
}

func (r *wasmReader) u32() uint32 {
	var v uint32
	for shift := 0; shift < 35; shift += 7 {
		c := r.byte()
		v |= uint32(c&0x7f) << shift
		if c&0x80 == 0 {
			break
		}
	}
	return v
}

func (r *wasmReader) name() string {
	n := int(r.u32())
	if r.p+n > len(r.b) {
		r.err = errors.New("unexpected end of wasm")
		return ""
	}
	s := string(r.b[r.p : r.p+n])
	r.p += n
	return s
}

func (r *wasmReader) limits() {
	if r.byte()&1 != 0 {
		r.u32()
	}
	r.u32()
}

// Builder encodes a module section by section.
type Builder struct {
	types   [][]byte // encoded func types, deduplicated
	typeIdx map[string]uint32
	imports []byte
	nImport int
	nFuncs  int // imported functions: the function index space
	tables  []byte
	nTable  int
	mems    []byte
	nMem    int
	tags    []byte
	nTag    int
	globals []byte
	nGlobal int
	exports []byte
	nExport int
	elems   []byte
	nElem   int
	funcs   []byte // function section: type indices of defined functions
	codes   []byte
	nCode   int
	nGlobI  int // imported globals: the global index space
}

func NewBuilder() *Builder { return &Builder{typeIdx: map[string]uint32{}} }

func uleb(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func sleb(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func wname(b []byte, s string) []byte { return append(uleb(b, uint64(len(s))), s...) }

func (w *Builder) funcType(params, results []api.ValueType) uint32 {
	t := []byte{0x60}
	t = uleb(t, uint64(len(params)))
	t = append(t, params...)
	t = uleb(t, uint64(len(results)))
	t = append(t, results...)
	if i, ok := w.typeIdx[string(t)]; ok {
		return i
	}
	i := uint32(len(w.types))
	w.types = append(w.types, t)
	w.typeIdx[string(t)] = i
	return i
}

func (w *Builder) ImportFunc(module, name string, params, results []api.ValueType) uint32 {
	ti := w.funcType(params, results)
	w.imports = wname(wname(w.imports, module), name)
	w.imports = uleb(append(w.imports, 0), uint64(ti))
	w.nImport++
	w.nFuncs++
	return uint32(w.nFuncs - 1)
}

func (w *Builder) ImportTable(module, name string, min uint32) {
	w.imports = wname(wname(w.imports, module), name)
	w.imports = uleb(append(w.imports, 1, 0x70, 0), uint64(min))
	w.nImport++
}

func (w *Builder) ImportMemory(module, name string, min uint32) {
	w.imports = wname(wname(w.imports, module), name)
	w.imports = uleb(append(w.imports, 2, 0), uint64(min))
	w.nImport++
}

// ImportGlobal imports a global; it takes the next global index.
func (w *Builder) ImportGlobal(module, name string, t api.ValueType, mutable bool) uint32 {
	w.imports = wname(wname(w.imports, module), name)
	m := byte(0)
	if mutable {
		m = 1
	}
	w.imports = append(w.imports, 3, t, m)
	w.nImport++
	w.nGlobI++
	return uint32(w.nGlobI - 1)
}

func (w *Builder) ImportTag(module, name string, params []api.ValueType) {
	w.imports = wname(wname(w.imports, module), name)
	w.imports = uleb(append(w.imports, 4, 0), uint64(w.funcType(params, nil)))
	w.nImport++
}

// Func defines a function with the given body (locals vector and code up
// to and including the final end). Imports must all come before.
func (w *Builder) Func(params, results []api.ValueType, body []byte) uint32 {
	w.funcs = uleb(w.funcs, uint64(w.funcType(params, results)))
	w.codes = append(uleb(w.codes, uint64(len(body))), body...)
	w.nCode++
	w.nFuncs++
	return uint32(w.nFuncs - 1)
}

func (w *Builder) Table(min uint32) uint32 {
	w.tables = uleb(append(w.tables, 0x70, 0), uint64(min))
	w.nTable++
	return uint32(w.nTable - 1)
}

func (w *Builder) Memory(min, max uint32) uint32 {
	w.mems = uleb(uleb(append(w.mems, 1), uint64(min)), uint64(max))
	w.nMem++
	return uint32(w.nMem - 1)
}

func (w *Builder) Tag(params []api.ValueType) uint32 {
	w.tags = uleb(append(w.tags, 0), uint64(w.funcType(params, nil)))
	w.nTag++
	return uint32(w.nTag - 1)
}

func (w *Builder) GlobalI32(mutable bool, v int32) uint32 {
	m := byte(0)
	if mutable {
		m = 1
	}
	w.globals = append(sleb(append(w.globals, 0x7f, m, 0x41), int64(v)), 0x0b)
	w.nGlobal++
	return uint32(w.nGlobI + w.nGlobal - 1)
}

func (w *Builder) Export(name string, kind byte, idx uint32) {
	w.exports = uleb(append(wname(w.exports, name), kind), uint64(idx))
	w.nExport++
}

// elem adds an active segment putting funcs into table 0 at offset.
func (w *Builder) Elem(offset int32, funcs ...uint32) {
	w.elems = append(sleb(append(w.elems, 0x00, 0x41), int64(offset)), 0x0b)
	w.elems = uleb(w.elems, uint64(len(funcs)))
	for _, f := range funcs {
		w.elems = uleb(w.elems, uint64(f))
	}
	w.nElem++
}

func (w *Builder) Bytes() []byte {
	out := []byte("\x00asm\x01\x00\x00\x00")
	section := func(id byte, n int, body []byte) {
		if n == 0 {
			return
		}
		content := append(uleb(nil, uint64(n)), body...)
		out = append(uleb(append(out, id), uint64(len(content))), content...)
	}
	var types []byte
	for _, t := range w.types {
		types = append(types, t...)
	}
	section(1, len(w.types), types)
	section(2, w.nImport, w.imports)
	section(3, w.nCode, w.funcs)
	section(4, w.nTable, w.tables)
	section(5, w.nMem, w.mems)
	section(13, w.nTag, w.tags)
	section(6, w.nGlobal, w.globals)
	section(7, w.nExport, w.exports)
	section(9, w.nElem, w.elems)
	section(10, w.nCode, w.codes)
	return out
}
