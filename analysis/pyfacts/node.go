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
//
// Punctuation and operator tokens are left out (no rule looks at them);
// keyword tokens ("async", "except", "await", ...) are kept.
//
// With prev (the same file's previous version), top-level statements whose
// text is unchanged are copied from prev instead of being walked in
// tree-sitter again: after a keystroke only the edited statement is.
func build(t *sitter.Tree, sizeHint int, src string, prev *Module) *Node {
	var skip []byte
	var reuse []*Node // per top-level statement: prev's subtree, or nil
	var tops []topStatement
	if prev != nil && prev.Root != nil && prev.Root.Type == "module" {
		byText := make(map[string]*Node, len(prev.Root.Children))
		for _, c := range prev.Root.Children {
			// A statement parsed next to a syntax error may parse
			// differently once the error is gone: only clean ones are reused.
			if c.Type != "ERROR" && !c.Missing && !prev.InError(c.Start, c.End) {
				byText[prev.Src[c.Start:c.End]] = c
			}
		}
		var rootType string
		rootType, tops = topStatements(t)
		if rootType != "module" {
			tops = nil // error recovery reshaped the top level: walk it all
		}
		skip = make([]byte, len(tops))
		reuse = make([]*Node, len(tops))
		reused := 0
		for i, ts := range tops {
			if ts.hasError {
				continue
			}
			if old, ok := byText[src[ts.start:ts.end]]; ok && old.Type == ts.typ {
				skip[i], reuse[i] = 1, old
				reused++
			}
		}
		if reused == 0 {
			skip, reuse = nil, nil
		} else {
			sizeHint = (len(src) - 0) / 16
		}
	}
	flat := flatten(t, sizeHint, skip)
	defer releaseFlat(flat)
	if len(flat) == 0 {
		return &Node{Type: "module"}
	}
	// keep[i] is the index of flat[i] in nodes, or -1 when dropped.
	keep := make([]int32, len(flat))
	// up[i] is the nodes index of flat[i]'s nearest kept ancestor (-1 for
	// the root): a kept node under a dropped anonymous node hangs there.
	up := make([]int32, len(flat))
	counts := make([]int32, len(flat))
	kept := 0
	for i := range flat {
		f := &flat[i]
		up[i] = -1
		if p := int(f.parent); p >= 0 {
			if keep[p] >= 0 {
				up[i] = keep[p]
			} else {
				up[i] = up[p]
			}
		}
		if f.flags&(1|2|4) == 0 && !keywordSymbol(uint16(f.symbol)) && f.parent > 0 { // root children stay: they index the top-level statements
			keep[i] = -1
			continue
		}
		keep[i] = int32(kept)
		kept++
		if up[i] >= 0 {
			counts[up[i]]++
		}
	}
	nodes := make([]Node, kept)
	kids := make([]*Node, kept)
	next := 0
	for i := range flat {
		if keep[i] < 0 {
			continue
		}
		f := &flat[i]
		n := &nodes[keep[i]]
		n.Type = symbolName(uint16(f.symbol))
		if fid := int(f.field); fid > 0 && fid < len(fieldNames) {
			n.Field = fieldNames[fid]
		}
		n.Start, n.End = int(f.start), int(f.end)
		n.Named = f.flags&1 != 0
		n.Missing = f.flags&2 != 0
		if c := int(counts[keep[i]]); c > 0 {
			n.Children = kids[next : next : next+c]
			next += c
		}
		if up[i] >= 0 {
			parent := &nodes[up[i]]
			n.Parent = parent
			parent.Children = append(parent.Children, n)
		}
	}
	root := &nodes[0]
	if reuse != nil {
		// Replace each stub with a copy of prev's subtree, shifted to where
		// the statement now starts.
		top := 0
		for i, c := range root.Children {
			if top >= len(reuse) {
				break
			}
			_ = i
			if old := reuse[top]; old != nil {
				cp := copyShifted(old, c.Start-old.Start)
				cp.Parent = root
				cp.Field = c.Field
				root.Children[i] = cp
			}
			top++
		}
	}
	return root
}

// copyShifted deep-copies a subtree, moving its offsets by delta.
func copyShifted(n *Node, delta int) *Node {
	count, links := 0, 0
	n.Walk(func(c *Node) bool { count++; links += len(c.Children); return true })
	nodes := make([]Node, count)
	kids := make([]*Node, links)
	next, k := 0, 0
	var cp func(src *Node, parent *Node) *Node
	cp = func(src *Node, parent *Node) *Node {
		dst := &nodes[next]
		next++
		*dst = *src
		dst.Start += delta
		dst.End += delta
		dst.Parent = parent
		if len(src.Children) > 0 {
			dst.Children = kids[k : k+len(src.Children) : k+len(src.Children)]
			k += len(src.Children)
			for i, c := range src.Children {
				dst.Children[i] = cp(c, dst)
			}
		}
		return dst
	}
	return cp(n, nil)
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
