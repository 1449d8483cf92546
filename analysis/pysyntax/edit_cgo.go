package pysyntax

/*
#include <stdint.h>
// The layout of TSPoint and TSInputEdit from tree-sitter's api.h; the symbol
// ts_tree_edit is linked from the go-tree-sitter package's C objects.
typedef struct { uint32_t row; uint32_t column; } pw_point;
typedef struct {
	uint32_t start_byte;
	uint32_t old_end_byte;
	uint32_t new_end_byte;
	pw_point start_point;
	pw_point old_end_point;
	pw_point new_end_point;
} pw_input_edit;
struct TSTree;
struct TSParser;
void ts_tree_edit(struct TSTree *self, const pw_input_edit *edit);
struct TSTree *ts_parser_parse_string(struct TSParser *self, const struct TSTree *old_tree, const char *string, uint32_t length);
void ts_tree_delete(struct TSTree *self);
static void pw_tree_edit(void *tree, pw_input_edit e) { ts_tree_edit((struct TSTree *)tree, &e); }
static void *pw_parse(void *parser, void *old, const char *text, uint32_t n) {
	return ts_parser_parse_string((struct TSParser *)parser, (const struct TSTree *)old, text, n);
}
static void pw_tree_delete(void *tree) { ts_tree_delete((struct TSTree *)tree); }
*/
import "C"

import (
	"runtime"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

// baseTreeLayout mirrors go-tree-sitter's BaseTree, whose first field is the
// C tree pointer.
type baseTreeLayout struct {
	c        unsafe.Pointer
	isClosed bool
}

// parserLayout mirrors go-tree-sitter's Parser, whose second field is the
// C parser pointer.
type parserLayout struct {
	isClosed bool
	c        unsafe.Pointer
	cancel   *uintptr
}

// reparse parses text incrementally from old (a tree already edited to
// match it) reading text where it is: go-tree-sitter's Parse copies the
// whole text into C memory first, a 200 KB malloc and copy per keystroke
// on a 5,000-line module. tree-sitter reads the text only during the call
// and keeps no pointer to it, and the bytes hold no Go pointers, so cgo
// allows passing them. The result is wrapped in a Tree of go-tree-sitter's
// own making (a copy of old, repointed), which frees it from its
// finalizer as usual. nil when the parse failed.
func reparse(p *sitter.Parser, old *sitter.Tree, text string) *sitter.Tree {
	var src *C.char
	if len(text) > 0 {
		src = (*C.char)(unsafe.Pointer(unsafe.StringData(text)))
	}
	oldC := (*baseTreeLayout)(unsafe.Pointer(old.BaseTree)).c
	newC := C.pw_parse((*parserLayout)(unsafe.Pointer(p)).c, oldC, src, C.uint32_t(len(text)))
	runtime.KeepAlive(text)
	if newC == nil {
		runtime.KeepAlive(old)
		return nil
	}
	t := old.Copy()
	runtime.KeepAlive(old)
	base := (*baseTreeLayout)(unsafe.Pointer(t.BaseTree))
	C.pw_tree_delete(base.c) // the copy's reference to old's root
	base.c = newC
	return t
}

// editTree applies an edit to a tree. go-tree-sitter's own Tree.Edit passes
// the old end point as the new end point (a bug in the pinned version), so
// tree-sitter would be told wrong row/column extents for every edit that
// changes the line count; this calls tree-sitter directly with the right one.
func editTree(t *sitter.Tree, e sitter.EditInput) {
	base := (*baseTreeLayout)(unsafe.Pointer(t.BaseTree))
	C.pw_tree_edit(base.c, C.pw_input_edit{
		start_byte:    C.uint32_t(e.StartIndex),
		old_end_byte:  C.uint32_t(e.OldEndIndex),
		new_end_byte:  C.uint32_t(e.NewEndIndex),
		start_point:   C.pw_point{row: C.uint32_t(e.StartPoint.Row), column: C.uint32_t(e.StartPoint.Column)},
		old_end_point: C.pw_point{row: C.uint32_t(e.OldEndPoint.Row), column: C.uint32_t(e.OldEndPoint.Column)},
		new_end_point: C.pw_point{row: C.uint32_t(e.NewEndPoint.Row), column: C.uint32_t(e.NewEndPoint.Column)},
	})
	runtime.KeepAlive(t) // the finalizer must not free the tree during the call
}
