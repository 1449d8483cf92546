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

// pw_flatten writes the tree in pre-order into out (up to cap entries) and
// returns the node count, so a caller whose buffer was too small can retry.
// One call walks the whole tree, instead of several cgo calls per node.
static uint32_t pw_flatten(void *tree, pw_flat *out, uint32_t cap) {
	pw_cursor c = ts_tree_cursor_new(ts_tree_root_node(tree));
	uint32_t n = 0;
	int32_t stack[4096];
	int depth = 0;
	int32_t parent = -1;
	for (;;) {
		pw_node node = ts_tree_cursor_current_node(&c);
		if (n < cap) {
			pw_flat *f = &out[n];
			f->start = ts_node_start_byte(node);
			f->end = ts_node_end_byte(node);
			f->parent = parent;
			f->symbol = ts_node_symbol(node);
			f->field = ts_tree_cursor_current_field_id(&c);
			f->flags = (ts_node_is_named(node) ? 1 : 0) | (ts_node_is_missing(node) ? 2 : 0);
		}
		int32_t self = (int32_t)n;
		n++;
		if (depth < 4096 && ts_tree_cursor_goto_first_child(&c)) {
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

var (
	namesOnce   sync.Once
	symbolNames []string
	fieldNames  []string
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
func flatten(t *sitter.Tree, sizeHint int) []flatNode {
	base := (*baseTreeLayout)(unsafe.Pointer(t.BaseTree))
	loadNames(C.ts_tree_language(base.c))
	buf := make([]flatNode, sizeHint)
	for {
		var p *C.pw_flat
		if len(buf) > 0 {
			p = &buf[0]
		}
		n := int(C.pw_flatten(base.c, p, C.uint32_t(len(buf))))
		if n <= len(buf) {
			return buf[:n]
		}
		buf = make([]flatNode, n)
	}
}
