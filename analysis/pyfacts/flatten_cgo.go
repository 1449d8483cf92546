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

bool ts_node_has_error(pw_node self);
int64_t ts_tree_cursor_goto_first_child_for_byte(pw_cursor *self, uint32_t goal_byte);
uint32_t ts_node_child_count(pw_node self);

// pw_window says where a walk with jump set started and stopped: the
// statements before first and from stop on (when stop >= 0) were not
// visited; the module has children statements in all.
typedef struct { int64_t first, stop; uint32_t children; } pw_window;

// pw_flatten writes the tree in pre-order into out (up to cap entries) and
// returns the node count, so a caller whose buffer was too small can retry.
// One call walks the whole tree, instead of several cgo calls per node.
//
// Some top-level statements are written as one stub node (flag 4) and not
// descended into, for their copy from an earlier version of the file to be
// reused: with skip, statement i when skip[i] is set; without, each one
// free of errors that ends by byte before or starts at byte from or later
// (the text the edit left alone).
//
// With jump (and no skip) in a tree free of errors, the statements before
// the edit are not visited at all: the walk starts at the first statement
// ending at byte before or later, and stops at the first one starting at from or
// later, written as a stub with flag 8. win says where (a top level of
// hundreds of statements costs a cursor step each otherwise).
static uint32_t pw_flatten(void *tree, pw_flat *out, uint32_t cap, const uint8_t *skip, uint32_t nskip, uint32_t before, uint32_t from, bool jump, pw_window *win) {
	pw_node root = ts_tree_root_node(tree);
	pw_cursor c = ts_tree_cursor_new(root);
	uint32_t n = 0;
	int32_t stack[4096];
	int depth = 0;
	int32_t parent = -1;
	uint32_t top = 0; // index of the current top-level statement
	win->first = 0;
	win->stop = -1;
	win->children = ts_node_child_count(root);
	jump = jump && skip == NULL && !ts_node_has_error(root) && win->children > 0;
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
		if (depth == 1) {
			if (skip != NULL) {
				stub = top < nskip && skip[top];
			} else {
				uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
				// A jumping walk starts at the first statement not ending
				// before byte before: it and the ones after are walked.
				stub = (start >= from || (end <= before && !jump)) && !ts_node_has_error(node) && !ts_node_is_missing(node);
			}
			if (stub && self < (int32_t)cap) out[self].flags |= 4;
			if (stub && jump && ts_node_start_byte(node) >= from) {
				if (self < (int32_t)cap) out[self].flags |= 8;
				win->stop = top;
				ts_tree_cursor_delete(&c);
				return n;
			}
			top++;
		}
		if (depth == 0 && jump) {
			int64_t i = ts_tree_cursor_goto_first_child_for_byte(&c, before);
			if (i < 0) { // every statement ends by before: nothing was edited
				ts_tree_cursor_delete(&c);
				win->first = win->children;
				return n;
			}
			win->first = i;
			top = (uint32_t)i;
			stack[depth++] = parent;
			parent = self;
			continue;
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

// flatten copies the tree into Go memory in one cgo call, with the
// top-level statements that skip marks, or else those outside
// [before, from), as stubs (see pw_flatten).
func flatten(t *sitter.Tree, sizeHint int, skip []byte, before, from int) []flatNode {
	flat, _ := flattenWindow(t, sizeHint, skip, before, from, false)
	return flat
}

// window is where a jumping walk started and stopped (see pw_flatten).
type window struct {
	first, stop, children int
}

// flattenWindow is flatten, jumping over the statements outside the edit
// when jump is set and the tree has no errors.
func flattenWindow(t *sitter.Tree, sizeHint int, skip []byte, before, from int, jump bool) ([]flatNode, window) {
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
	} else if skip != nil {
		skipPtr = new(C.uint8_t) // an empty list still means "by the list"
	}
	for {
		var p *C.pw_flat
		if len(buf) > 0 {
			p = &buf[0]
		}
		var win C.pw_window
		n := int(C.pw_flatten(base.c, p, C.uint32_t(len(buf)), skipPtr, C.uint32_t(len(skip)), clampU32(before), clampU32(from), C.bool(jump), &win))
		if n <= len(buf) {
			return buf[:n], window{int(win.first), int(win.stop), int(win.children)}
		}
		buf = make([]flatNode, n)
	}
}

func clampU32(n int) C.uint32_t { return C.uint32_t(min(max(n, 0), 1<<32-1)) }
