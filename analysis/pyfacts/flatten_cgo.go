package pyfacts

/*
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>

// Layouts of tree-sitter's public structs (api.h of the pinned
// go-tree-sitter); the functions are linked from that package's C objects.
typedef struct { uint32_t context[4]; const void *id; const void *tree; } pw_node;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } pw_cursor;
typedef uint16_t pw_symbol;

pw_node ts_tree_root_node(const void *self);
const void *ts_tree_language(const void *self);
pw_cursor ts_tree_cursor_new(pw_node node);
void ts_tree_cursor_delete(pw_cursor *self);
pw_node ts_tree_cursor_current_node(const pw_cursor *self);
uint16_t ts_tree_cursor_current_field_id(const pw_cursor *self);
bool ts_tree_cursor_goto_first_child(pw_cursor *self);
bool ts_tree_cursor_goto_next_sibling(pw_cursor *self);
bool ts_tree_cursor_goto_parent(pw_cursor *self);
pw_symbol ts_node_symbol(pw_node self);
uint32_t ts_node_start_byte(pw_node self);
uint32_t ts_node_end_byte(pw_node self);
bool ts_node_is_named(pw_node self);
bool ts_node_is_missing(pw_node self);
uint32_t ts_language_symbol_count(const void *self);
const char *ts_language_symbol_name(const void *self, pw_symbol symbol);
uint32_t ts_language_field_count(const void *self);
const char *ts_language_field_name_for_id(const void *self, uint16_t id);

typedef struct {
	uint32_t start, end;
	int32_t parent;
	uint16_t symbol, field;
	uint8_t flags; // 1 named, 2 missing
} pw_flat;

typedef struct { uint32_t start, end; uint16_t symbol; uint8_t has_error; } pw_top;

bool ts_node_has_error(pw_node self);

// pw_top_children lists the root's children (the module's top-level
// statements) with their ranges; it returns their count.
static uint32_t pw_top_children(void *tree, pw_top *out, uint32_t cap, uint16_t *root_symbol) {
	pw_node root = ts_tree_root_node(tree);
	*root_symbol = ts_node_symbol(root);
	pw_cursor c = ts_tree_cursor_new(root);
	uint32_t n = 0;
	if (ts_tree_cursor_goto_first_child(&c)) {
		do {
			pw_node node = ts_tree_cursor_current_node(&c);
			if (n < cap) {
				out[n].start = ts_node_start_byte(node);
				out[n].end = ts_node_end_byte(node);
				out[n].symbol = ts_node_symbol(node);
				out[n].has_error = ts_node_has_error(node) || ts_node_is_missing(node);
			}
			n++;
		} while (ts_tree_cursor_goto_next_sibling(&c));
	}
	ts_tree_cursor_delete(&c);
	return n;
}

// pw_flatten writes the tree in pre-order into out (up to cap entries) and
// returns the node count, so a caller whose buffer was too small can retry.
// One call walks the whole tree, instead of several cgo calls per node.
// When skip is not NULL, a top-level statement i with skip[i] set is
// written as one stub node (flag 4) and not descended into: its copy from
// an earlier version of the file is reused.
static uint32_t pw_flatten(void *tree, pw_flat *out, uint32_t cap, const uint8_t *skip, uint32_t nskip) {
	pw_cursor c = ts_tree_cursor_new(ts_tree_root_node(tree));
	uint32_t n = 0;
	int32_t stack[4096];
	int depth = 0;
	int32_t parent = -1;
	uint32_t top = 0; // index of the current top-level statement
	for (;;) {
		pw_node node = ts_tree_cursor_current_node(&c);
		if (n < cap) {
			pw_flat *f = &out[n];
			f->start = ts_node_start_byte(node);
			f->end = ts_node_end_byte(node);
			f->parent = parent;
			f->symbol = ts_node_symbol(node);
			bool named = ts_node_is_named(node);
			// Anonymous tokens need no field name: rules read fields of
			// named nodes only, and the lookup is a third of the walk.
			f->field = named ? ts_tree_cursor_current_field_id(&c) : 0;
			f->flags = (named ? 1 : 0) | (ts_node_is_missing(node) ? 2 : 0);
		}
		int32_t self = (int32_t)n;
		n++;
		bool stub = false;
		if (skip != NULL && depth == 1) {
			if (top < nskip && skip[top]) {
				stub = true;
				if (self < (int32_t)cap) out[self].flags |= 4;
			}
			top++;
		}
		if (!stub && depth < 4096 && ts_tree_cursor_goto_first_child(&c)) {
			stack[depth++] = parent;
			parent = self;
			continue;
		}
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (depth == 0 || !ts_tree_cursor_goto_parent(&c)) {
				ts_tree_cursor_delete(&c);
				return n;
			}
			parent = stack[--depth];
		}
	}
}
*/
import "C"

import (
	"strings"
	"sync"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

// baseTreeLayout mirrors go-tree-sitter's BaseTree, whose first field is the
// C tree pointer (the same trick analysis/pysyntax uses for ts_tree_edit).
type baseTreeLayout struct {
	c        unsafe.Pointer
	isClosed bool
}

type flatNode = C.pw_flat

// flatPool recycles the flat buffers: only their memory is reused, never
// their content, so nothing is cached across calls.
var flatPool = sync.Pool{New: func() any { return []flatNode(nil) }}

// releaseFlat returns a buffer to the pool.
//
//lint:ignore SA6002 the slice header's allocation is cheaper than the buffers it saves
func releaseFlat(b []flatNode) { flatPool.Put(b[:0]) }

var (
	namesOnce   sync.Once
	symbolNames []string
	fieldNames  []string
	isKeyword   []bool
)

// loadNames caches the grammar's symbol and field names once: converting a
// C string per node would dominate the walk.
func loadNames(lang unsafe.Pointer) {
	namesOnce.Do(func() {
		ns := uint32(C.ts_language_symbol_count(lang))
		symbolNames = make([]string, ns)
		for i := uint32(0); i < ns; i++ {
			symbolNames[i] = C.GoString(C.ts_language_symbol_name(lang, C.pw_symbol(i)))
		}
		isKeyword = make([]bool, ns)
		for i, name := range symbolNames {
			isKeyword[i] = name != "" && strings.Trim(name, "abcdefghijklmnopqrstuvwxyz_") == ""
		}
		nf := uint32(C.ts_language_field_count(lang))
		fieldNames = make([]string, nf+1)
		for i := uint32(1); i <= nf; i++ {
			if p := C.ts_language_field_name_for_id(lang, C.uint16_t(i)); p != nil {
				fieldNames[i] = C.GoString(p)
			}
		}
	})
}

func symbolName(s uint16) string {
	if s == 0xFFFF {
		return "ERROR"
	}
	if int(s) < len(symbolNames) {
		return symbolNames[s]
	}
	return "?"
}

// flatten copies the tree into Go memory in one cgo call.
func flatten(t *sitter.Tree, sizeHint int, skip []byte) []flatNode {
	base := (*baseTreeLayout)(unsafe.Pointer(t.BaseTree))
	loadNames(C.ts_tree_language(base.c))
	buf := flatPool.Get().([]flatNode)
	if cap(buf) < sizeHint {
		buf = make([]flatNode, sizeHint)
	}
	buf = buf[:cap(buf)]
	var skipPtr *C.uint8_t
	if len(skip) > 0 {
		skipPtr = (*C.uint8_t)(unsafe.Pointer(&skip[0]))
	}
	for {
		var p *C.pw_flat
		if len(buf) > 0 {
			p = &buf[0]
		}
		n := int(C.pw_flatten(base.c, p, C.uint32_t(len(buf)), skipPtr, C.uint32_t(len(skip))))
		if n <= len(buf) {
			return buf[:n]
		}
		buf = make([]flatNode, n)
	}
}

// topStatement is one top-level statement's range and type.
type topStatement struct {
	start, end int
	typ        string
	hasError   bool
}

// topStatements lists the module's top-level statements in one cgo call,
// with the root's type ("module", or "ERROR" for a file that does not
// parse as one).
func topStatements(t *sitter.Tree) (string, []topStatement) {
	base := (*baseTreeLayout)(unsafe.Pointer(t.BaseTree))
	loadNames(C.ts_tree_language(base.c))
	buf := make([]C.pw_top, 256)
	var rootSym C.uint16_t
	for {
		n := int(C.pw_top_children(base.c, &buf[0], C.uint32_t(len(buf)), &rootSym))
		if n > len(buf) {
			buf = make([]C.pw_top, n)
			continue
		}
		out := make([]topStatement, n)
		for i := range out {
			out[i] = topStatement{int(buf[i].start), int(buf[i].end), symbolName(uint16(buf[i].symbol)), buf[i].has_error != 0}
		}
		return symbolName(uint16(rootSym)), out
	}
}
