package pyfacts

import (
	sitter "github.com/smacker/go-tree-sitter"
)

// stmtFacts is one top-level statement: its nodes, in memory of their own,
// and the facts found in it. It is immutable once its Module is built, so
// a later version of the file shares it as is when the statement's text is
// unchanged, wherever it moved: node offsets are relative to the
// statement's start, which each Module records.
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

// build copies a tree into Nodes and returns the root, plus, when the root
// is a module, one stmtFacts per top-level statement and where each starts
// (else one for the whole tree, at 0). Each statement's nodes and children
// slices live in two allocations of their own, so a statement shared by
// later versions keeps no other statement alive.
//
// Punctuation and operator tokens are left out (no rule looks at them);
// keyword tokens ("async", "except", "await", ...) are kept.
//
// With prev (the same file's previous version), top-level statements whose
// text is unchanged are not walked in tree-sitter again: old[i] is prev's
// statement reused as stmts[i]. Only the edited statements are flattened.
func build(t *sitter.Tree, sizeHint int, src string, prev *Module) (root *Node, stmts []*stmtFacts, bases []int, old []*stmtFacts) {
	var skip []byte
	var reuse []*stmtFacts // per top-level statement: prev's, or nil
	if prev != nil && prev.Root != nil && prev.Root.Type == "module" && len(prev.stmts) == len(prev.Root.Children) {
		// By text, in order: a statement written twice (two `import os`)
		// is two statements, each reused once — a Module's statements are
		// distinct, as their bases are.
		byText := make(map[string][]*stmtFacts, len(prev.stmts))
		for i, s := range prev.stmts {
			c := s.top()
			start, end := prev.bases[i]+c.start, prev.bases[i]+c.end
			// A statement parsed next to a syntax error may parse
			// differently once the error is gone: only clean ones are reused.
			if c.Type != "ERROR" && !c.Missing && !prev.InError(start, end) {
				byText[prev.Src[start:end]] = append(byText[prev.Src[start:end]], s)
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
			text := src[ts.start:ts.end]
			if same := byText[text]; len(same) > 0 && same[0].top().Type == ts.typ {
				skip[i], reuse[i] = 1, same[0]
				byText[text] = same[1:]
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
		return &Node{Type: "module"}, nil, nil, nil
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
		s.nodes, s.kids = sb.slab(0, len(flat), nil, 0)
		return s.top(), []*stmtFacts{s}, []int{0}, nil
	}
	root = &Node{Type: rootType, start: int(flat[0].start), end: int(flat[0].end), Named: flat[0].flags&1 != 0, Missing: flat[0].flags&2 != 0}
	root.Children = make([]*Node, 0, counts[0])
	stmts = make([]*stmtFacts, 0, counts[0])
	bases = make([]int, 0, counts[0])
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
			s = o
		} else {
			s = &stmtFacts{}
			s.nodes, s.kids = sb.slab(a, b, ModuleParent, int(flat[a].start))
		}
		root.Children = append(root.Children, s.top())
		stmts = append(stmts, s)
		bases = append(bases, int(flat[a].start))
		if reuse != nil {
			old = append(old, o)
		}
		top++
		a = b
	}
	return root, stmts, bases, old
}

// slabBuilder turns ranges of a flattened tree into Nodes.
type slabBuilder struct {
	flat             []flatNode
	keep, up, counts []int32
	kept             int
}

// slab builds the nodes of flat[a:b], a subtree in pre-order, with parent
// as the Parent of its top node and offsets relative to base.
func (sb *slabBuilder) slab(a, b int, parent *Node, base int) ([]Node, []*Node) {
	first := int(sb.keep[a])
	end := sb.kept
	if b < len(sb.flat) {
		end = int(sb.keep[b]) // b starts the next statement, which is kept
	}
	links := 0
	for _, c := range sb.counts[first:end] {
		links += int(c)
	}
	nodes := make([]Node, end-first)
	kids := make([]*Node, links)
	next := 0
	for i := a; i < b; i++ {
		k := int(sb.keep[i])
		if k < 0 {
			continue
		}
		f := &sb.flat[i]
		n := &nodes[k-first]
		n.Type = symbolName(uint16(f.symbol))
		if fid := int(f.field); fid > 0 && fid < len(fieldNames) {
			n.Field = fieldNames[fid]
		}
		n.start, n.end = int(f.start)-base, int(f.end)-base
		if parent == ModuleParent {
			n.top = &nodes[0]
		}
		n.Named = f.flags&1 != 0
		n.Missing = f.flags&2 != 0
		if c := int(sb.counts[k]); c > 0 {
			n.Children = kids[next : next : next+c]
			next += c
		}
		if i == a {
			n.Parent = parent
		} else {
			p := &nodes[int(sb.up[i])-first]
			n.Parent = p
			p.Children = append(p.Children, n)
		}
	}
	return nodes, kids
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
