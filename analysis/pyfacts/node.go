// Package pyfacts turns a Python file's tree-sitter tree into plain Go
// values (a node tree that is safe to share between goroutines) and derives
// the facts Workers rules ask about: imports, classes and their bases,
// handlers, self.env / env usages, and helpers to resolve dotted names
// through imports.
package pyfacts

import (
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
)

// Node is one syntax node, copied out of tree-sitter.
type Node struct {
	Type     string // tree-sitter node type: "call", "identifier", "ERROR", "(" ...
	Field    string // the field name under its parent ("function", "body"), or ""
	Start    int    // byte offsets [Start, End)
	End      int
	Named    bool
	Missing  bool // inserted by error recovery
	Parent   *Node
	Children []*Node
}

// Child returns the first child in field, or nil.
func (n *Node) Child(field string) *Node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Field == field {
			return c
		}
	}
	return nil
}

// ChildrenIn returns every child in field.
func (n *Node) ChildrenIn(field string) []*Node {
	if n == nil {
		return nil
	}
	var out []*Node
	for _, c := range n.Children {
		if c.Field == field {
			out = append(out, c)
		}
	}
	return out
}

// NamedChildren returns the named children (no punctuation, no keywords).
func (n *Node) NamedChildren() []*Node {
	if n == nil {
		return nil
	}
	var out []*Node
	for _, c := range n.Children {
		if c.Named {
			out = append(out, c)
		}
	}
	return out
}

// FirstOfType returns the first child of the given type, or nil.
func (n *Node) FirstOfType(typ string) *Node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Type == typ {
			return c
		}
	}
	return nil
}

// Is reports whether n is non-nil and of one of the types.
func (n *Node) Is(types ...string) bool {
	if n == nil {
		return false
	}
	for _, t := range types {
		if n.Type == t {
			return true
		}
	}
	return false
}

// Unparen strips parentheses around an expression.
func (n *Node) Unparen() *Node {
	for n != nil && n.Type == "parenthesized_expression" {
		inner := n.NamedChildren()
		if len(inner) != 1 {
			return n
		}
		n = inner[0]
	}
	return n
}

// Walk visits n and its descendants in source order; returning false from
// visit skips a node's children.
func (n *Node) Walk(visit func(*Node) bool) {
	if n == nil || !visit(n) {
		return
	}
	for _, c := range n.Children {
		c.Walk(visit)
	}
}

// Contains reports whether offset lies in [Start, End).
func (n *Node) Contains(off int) bool { return off >= n.Start && off < n.End }

// build copies a tree into Nodes. All nodes share one backing array, and all
// children slices share another, so the copy costs two allocations.
func build(t *sitter.Tree, sizeHint int) *Node {
	flat := flatten(t, sizeHint)
	if len(flat) == 0 {
		return &Node{Type: "module"}
	}
	nodes := make([]Node, len(flat))
	counts := make([]int32, len(flat))
	for i := range flat {
		if p := int(flat[i].parent); p >= 0 {
			counts[p]++
		}
	}
	kids := make([]*Node, len(flat))
	next := 0
	for i := range flat {
		f := &flat[i]
		n := &nodes[i]
		n.Type = symbolName(uint16(f.symbol))
		if fid := int(f.field); fid > 0 && fid < len(fieldNames) {
			n.Field = fieldNames[fid]
		}
		n.Start, n.End = int(f.start), int(f.end)
		n.Named = f.flags&1 != 0
		n.Missing = f.flags&2 != 0
		if c := int(counts[i]); c > 0 {
			n.Children = kids[next : next : next+c]
			next += c
		}
		if p := int(f.parent); p >= 0 {
			n.Parent = &nodes[p]
			nodes[p].Children = append(nodes[p].Children, n)
		}
	}
	return &nodes[0]
}

// DottedText returns "a.b.c" for an identifier/attribute chain, or "".
func DottedText(n *Node, src string) string {
	var parts []string
	for n != nil {
		switch n.Type {
		case "identifier":
			parts = append(parts, src[n.Start:n.End])
			n = nil
		case "attribute":
			attr := n.Child("attribute")
			if attr == nil {
				return ""
			}
			parts = append(parts, src[attr.Start:attr.End])
			n = n.Child("object")
		case "dotted_name":
			return src[n.Start:n.End]
		default:
			return ""
		}
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, ".")
}
