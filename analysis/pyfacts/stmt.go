package pyfacts

import (
	"sort"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
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
// With prev (the same file's previous version), the top-level statements
// in the text before and after the edit (the common prefix and suffix of
// the two texts, or edit when the caller knows it) are not walked in
// tree-sitter again: old[i] is prev's statement reused as stmts[i]. Only the edited statements are flattened,
// and finding the others costs no look at their text.
func build(t *sitter.Tree, sizeHint int, src string, prev *Module, edit *[3]int) (root *Node, stmts []*stmtFacts, bases []int, old []*stmtFacts) {
	flat, reuse, prefix, suffix := flattenReusing(t, sizeHint, src, prev, edit)
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
	nTop := int(counts[0]) + len(prefix) + len(suffix)
	root.Children = make([]*Node, 0, nTop)
	stmts = make([]*stmtFacts, 0, nTop)
	bases = make([]int, 0, nTop)
	if reuse != nil || prefix != nil || suffix != nil {
		old = make([]*stmtFacts, 0, int(counts[0])+len(prefix)+len(suffix))
	}
	for i, o := range prefix {
		root.Children = append(root.Children, o.top())
		stmts = append(stmts, o)
		bases = append(bases, prev.bases[i])
		old = append(old, o)
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
		if old != nil {
			old = append(old, o)
		}
		top++
		a = b
	}
	for i, o := range suffix { // only with prev: moved by the edit's change of length
		root.Children = append(root.Children, o.top())
		stmts = append(stmts, o)
		bases = append(bases, prev.bases[len(prev.stmts)-len(suffix)+i]+len(src)-len(prev.Src))
		old = append(old, o)
	}
	return root, stmts, bases, old
}

// flattenReusing flattens t, leaving out what prev (when usable) already
// has: the statements a jumping walk skipped (prefix, before the walked
// ones, and suffix, after them), or else stubs, with reuse[i] the statement
// of prev that top-level statement i stands for (nil: walked). delta and
// the edit's span come from edit when the caller knows it, else from the
// texts.
func flattenReusing(t *sitter.Tree, sizeHint int, src string, prev *Module, edit *[3]int) (flat []flatNode, reuse, prefix, suffix []*stmtFacts) {
	if prev == nil || prev.Root == nil || prev.Root.Type != "module" || len(prev.stmts) != len(prev.Root.Children) {
		return flatten(t, sizeHint, []byte{}, 0, 0), nil, nil, nil // no stubs
	}
	var before, from int
	if edit != nil { // [start, oldEnd) of prev's text is [start, newEnd) of src
		before, from = edit[0], edit[2]
	} else {
		p, q := textpos.CommonEnds(prev.Src, src)
		before, from = p, len(src)-q
	}
	delta := len(src) - len(prev.Src)
	sizeHint = min(sizeHint, len(prev.stmts)+(from-before)/2+2048)

	flat, win := flattenWindow(t, sizeHint, nil, before, from, true)
	if win.first > 0 || win.stop >= 0 { // it jumped
		if prefix, suffix, ok := jumpedOver(flat, win, prev, before, from, delta); ok {
			if win.stop >= 0 {
				flat = flat[:len(flat)-1] // the stop stub: suffix[0]
			}
			return flat, nil, prefix, suffix // the walked statements are all fresh
		}
		releaseFlat(flat)
		flat = flatten(t, sizeHint, nil, before, from)
	}
	reuse, missed := matchStubs(flat, prev, before, from, delta)
	if missed {
		// A stub with no clean statement of prev to stand for: walk it.
		skip := make([]byte, len(reuse))
		for i, o := range reuse {
			if o != nil {
				skip[i] = 1
			}
		}
		releaseFlat(flat)
		flat = flatten(t, sizeHint, skip, 0, 0)
	}
	return flat, reuse, nil, nil
}

// standIn returns the index of prev's statement that the stub f stands
// for: the one starting at byte at of prev's text, of f's type and length
// and with no parse error in prev (a statement parsed next to an error may
// parse differently once the error is gone); -1 when there is none.
func standIn(prev *Module, f *flatNode, at int) int {
	k := sort.SearchInts(prev.bases, at)
	if k >= len(prev.bases) || prev.bases[k] != at {
		return -1
	}
	c := prev.stmts[k].top()
	if c.Type != symbolName(uint16(f.symbol)) || c.end-c.start != int(f.end-f.start) || c.Type == "ERROR" || c.Missing || prev.InError(at+c.start, at+c.end) {
		return -1
	}
	return k
}

// jumpedOver returns prev's statements that stand for the ones a jumping
// walk did not visit (win.first before it, and from win.stop on), when
// prev's statements around the edit line up with the walk: as many before
// it, ending before byte before, and from the stop stub on, the same statement at
// the stub's place (delta bytes earlier in prev) and as many after it, all
// free of errors in prev. Else ok is false and the caller walks them.
func jumpedOver(flat []flatNode, win window, prev *Module, before, from, delta int) (prefix, suffix []*stmtFacts, ok bool) {
	if len(prev.ErrorRanges) > 0 || len(flat) == 0 || symbolName(uint16(flat[0].symbol)) != "module" {
		return nil, nil, false
	}
	ends := func(i int) int { return prev.bases[i] + prev.stmts[i].top().end }
	// The walk started at the first statement not ending before byte
	// before; as many of prev's end before it.
	n := sort.Search(len(prev.stmts), func(i int) bool { return ends(i) >= before })
	if n != win.first {
		return nil, nil, false
	}
	prefix = prev.stmts[:n]
	if win.stop < 0 {
		return prefix, nil, win.first+countTop(flat) == win.children
	}
	stop := &flat[len(flat)-1]
	if stop.flags&8 == 0 {
		return nil, nil, false
	}
	k := standIn(prev, stop, int(stop.start)-delta)
	if k < n {
		return nil, nil, false
	}
	suffix = prev.stmts[k:]
	// The walk's statements (the stop stub among them) and those jumped
	// over make up the module.
	return prefix, suffix, win.first+countTop(flat)-1+len(suffix) == win.children
}

// countTop counts the top-level statements in flat.
func countTop(flat []flatNode) int {
	n := 0
	for i := 1; i < len(flat); i++ {
		if flat[i].parent == 0 {
			n++
		}
	}
	return n
}

// matchStubs finds, for each top-level statement of flat written as a stub,
// the statement of prev it stands for: the one that started at the same
// place, in the text before the edit, or delta bytes earlier, after it.
// Only a standIn is taken; missed says a stub found none.
func matchStubs(flat []flatNode, prev *Module, before, from, delta int) (reuse []*stmtFacts, missed bool) {
	if len(flat) == 0 || symbolName(uint16(flat[0].symbol)) != "module" {
		// Error recovery reshaped the top level: the stubs (if any) stand
		// for nothing, walk it all.
		return nil, true
	}
	for i := 1; i < len(flat); i++ {
		f := &flat[i]
		if f.parent != 0 {
			continue
		}
		if f.flags&4 == 0 {
			reuse = append(reuse, nil)
			continue
		}
		at := int(f.start)
		if at >= from {
			at -= delta
		}
		var o *stmtFacts
		if k := standIn(prev, f, at); k >= 0 {
			o = prev.stmts[k]
		}
		missed = missed || o == nil
		reuse = append(reuse, o)
	}
	return reuse, missed
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
