package wasmgen

// What the dynamic linker needs to know about a side module before it is
// instantiated: its dylink.0 metadata, its function types, imports, exports
// and which table slots its active element segments fill. The layout of
// dylink.0 is the one lld writes and Emscripten's loader reads
// (https://github.com/WebAssembly/tool-conventions/blob/main/DynamicLinking.md).

import (
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero/api"
)

// Module is the parsed shape of a wasm binary.
type Module struct {
	Dylink  *Dylink // nil when the binary has no dylink.0 section
	Types   []FuncType
	Imports []ModuleImport
	Exports []Export
	// FuncTypes holds the type index of every function, imported ones first.
	FuncTypes []uint32
	// Elems are the active segments of table 0 whose offset is a constant
	// plus, optionally, one imported global (lld writes __table_base + k).
	Elems []ElemSegment
}

type FuncType struct{ Params, Results []api.ValueType }

type ModuleImport struct {
	Module, Name string
	Kind         byte   // 0 func, 1 table, 2 memory, 3 global, 4 tag
	Type         uint32 // func or tag: type index
	GlobalType   api.ValueType
	Mutable      bool
}

type Export struct {
	Name  string
	Kind  byte
	Index uint32
}

type ElemSegment struct {
	Global string // the imported global the offset adds, "" for none
	Offset int32
	Funcs  []uint32
}

// Dylink is the dylink.0 custom section.
type Dylink struct {
	MemorySize, MemoryAlign uint32 // align as a power of two
	TableSize, TableAlign   uint32
	Needed                  []string
	RuntimePaths            []string
	WeakImports             map[string]bool
	TLSExports              map[string]bool
}

// ErrNoDylink marks a wasm binary that is not a side module.
var ErrNoDylink = errors.New("no dylink.0 section: not an Emscripten side module")

// ParseModule reads what the linker needs from bin.
func ParseModule(bin []byte) (*Module, error) {
	if len(bin) < 8 || string(bin[:4]) != "\x00asm" {
		return nil, errors.New("not a wasm binary")
	}
	if bin[4] != 1 || bin[5] != 0 || bin[6] != 0 || bin[7] != 0 {
		return nil, fmt.Errorf("unsupported wasm version %d", bin[4])
	}
	m := &Module{}
	r := &wasmReader{b: bin, p: 8}
	var globalImports []string
	for r.p < len(r.b) && r.err == nil {
		id := r.byte()
		size := int(r.u32())
		end := r.p + size
		if r.err != nil || end > len(r.b) || size < 0 {
			return nil, errors.New("truncated wasm section")
		}
		s := &wasmReader{b: r.b[:end], p: r.p}
		switch id {
		case 0:
			if name := s.name(); name == "dylink.0" {
				d, err := parseDylink(s)
				if err != nil {
					return nil, fmt.Errorf("dylink.0: %w", err)
				}
				m.Dylink = d
			}
		case 1:
			n := s.u32()
			for i := uint32(0); i < n && s.err == nil; i++ {
				if s.byte() != 0x60 {
					return nil, errors.New("unsupported type form")
				}
				var t FuncType
				t.Params = s.valTypes()
				t.Results = s.valTypes()
				m.Types = append(m.Types, t)
			}
		case 2:
			n := s.u32()
			for i := uint32(0); i < n && s.err == nil; i++ {
				imp := ModuleImport{Module: s.name(), Name: s.name(), Kind: s.byte()}
				switch imp.Kind {
				case 0:
					imp.Type = s.u32()
					m.FuncTypes = append(m.FuncTypes, imp.Type)
				case 1:
					s.byte()
					s.limits()
				case 2:
					s.limits()
				case 3:
					imp.GlobalType = s.byte()
					imp.Mutable = s.byte() == 1
					globalImports = append(globalImports, imp.Name)
				case 4:
					s.byte()
					imp.Type = s.u32()
				default:
					return nil, fmt.Errorf("unknown import kind %d", imp.Kind)
				}
				m.Imports = append(m.Imports, imp)
			}
		case 3:
			n := s.u32()
			for i := uint32(0); i < n && s.err == nil; i++ {
				m.FuncTypes = append(m.FuncTypes, s.u32())
			}
		case 7:
			n := s.u32()
			for i := uint32(0); i < n && s.err == nil; i++ {
				m.Exports = append(m.Exports, Export{Name: s.name(), Kind: s.byte(), Index: s.u32()})
			}
		case 9:
			if err := m.parseElems(s, globalImports); err != nil {
				return nil, err
			}
		}
		if s.err != nil {
			return nil, fmt.Errorf("section %d: %w", id, s.err)
		}
		r.p = end
	}
	if r.err != nil {
		return nil, r.err
	}
	for _, t := range m.FuncTypes {
		if int(t) >= len(m.Types) {
			return nil, fmt.Errorf("function type index %d out of range", t)
		}
	}
	return m, nil
}

func (r *wasmReader) valTypes() []api.ValueType {
	n := r.u32()
	if int(n) > len(r.b)-r.p {
		r.err = errors.New("unexpected end of wasm")
		return nil
	}
	out := make([]api.ValueType, n)
	for i := range out {
		out[i] = r.byte()
	}
	return out
}

func parseDylink(s *wasmReader) (*Dylink, error) {
	d := &Dylink{WeakImports: map[string]bool{}, TLSExports: map[string]bool{}}
	const symbolTLS, bindingMask, bindingWeak = 0x100, 3, 1
	strings := func() []string {
		n := s.u32()
		var out []string
		for i := uint32(0); i < n && s.err == nil; i++ {
			out = append(out, s.name())
		}
		return out
	}
	for s.p < len(s.b) && s.err == nil {
		kind := s.byte()
		size := int(s.u32())
		end := s.p + size
		if end > len(s.b) {
			return nil, errors.New("truncated subsection")
		}
		switch kind {
		case 1:
			d.MemorySize, d.MemoryAlign, d.TableSize, d.TableAlign = s.u32(), s.u32(), s.u32(), s.u32()
		case 2:
			d.Needed = strings()
		case 3:
			n := s.u32()
			for i := uint32(0); i < n && s.err == nil; i++ {
				name := s.name()
				if s.u32()&symbolTLS != 0 {
					d.TLSExports[name] = true
				}
			}
		case 4:
			n := s.u32()
			for i := uint32(0); i < n && s.err == nil; i++ {
				s.name()
				name := s.name()
				if s.u32()&bindingMask == bindingWeak {
					d.WeakImports[name] = true
				}
			}
		case 5:
			d.RuntimePaths = strings()
		}
		s.p = end
	}
	return d, s.err
}

// parseElems keeps the active segments of table 0 with function indices.
func (m *Module) parseElems(s *wasmReader, globalImports []string) error {
	n := s.u32()
	for i := uint32(0); i < n && s.err == nil; i++ {
		flags := s.u32()
		var seg ElemSegment
		active := flags&1 == 0
		table := uint32(0)
		if active && flags&2 != 0 {
			table = s.u32()
		}
		if active {
			g, off, err := s.constExpr(globalImports)
			if err != nil {
				return fmt.Errorf("element segment %d: %w", i, err)
			}
			seg.Global, seg.Offset = g, off
		}
		exprs := flags&4 != 0
		if flags&3 != 0 { // elemkind or reftype
			s.byte()
		}
		cnt := s.u32()
		for j := uint32(0); j < cnt && s.err == nil; j++ {
			if !exprs {
				seg.Funcs = append(seg.Funcs, s.u32())
				continue
			}
			switch op := s.byte(); op {
			case 0xd2: // ref.func
				seg.Funcs = append(seg.Funcs, s.u32())
			case 0xd0: // ref.null
				s.byte()
				seg.Funcs = append(seg.Funcs, ^uint32(0))
			default:
				return fmt.Errorf("element segment %d: unsupported expression 0x%x", i, op)
			}
			if s.byte() != 0x0b {
				return fmt.Errorf("element segment %d: bad expression", i)
			}
		}
		if active && table == 0 {
			m.Elems = append(m.Elems, seg)
		}
	}
	return nil
}

// constExpr reads an offset: i32.const, global.get of an import, and
// i32.add of the two (extended-const), up to end.
func (r *wasmReader) constExpr(globalImports []string) (global string, off int32, err error) {
	for r.err == nil {
		switch op := r.byte(); op {
		case 0x41:
			off += int32(r.s32())
		case 0x23:
			g := r.u32()
			if int(g) >= len(globalImports) {
				return "", 0, errors.New("offset reads a global that is not imported")
			}
			global = globalImports[g]
		case 0x6a: // i32.add
		case 0x0b:
			return global, off, nil
		default:
			return "", 0, fmt.Errorf("unsupported offset expression 0x%x", op)
		}
	}
	return "", 0, r.err
}

func (r *wasmReader) s32() int32 {
	var v int64
	var shift uint
	var c byte
	for shift < 35 {
		c = r.byte()
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			break
		}
	}
	if shift < 64 && c&0x40 != 0 {
		v |= -1 << shift
	}
	return int32(v)
}

// FuncExport returns the function index of the exported function name.
func (m *Module) FuncExport(name string) (uint32, bool) {
	for _, e := range m.Exports {
		if e.Kind == 0 && e.Name == name {
			return e.Index, true
		}
	}
	return 0, false
}

// TableSlots maps function indices to the table slots the active element
// segments place them in, given the values of the imported globals.
func (m *Module) TableSlots(globals map[string]uint32) map[uint32]uint32 {
	slots := map[uint32]uint32{}
	for _, seg := range m.Elems {
		base := uint32(seg.Offset)
		if seg.Global != "" {
			base += globals[seg.Global]
		}
		for i, f := range seg.Funcs {
			if _, ok := slots[f]; !ok && f != ^uint32(0) {
				slots[f] = base + uint32(i)
			}
		}
	}
	return slots
}
