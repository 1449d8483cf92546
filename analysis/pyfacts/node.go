// Package pyfacts turns a Python file's tree-sitter tree into plain Go
// values (a node tree that is safe to share between goroutines) and derives
// the facts Workers rules ask about: imports, classes and their bases,
// handlers, self.env / env usages, and helpers to resolve dotted names
// through imports.
package pyfacts

import (
	"strings"
)

// Node is one syntax node, copied out of tree-sitter.
type Node struct {
	Type  string // tree-sitter node type: "call", "identifier", "ERROR", "(" ...
	Field string // the field name under its parent ("function", "body"), or ""
	// start and end are byte offsets [start, end) relative to the start of
	// the top-level statement holding the node (a tree root's are
	// absolute). Module.Start/End/Span give absolute offsets. Relative
	// offsets let a statement that moved, unchanged, be shared as is by
	// the next version of the file: only the base of each statement,
	// kept per Module, changes.
	start, end int
	// top is the top-level statement holding the node (itself for a
	// statement; nil in a tree that is not a module): Module.Start finds
	// the statement's base from it without walking up.
	top     *Node
	Named   bool
	Missing bool // inserted by error recovery
	// Parent is the enclosing node. A top-level statement's Parent is
	// ModuleParent, not its Module's Root: unchanged statements are shared
	// between versions of a module, and each version has its own Root.
	Parent   *Node
	Children []*Node
}

// ModuleParent is the Parent of every top-level statement: a "module" node
// without children or extent, so `n.Parent.Is("module")` keeps working.
// Module.Root lists the statements of one version.
var ModuleParent = &Node{Type: "module", Named: true}

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

// keywordSymbol reports whether an anonymous symbol is a keyword (a name
// made of letters: "async", "except"), which rules may look at, rather
// than punctuation.
func keywordSymbol(s uint16) bool {
	if int(s) >= len(isKeyword) {
		return false
	}
	return isKeyword[s]
}

// DottedText returns "a.b.c" for an identifier/attribute chain, or "".
func (m *Module) DottedText(n *Node) string {
	var parts []string
	for n != nil {
		switch n.Type {
		case "identifier":
			parts = append(parts, m.Text(n))
			n = nil
		case "attribute":
			attr := n.Child("attribute")
			if attr == nil {
				return ""
			}
			parts = append(parts, m.Text(attr))
			n = n.Child("object")
		case "dotted_name":
			return m.Text(n)
		default:
			return ""
		}
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, ".")
}
