package pyfacts

import (
	"sort"
	"strings"
)

// Member chains such as `(await self.env.DB.prepare(sql).bind(1)).x`, read
// from the tree: the chain an expression node is (ChainOf), the receiver of
// a "." being typed (ChainBefore) and the call whose "(" is open at the
// cursor (OpenCallAt).
//
// Half-typed code parses into ERROR nodes whose children are still whole
// expressions, so the receiver of a trailing dot is the expression node
// ending right before it. Punctuation is not kept in the tree: the bytes
// between two sibling nodes (a gap) are exactly the dropped tokens and
// blanks, which is where "(", "," and newlines are looked for.

// OpKind is the kind of one step of a chain.
type OpKind int

// The chain steps.
const (
	OpAttr  OpKind = iota // .name
	OpCall                // (...)
	OpIndex               // [...]
)

// ChainOp is one step of a chain.
type ChainOp struct {
	Kind OpKind
	Name string // OpAttr: the member name
	Node *Node  // OpAttr: the name identifier; OpCall: the argument list; OpIndex: the subscript
}

// Chain is a primary expression: a name or a parenthesized expression,
// then attribute accesses, calls and subscripts.
type Chain struct {
	Awaited bool   // prefixed with await
	Root    *Node  // the root identifier; nil when Inner is set
	Name    string // the root identifier's text
	Inner   *Chain // a parenthesized root expression
	Ops     []ChainOp
	Start   int // where the expression starts (its root, or the "(" of Inner)
}

// ChainOf returns the chain expression n is (`await` allowed in front), or
// nil when n is something else (a literal, an operator expression).
func (m *Module) ChainOf(n *Node) *Chain {
	if n == nil {
		return nil
	}
	if n.Type == "await" {
		for _, c := range n.Children {
			if c.Named && c.Type != "comment" {
				ch := m.primaryChain(c)
				if ch != nil {
					ch.Awaited = true
					ch.Start = m.Start(n)
				}
				return ch
			}
		}
		return nil
	}
	return m.primaryChain(n)
}

func (m *Module) primaryChain(n *Node) *Chain {
	var ops []ChainOp
	done := func(c *Chain) *Chain {
		for i, j := 0, len(ops)-1; i < j; i, j = i+1, j-1 {
			ops[i], ops[j] = ops[j], ops[i]
		}
		c.Ops = ops
		return c
	}
	for n != nil {
		switch n.Type {
		case "identifier":
			return done(&Chain{Root: n, Name: m.Text(n), Start: m.Start(n)})
		case "attribute":
			obj, attr := n.Child("object"), n.Child("attribute")
			if obj == nil || attr == nil || attr.Type != "identifier" {
				return nil
			}
			if m.SplitByNewline(n) {
				// `x = self.env.` typed above `cached = 1`: the next
				// line's name starts a chain of its own.
				return done(&Chain{Root: attr, Name: m.Text(attr), Start: m.Start(attr)})
			}
			ops = append(ops, ChainOp{Kind: OpAttr, Name: m.Text(attr), Node: attr})
			n = obj
		case "call":
			args := n.Child("arguments")
			if args == nil {
				return nil
			}
			ops = append(ops, ChainOp{Kind: OpCall, Node: args})
			n = n.Child("function")
		case "subscript":
			ops = append(ops, ChainOp{Kind: OpIndex, Node: n})
			n = n.Child("value")
		case "parenthesized_expression":
			var inner *Node
			for _, c := range n.Children {
				if c.Named && c.Type != "comment" {
					if inner != nil {
						return nil
					}
					inner = c
				}
			}
			ic := m.ChainOf(inner)
			if ic == nil {
				return nil
			}
			return done(&Chain{Inner: ic, Start: m.Start(n)})
		default:
			return nil
		}
	}
	return nil
}

// isPrimary reports whether n can be the receiver of a member access.
func isPrimary(n *Node) bool {
	return n.Is("identifier", "attribute", "call", "subscript", "parenthesized_expression")
}

// bracketNodes are the node types whose brackets let an expression go on
// over a newline.
var bracketNodes = map[string]bool{
	"parenthesized_expression": true, "argument_list": true, "list": true, "dictionary": true, "set": true,
	"subscript": true, "generator_expression": true, "list_comprehension": true, "dictionary_comprehension": true,
	"set_comprehension": true, "parameters": true, "tuple": true, "import_from_statement": true,
}

// SplitByNewline reports whether an attribute's "." and name are on
// different lines where Python would end the statement: outside brackets
// (tree-sitter's scanner accepts `self.env.⏎cached = 1` as one assignment)
// or inside a parse error (the brackets may be unclosed). Such an
// attribute is the end of one half-typed line and the start of the next,
// not a member access.
func (m *Module) SplitByNewline(attr *Node) bool {
	obj, name := attr.Child("object"), attr.Child("attribute")
	if obj == nil || name == nil {
		return false
	}
	gap := m.Src[m.End(obj):m.Start(name)]
	split := false
	for i := 0; i < len(gap); i++ {
		if gap[i] == '\n' && !strings.HasSuffix(strings.TrimRight(gap[:i], "\r"), "\\") {
			split = true
			break
		}
	}
	if !split {
		return false
	}
	inBrackets := false
	for p := attr.Parent; p != nil; p = p.Parent {
		if p.Type == "ERROR" {
			return true
		}
		inBrackets = inBrackets || bracketNodes[p.Type]
	}
	return !inBrackets
}

// path returns the nodes from a top-level statement down to the deepest
// one holding the byte at off (off-1 when atEnd: a node ending at off).
func (m *Module) path(off int, atEnd bool) []*Node {
	probe := off
	if atEnd {
		probe = off - 1
	}
	if m.Root == nil || probe < 0 {
		return nil
	}
	var top *Node
	if m.tops == nil { // not a module: the root's children, at 0
		for _, c := range m.Root.Children {
			if c.start <= probe && probe < c.end {
				top = c
				break
			}
		}
	} else if i, base := m.topAt(probe); i >= 0 {
		top = m.Root.Children[i]
		probe -= base // relative to the statement from here on
		if top.start > probe {
			top = nil
		}
	}
	if top == nil {
		return nil
	}
	out := []*Node{top}
	for n := top; ; {
		var next *Node
		for _, c := range n.Children {
			if c.start <= probe && probe < c.end {
				next = c
				break
			}
		}
		if next == nil {
			return out
		}
		out = append(out, next)
		n = next
	}
}

// ChainBefore returns the chain ending exactly at byte offset end — the
// receiver when a "." is typed at end — or nil. It works on half-typed
// lines (`self.env.`, `x = self.env.` above more code, inside an unclosed
// call, at the end of the file), where the receiver is a whole node
// inside an ERROR node.
func (m *Module) ChainBefore(end int) *Chain {
	p := m.path(end, true)
	var n *Node
	for i := len(p) - 1; i >= 0; i-- {
		if m.End(p[i]) == end && isPrimary(p[i]) {
			n = p[i]
			break
		}
	}
	if n == nil {
		return nil
	}
	// Up through the chain's own nodes: `self.env` ends where its name
	// `env` does. A node ending there that is not a primary (an argument
	// list with a MISSING ")") is not part of the receiver.
	for n.Parent != nil && isPrimary(n.Parent) && m.End(n.Parent) == end {
		n = n.Parent
	}
	return m.ChainOf(n)
}

// InCommentOrString reports whether byte offset off is inside a comment
// or a string literal, including a string left unterminated earlier on
// its line.
func (m *Module) InCommentOrString(off int) bool {
	p := m.path(off, true)
	for i := len(p) - 1; i >= 0; i-- {
		n := p[i]
		switch {
		case n.Type == "comment":
			return true
		case n.Type == "string" && off < m.End(n):
			return true
		case n.Type == "string" && off == m.End(n):
			// at the end of a string: inside only when it is unterminated
			return n.FirstOfType("string_end") == nil
		}
	}
	// An unterminated quote parses as a lone string_start in an ERROR.
	line, _ := m.Lines.Point(off)
	lineStart := m.Lines.LineStart(line)
	found := false
	m.Walk(lineStart, off, func(n *Node, start, _ int) {
		if n.Type == "string_start" && n.Parent != nil && n.Parent.Type != "string" && start < off {
			found = true
		}
	})
	return found
}

// Walk visits, in source order, the leaves (nodes without children) that
// overlap [from, to), with their absolute offsets: tokens kept in the tree
// (names, keywords, literal parts, comments), never the punctuation
// between them. An ERROR node without children holds only skipped
// punctuation (a lone "=" in `f(k=)`): it is left in the gap too.
func (m *Module) Walk(from, to int, visit func(n *Node, start, end int)) {
	if m.Root == nil {
		return
	}
	var walk func(n *Node, base int)
	walk = func(n *Node, base int) {
		start, end := base+n.start, base+n.end
		if end < from || start >= to && !(start == end && start == to) {
			return
		}
		if len(n.Children) == 0 {
			if n.Type != "ERROR" {
				visit(n, start, end)
			}
			return
		}
		for _, c := range n.Children {
			walk(c, base)
		}
	}
	if m.tops == nil { // the whole tree is one statement, at 0
		walk(m.Root, 0)
		return
	}
	tops := m.Root.Children
	i := sort.Search(len(tops), func(i int) bool { return m.bases[i]+tops[i].end >= from })
	for ; i < len(tops) && m.bases[i]+tops[i].start < to; i++ {
		walk(tops[i], m.bases[i])
	}
}

// OpenCall is the call whose "(" is open at a cursor.
type OpenCall struct {
	Open    int    // offset of the "("
	Callee  *Chain // the expression called, nil when it is not a chain
	Arg     int    // index of the argument the cursor is in (commas before it)
	Keyword string // the keyword when that argument is `name=...`
}

// maxCallScan bounds how far back an open "(" is looked for, so a
// pathological file cannot make a keystroke slow.
const maxCallScan = 8 << 10

// OpenCallAt finds the innermost call whose "(" is open at off, from the
// tokens before it: the leaves of the tree and the punctuation in the gaps
// between them (strings and comments are leaves, so their brackets do not
// count). It works whether or not the call is closed. nil when off is not
// inside a call's parentheses (a list, a dict, a block header first).
func (m *Module) OpenCallAt(off int) *OpenCall {
	lo := max(0, off-maxCallScan)
	var leaves []leaf
	m.Walk(lo, off, func(n *Node, start, end int) {
		if end <= off {
			leaves = append(leaves, leaf{n, start, end})
		}
	})
	depth, commas, lastComma := 0, 0, -1
	gapEnd := off
	for i := len(leaves); i >= 0; i-- {
		gapStart := lo
		if i > 0 {
			gapStart = leaves[i-1].end
		}
		for j := gapEnd - 1; j >= gapStart; j-- {
			switch c := m.Src[j]; c {
			case ')', ']', '}':
				depth++
			case '(', '[', '{':
				if depth > 0 {
					depth--
					continue
				}
				if c != '(' {
					return nil
				}
				argFrom := j
				if lastComma >= 0 {
					argFrom = lastComma
				}
				return &OpenCall{Open: j, Arg: commas, Callee: m.ChainBefore(j), Keyword: m.keywordAfter(leaves, argFrom, off)}
			case ',':
				if depth == 0 {
					commas++
					if lastComma < 0 {
						lastComma = j
					}
				}
			case ':':
				rest := m.Src[j+1 : gapEnd]
				if k := strings.IndexByte(rest, '\n'); depth == 0 && k >= 0 && strings.TrimSpace(rest[:k]) == "" {
					return nil // a block header's colon: the cursor is in its body
				}
			}
		}
		if i > 0 {
			gapEnd = leaves[i-1].start
		}
	}
	return nil
}

// leaf is a node Walk visited, with its absolute offsets.
type leaf struct {
	n          *Node
	start, end int
}

// keywordAfter returns k when the argument starting after from is `k=...`.
func (m *Module) keywordAfter(leaves []leaf, from, off int) string {
	for i, l := range leaves {
		if l.start <= from || l.n.Type == "comment" {
			continue
		}
		if l.n.Type != "identifier" {
			return ""
		}
		next := off
		if i+1 < len(leaves) {
			next = leaves[i+1].start
		}
		rest := strings.TrimLeft(m.Src[l.end:next], " \t\r\n")
		if strings.HasPrefix(rest, "=") && !strings.HasPrefix(rest, "==") {
			return m.Text(l.n)
		}
		return ""
	}
	return ""
}
