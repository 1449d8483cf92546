package server

import (
	"runtime"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
)

// maxTreeDump bounds the S-expression documentState returns.
const maxTreeDump = 1 << 20

// Syntax trees are walked with a tree cursor, one node at a time, never with
// tree-sitter's recursive helpers: ts_node_string recurses once per level
// of nesting in C, and a file of 20,000 nested parentheses overflows the C
// stack — a segfault no recover() can catch. The cursor keeps its path on
// the heap, so any depth is safe.

// treeString renders a tree as an S-expression of its named nodes (with
// field names and MISSING markers, like ts_node_string), at most maxTreeDump
// bytes; truncated says it was cut.
func treeString(t *sitter.Tree) (s string, truncated bool) {
	defer runtime.KeepAlive(t)
	var b strings.Builder
	c := sitter.NewTreeCursor(t.RootNode())
	defer c.Close()
	// open[i] says whether the node at depth i wrote "(" to close.
	var open []bool
	for {
		n := c.CurrentNode()
		wrote := false
		if n.IsNamed() || n.IsMissing() {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			if f := c.CurrentFieldName(); f != "" {
				b.WriteString(f)
				b.WriteString(": ")
			}
			b.WriteByte('(')
			if n.IsMissing() {
				b.WriteString("MISSING ")
			}
			b.WriteString(n.Type())
			wrote = true
		}
		if b.Len() > maxTreeDump {
			return b.String()[:maxTreeDump], true
		}
		if c.GoToFirstChild() {
			open = append(open, wrote)
			continue
		}
		if wrote {
			b.WriteByte(')')
		}
		for !c.GoToNextSibling() {
			if !c.GoToParent() {
				return b.String(), false
			}
			if open[len(open)-1] {
				b.WriteByte(')')
			}
			open = open[:len(open)-1]
		}
	}
}

// sameTree reports whether two trees have the same nodes: kinds, fields,
// byte ranges, MISSING markers and shape.
func sameTree(a, b *sitter.Tree) bool {
	defer runtime.KeepAlive(a)
	defer runtime.KeepAlive(b)
	ca, cb := sitter.NewTreeCursor(a.RootNode()), sitter.NewTreeCursor(b.RootNode())
	defer ca.Close()
	defer cb.Close()
	for {
		na, nb := ca.CurrentNode(), cb.CurrentNode()
		if na.Symbol() != nb.Symbol() || na.StartByte() != nb.StartByte() || na.EndByte() != nb.EndByte() ||
			na.IsMissing() != nb.IsMissing() || ca.CurrentFieldName() != cb.CurrentFieldName() {
			return false
		}
		da, db := ca.GoToFirstChild(), cb.GoToFirstChild()
		if da != db {
			return false
		}
		if da {
			continue
		}
		for {
			sa, sb := ca.GoToNextSibling(), cb.GoToNextSibling()
			if sa != sb {
				return false
			}
			if sa {
				break
			}
			pa, pb := ca.GoToParent(), cb.GoToParent()
			if pa != pb {
				return false
			}
			if !pa {
				return true
			}
		}
	}
}
