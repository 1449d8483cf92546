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
void ts_tree_edit(struct TSTree *self, const pw_input_edit *edit);
static void pw_tree_edit(void *tree, pw_input_edit e) { ts_tree_edit((struct TSTree *)tree, &e); }
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
