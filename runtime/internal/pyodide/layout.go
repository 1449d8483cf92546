package pyodide

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// layout holds the link-time constants Emscripten's loader (pyodide.asm.js)
// passes to the main module. They change between Pyodide builds, so they are
// read from the loader shipped with the wasm rather than hard-coded.
type layout struct {
	memoryBase   uint32 // env.__memory_base
	tableBase    uint32 // env.__table_base
	stackPointer uint32 // initial env.__stack_pointer
	heapBase     uint32 // GOT.mem.__heap_base
	stackHigh    uint32
	stackLow     uint32
	tableSize    uint32 // initial __indirect_function_table size
	initialPages uint32 // INITIAL_MEMORY / 64 KiB

	// emscripten_asm_const_int code addresses, keyed by what they do.
	asmConstJSPI  uint32 // ()=>jspiSupported
	asmConstOpen  uint32 // wasmImports["open64"]=... (a no-op for us)
	asmConstFatal uint32 // throws "intentionally triggered fatal error!"
}

func readLayout(loaderJS string) (*layout, error) {
	b, err := os.ReadFile(loaderJS)
	if err != nil {
		return nil, err
	}
	src := string(b)
	var l layout
	var errs []string
	num := func(dst *uint32, what string, re string) {
		m := regexp.MustCompile(re).FindStringSubmatch(src)
		if m == nil {
			errs = append(errs, what)
			return
		}
		v, err := strconv.ParseUint(m[1], 10, 32)
		if err != nil {
			errs = append(errs, what)
			return
		}
		*dst = uint32(v)
	}
	num(&l.memoryBase, "__memory_base", `___memory_base=new WebAssembly\.Global\(\{value:"i32",mutable:false\},(\d+)\)`)
	num(&l.tableBase, "__table_base", `___table_base=new WebAssembly\.Global\(\{value:"i32",mutable:false\},(\d+)\)`)
	num(&l.stackPointer, "__stack_pointer", `___stack_pointer=new WebAssembly\.Global\(\{value:"i32",mutable:true\},(\d+)\)`)
	num(&l.heapBase, "__heap_base", `___heap_base=(\d+)`)
	num(&l.stackHigh, "__stack_high", `___stack_high=(\d+)`)
	num(&l.stackLow, "__stack_low", `___stack_low=(\d+)`)
	num(&l.tableSize, "table size", `new WebAssembly\.Table\(\{initial:(\d+),element:"anyfunc"\}\)`)
	var initialMemory uint32
	num(&initialMemory, "INITIAL_MEMORY", `INITIAL_MEMORY=Module\["INITIAL_MEMORY"\]\|\|(\d+)`)
	l.initialPages = initialMemory / 65536

	m := regexp.MustCompile(`var ASM_CONSTS=\{(.*?)\};`).FindStringSubmatch(src)
	if m == nil {
		errs = append(errs, "ASM_CONSTS")
	} else {
		for _, e := range regexp.MustCompile(`(\d+):\(\)=>`).FindAllStringSubmatchIndex(m[1], -1) {
			addr, _ := strconv.ParseUint(m[1][e[2]:e[3]], 10, 32)
			body := m[1][e[1]:min(len(m[1]), e[1]+80)]
			switch {
			case strings.HasPrefix(body, "jspiSupported"):
				l.asmConstJSPI = uint32(addr)
			case strings.Contains(body, "open64"):
				l.asmConstOpen = uint32(addr)
			case strings.Contains(body, "intentionally triggered"):
				l.asmConstFatal = uint32(addr)
			}
		}
		if l.asmConstJSPI == 0 {
			errs = append(errs, "ASM_CONSTS jspiSupported")
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: cannot find %s (not a Pyodide %s loader?)", loaderJS, strings.Join(errs, ", "), PyodideVersion)
	}
	return &l, nil
}

// PyodideVersion is the Pyodide release the runtime loads (Python 3.13, the
// interpreter Cloudflare's runtime uses for compatibility dates from 2025-09-29).
const PyodideVersion = "0.28.2"
