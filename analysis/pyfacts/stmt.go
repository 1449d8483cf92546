package pyfacts

import (
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

// stmtFacts is one top-level statement: its nodes, in memory of their own,
// and the facts found in it. It is immutable once its Module is built, so
// a later version of the file shares it as is when the statement is
// unchanged and did not move; when it moved, the nodes are copied with
// shifted offsets and the facts are copied with their node pointers
// translated, instead of being found again.
type stmtFacts struct {
	nodes []Node  // the statement's nodes in pre-order; nodes[0] is the statement
	kids  []*Node // the backing array of their Children

	// importsBefore counts the import-bearing statements before this one
	// when its facts were collected: class bases are resolved through the
	// imports seen so far.
	importsBefore int
	hasImport     bool // an import statement is in it (it changes aliases)

	imports     []*Import
	classes     []*Class
	funcs       []*Func // every function, nested ones included
	functions   []*Func // module-level functions
	calls       []*Node
	callees     []string // calls[i] resolved through the imports
	returns     []*Node
	excepts     []*Node
	envUses     []*EnvUse
	errorRanges [][2]int
}

func (s *stmtFacts) top() *Node { return &s.nodes[0] }

var nodeSize = unsafe.Sizeof(Node{})

// slabIndex returns the index of p, a node in nodes, in nodes.
func slabIndex(nodes []Node, p *Node) int {
	return int((uintptr(unsafe.Pointer(p)) - uintptr(unsafe.Pointer(unsafe.SliceData(nodes)))) / nodeSize)
}

// build copies a tree into Nodes and returns the root, plus, when the root
// is a module, one stmtFacts per top-level statement (else one for the
// whole tree). Each statement's nodes and children slices live in two
// allocations of their own, so a statement shared by later versions keeps
// no other statement alive.
//
// Punctuation and operator tokens are left out (no rule looks at them);
// keyword tokens ("async", "except", "await", ...) are kept.
//
// With prev (the same file's previous version), top-level statements whose
// text is unchanged are not walked in tree-sitter again: old[i] is prev's
// statement reused for statement i, and stmts[i] is that same statement
// when it did not move, or a copy of its nodes (facts not yet set) moved
// by delta[i]. Only the edited statements are flattened.
func build(t *sitter.Tree, sizeHint int, src string, prev *Module) (root *Node, stmts, old []*stmtFacts) {
	var skip []byte
	var reuse []*stmtFacts // per top-level statement: prev's, or nil
	if prev != nil && prev.Root != nil && prev.Root.Type == "module" && len(prev.stmts) == len(prev.Root.Children) {
		byText := make(map[string]*stmtFacts, len(prev.stmts))
		for _, s := range prev.stmts {
			c := s.top()
			// A statement parsed next to a syntax error may parse
			// differently once the error is gone: only clean ones are reused.
			if c.Type != "ERROR" && !c.Missing && !prev.InError(c.Start, c.End) {
				byText[prev.Src[c.Start:c.End]] = s
			}
		}
		rootType, tops := topStatements(t)
		if rootType != "module" {
			tops = nil // error recovery reshaped the top level: walk it all
		}
		skip = make([]byte, len(tops))
		reuse = make([]*stmtFacts, len(tops))
		reused := 0
		for i, ts := range tops {
			if ts.hasError {
				continue
			}
			if s, ok := byText[src[ts.start:ts.end]]; ok && s.top().Type == ts.typ {
				skip[i], reuse[i] = 1, s
				reused++
			}
		}
		if reused == 0 {
			skip, reuse = nil, nil
		} else {
			sizeHint = len(src) / 16
		}
	}
	flat := flatten(t, sizeHint, skip)
	defer releaseFlat(flat)
	if len(flat) == 0 {
		return &Node{Type: "module"}, nil, nil
	}
	// keep[i] is the pre-order index of flat[i] among the kept nodes, or
	// -1 when dropped.
	keep := make([]int32, len(flat))
	// up[i] is the kept index of flat[i]'s nearest kept ancestor (-1 for
	// the root): a kept node under a dropped anonymous node hangs there.
	up := make([]int32, len(flat))
	counts := make([]int32, len(flat)) // children per kept index
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
	sb := slabBuilder{flat: flat, keep: keep, up: up, counts: counts, kept: kept}
	rootType := symbolName(uint16(flat[0].symbol))
	if rootType != "module" {
		s := &stmtFacts{}
		s.nodes, s.kids = sb.slab(0, len(flat), nil)
		return s.top(), []*stmtFacts{s}, nil
	}
	root = &Node{Type: rootType, Start: int(flat[0].start), End: int(flat[0].end), Named: flat[0].flags&1 != 0, Missing: flat[0].flags&2 != 0}
	root.Children = make([]*Node, 0, counts[0])
	stmts = make([]*stmtFacts, 0, counts[0])
	if reuse != nil {
		old = make([]*stmtFacts, 0, counts[0])
	}
	top := 0
	for a := 1; a < len(flat); {
		b := a + 1
		for b < len(flat) && flat[b].parent != 0 {
			b++
		}
		var s, o *stmtFacts
		if top < len(reuse) && reuse[top] != nil {
			o = reuse[top]
			if delta := int(flat[a].start) - o.top().Start; delta == 0 {
				s = o
			} else {
				s = &stmtFacts{}
				s.nodes, s.kids = shiftNodes(o, delta)
			}
		} else {
			s = &stmtFacts{}
			s.nodes, s.kids = sb.slab(a, b, ModuleParent)
		}
		root.Children = append(root.Children, s.top())
		stmts = append(stmts, s)
		if reuse != nil {
			old = append(old, o)
		}
		top++
		a = b
	}
	return root, stmts, old
}

// slabBuilder turns ranges of a flattened tree into Nodes.
type slabBuilder struct {
	flat             []flatNode
	keep, up, counts []int32
	kept             int
}

// slab builds the nodes of flat[a:b], a subtree in pre-order, with parent
// as the Parent of its top node.
func (sb *slabBuilder) slab(a, b int, parent *Node) ([]Node, []*Node) {
	base := int(sb.keep[a])
	end := sb.kept
	if b < len(sb.flat) {
		end = int(sb.keep[b]) // b starts the next statement, which is kept
	}
	links := 0
	for _, c := range sb.counts[base:end] {
		links += int(c)
	}
	nodes := make([]Node, end-base)
	kids := make([]*Node, links)
	next := 0
	for i := a; i < b; i++ {
		k := int(sb.keep[i])
		if k < 0 {
			continue
		}
		f := &sb.flat[i]
		n := &nodes[k-base]
		n.Type = symbolName(uint16(f.symbol))
		if fid := int(f.field); fid > 0 && fid < len(fieldNames) {
			n.Field = fieldNames[fid]
		}
		n.Start, n.End = int(f.start), int(f.end)
		n.Named = f.flags&1 != 0
		n.Missing = f.flags&2 != 0
		if c := int(sb.counts[k]); c > 0 {
			n.Children = kids[next : next : next+c]
			next += c
		}
		if i == a {
			n.Parent = parent
		} else {
			p := &nodes[int(sb.up[i])-base]
			n.Parent = p
			p.Children = append(p.Children, n)
		}
	}
	return nodes, kids
}

// shiftNodes copies a statement's nodes, moving their offsets by delta.
func shiftNodes(old *stmtFacts, delta int) ([]Node, []*Node) {
	nodes := make([]Node, len(old.nodes))
	kids := make([]*Node, len(old.kids))
	copy(nodes, old.nodes)
	oldKids := unsafe.Pointer(unsafe.SliceData(old.kids))
	ptrSize := unsafe.Sizeof((*Node)(nil))
	for i := range nodes {
		n := &nodes[i]
		n.Start += delta
		n.End += delta
		if i > 0 {
			n.Parent = &nodes[slabIndex(old.nodes, n.Parent)]
		}
		if c := len(n.Children); c > 0 {
			off := int((uintptr(unsafe.Pointer(unsafe.SliceData(n.Children))) - uintptr(oldKids)) / ptrSize)
			dst := kids[off : off+c : off+c]
			for j, k := range n.Children {
				dst[j] = &nodes[slabIndex(old.nodes, k)]
			}
			n.Children = dst
		}
	}
	return nodes, kids
}

// shiftedFacts returns old's facts for s, a copy of old's nodes: the same
// facts, pointing at s's nodes.
func shiftedFacts(s, old *stmtFacts) {
	node := func(p *Node) *Node {
		if p == nil {
			return nil
		}
		return &s.nodes[slabIndex(old.nodes, p)]
	}
	list := func(ps []*Node) []*Node {
		if ps == nil {
			return nil
		}
		out := make([]*Node, len(ps))
		for i, p := range ps {
			out[i] = node(p)
		}
		return out
	}
	s.importsBefore, s.hasImport = old.importsBefore, old.hasImport
	s.callees = old.callees // strings only
	s.calls, s.returns, s.excepts = list(old.calls), list(old.returns), list(old.excepts)
	for _, r := range old.errorRanges {
		d := s.top().Start - old.top().Start
		s.errorRanges = append(s.errorRanges, [2]int{r[0] + d, r[1] + d})
	}
	for _, imp := range old.imports {
		c := *imp
		c.Node, c.NameNode, c.Stmt = node(imp.Node), node(imp.NameNode), node(imp.Stmt)
		s.imports = append(s.imports, &c)
	}
	s.classes = make([]*Class, len(old.classes))
	classOf := func(c *Class) *Class {
		for i, oc := range old.classes {
			if oc == c {
				return s.classes[i]
			}
		}
		return nil
	}
	for i, c := range old.classes {
		nc := *c
		nc.NameNode, nc.Node, nc.BaseNodes, nc.Methods = node(c.NameNode), node(c.Node), list(c.BaseNodes), nil
		s.classes[i] = &nc
	}
	s.funcs = make([]*Func, len(old.funcs))
	funcOf := func(f *Func) *Func {
		for i, of := range old.funcs {
			if of == f {
				return s.funcs[i]
			}
		}
		return nil
	}
	for i, f := range old.funcs {
		nf := *f
		nf.NameNode, nf.Node, nf.Decorated, nf.Body = node(f.NameNode), node(f.Node), node(f.Decorated), node(f.Body)
		nf.Decorators = list(f.Decorators)
		nf.Params = make([]*Param, len(f.Params))
		for j, p := range f.Params {
			np := *p
			np.Node = node(p.Node)
			nf.Params[j] = &np
		}
		if f.Class != nil {
			nf.Class = classOf(f.Class)
		}
		s.funcs[i] = &nf
	}
	for i, c := range old.classes {
		if len(c.Methods) > 0 {
			s.classes[i].Methods = make([]*Func, len(c.Methods))
			for j, f := range c.Methods {
				s.classes[i].Methods[j] = funcOf(f)
			}
		}
	}
	for _, f := range old.functions {
		s.functions = append(s.functions, funcOf(f))
	}
	for _, u := range old.envUses {
		c := *u
		c.NameNode, c.Expr = node(u.NameNode), node(u.Expr)
		if u.Func != nil {
			c.Func = funcOf(u.Func)
		}
		s.envUses = append(s.envUses, &c)
	}
}

// hasImportNode reports whether a statement contains an import.
func hasImportNode(nodes []Node) bool {
	for i := range nodes {
		switch nodes[i].Type {
		case "import_statement", "import_from_statement", "future_import_statement":
			return true
		}
	}
	return false
}
