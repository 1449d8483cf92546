package completion

// Expression chains such as `(await self.env.DB.prepare(sql).bind(1)).x`,
// read straight from the text. Working on text rather than the syntax tree
// keeps half-typed lines (`self.env.` with nothing after the dot) usable,
// and costs only the length of the expression.

// maxScanBack bounds how far back an expression (or an open call) is
// searched for, so a pathological file cannot make a keystroke slow.
const maxScanBack = 8 << 10

// chain is a primary expression: a name or a parenthesized expression,
// followed by attribute accesses, calls and subscripts.
type chain struct {
	awaited bool   // prefixed with await
	root    string // the root name; "" when inner is set
	rootPos int    // byte offset of root (or of the "(" of inner)
	inner   *chain // a parenthesized root expression
	ops     []op
}

type opKind int

const (
	opAttr  opKind = iota // .name
	opCall                // (...)
	opIndex               // [...]
)

type op struct {
	kind opKind
	name string // for opAttr
	pos  int    // byte offset of name (opAttr) or of the opening bracket
	end  int    // byte offset after the name or the closing bracket
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// identAround returns the identifier touching offset: [start, end).
func identAround(text string, offset int) (int, int) {
	if offset > len(text) {
		offset = len(text)
	}
	start, end := offset, offset
	for start > 0 && isIdentByte(text[start-1]) {
		start--
	}
	for end < len(text) && isIdentByte(text[end]) {
		end++
	}
	return start, end
}

// matchOpenBackward returns the offset of the bracket that opens the closer
// at text[close], skipping nested brackets and string literals; -1 if none
// within the scan limit.
func matchOpenBackward(text string, close int) int {
	depth := 0
	limit := close - maxScanBack
	for i := close; i >= 0 && i > limit; i-- {
		switch c := text[i]; c {
		case ')', ']', '}':
			depth++
		case '(', '[', '{':
			depth--
			if depth == 0 {
				return i
			}
		case '"', '\'':
			j := i - 1
			for j >= 0 && (text[j] != c || (j > 0 && text[j-1] == '\\')) {
				if text[j] == '\n' {
					break // an unterminated or odd string: treat the quote as text
				}
				j--
			}
			if j >= 0 && text[j] == c {
				i = j
			}
		}
	}
	return -1
}

// exprStartBefore returns where the primary expression ending at end
// starts, or -1 when no name or bracket ends there.
func exprStartBefore(text string, end int) int {
	i := end
	limit := end - maxScanBack
	for i > 0 && i > limit {
		c := text[i-1]
		switch {
		case c == ')' || c == ']':
			open := matchOpenBackward(text, i-1)
			if open < 0 {
				return -1
			}
			i = open
			if i > 0 && (isIdentByte(text[i-1]) || text[i-1] == ')' || text[i-1] == ']') {
				continue // a call or subscript trailer: its callee comes first
			}
			return i // a parenthesized expression
		case isIdentByte(c):
			k := i
			for k > 0 && isIdentByte(text[k-1]) {
				k--
			}
			i = k
			if i > 0 && text[i-1] == '.' {
				i--
				continue
			}
			return i
		default:
			return -1
		}
	}
	return -1
}

// chainBefore parses the primary expression ending at end (no await: a
// receiver is never itself awaited without parentheses).
func chainBefore(text string, end int) *chain {
	start := exprStartBefore(text, end)
	if start < 0 {
		return nil
	}
	c, next := parseChain(text, start, end)
	if c == nil || next != end {
		return nil
	}
	return c
}

// skipSpaceNL skips blanks and, inside brackets, newlines and comments.
func skipSpaceNL(text string, i, end int, nl bool) int {
	for i < end {
		switch c := text[i]; {
		case isSpace(c):
			i++
		case nl && (c == '\n' || c == '\r' || c == '\\'):
			i++
		case nl && c == '#':
			for i < end && text[i] != '\n' {
				i++
			}
		default:
			return i
		}
	}
	return i
}

// parseExpr parses `[await] primary` forward from i; it is tolerant: it
// stops at the first thing it does not understand.
func parseExpr(text string, i, end int, nl bool) (*chain, int) {
	i = skipSpaceNL(text, i, end, nl)
	awaited := false
	if hasWord(text, i, end, "await") {
		awaited = true
		i = skipSpaceNL(text, i+5, end, nl)
	}
	c, next := parseChain(text, i, end)
	if c != nil {
		c.awaited = awaited
	}
	return c, next
}

func hasWord(text string, i, end int, w string) bool {
	return i+len(w) < end && text[i:i+len(w)] == w && !isIdentByte(text[i+len(w)])
}

// parseChain parses a primary expression starting at i.
func parseChain(text string, i, end int) (*chain, int) {
	if i >= end {
		return nil, i
	}
	c := &chain{rootPos: i}
	switch {
	case text[i] == '(':
		inner, next := parseExpr(text, i+1, end, true)
		if inner == nil {
			return nil, i
		}
		next = skipSpaceNL(text, next, end, true)
		if next >= end || text[next] != ')' {
			return nil, i
		}
		c.inner = inner
		i = next + 1
	case isIdentByte(text[i]) && !(text[i] >= '0' && text[i] <= '9'):
		j := i
		for j < end && isIdentByte(text[j]) {
			j++
		}
		c.root = text[i:j]
		i = j
	default:
		return nil, i
	}
	for i < end {
		switch text[i] {
		case '.':
			j := i + 1
			k := j
			for k < end && isIdentByte(text[k]) {
				k++
			}
			if k == j {
				return c, i // a trailing dot: the caller completes after it
			}
			c.ops = append(c.ops, op{kind: opAttr, name: text[j:k], pos: j, end: k})
			i = k
		case '(', '[':
			close := matchCloseForward(text, i, end)
			if close < 0 {
				return c, i
			}
			kind := opCall
			if text[i] == '[' {
				kind = opIndex
			}
			c.ops = append(c.ops, op{kind: kind, pos: i, end: close + 1})
			i = close + 1
		default:
			return c, i
		}
	}
	return c, i
}

// matchCloseForward returns the offset of the bracket closing text[open],
// skipping strings and comments; -1 if it is not closed before end.
func matchCloseForward(text string, open, end int) int {
	depth := 0
	for i := open; i < end; i++ {
		switch c := text[i]; c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return i
			}
		case '#':
			for i < end && text[i] != '\n' {
				i++
			}
		case '"', '\'':
			i = skipString(text, i, end) - 1
		}
	}
	return -1
}

// skipString returns the offset after the string literal starting at i.
func skipString(text string, i, end int) int {
	q := text[i]
	if i+2 < end && text[i+1] == q && text[i+2] == q {
		triple := text[i : i+3]
		for j := i + 3; j+2 < end; j++ {
			if text[j] == '\\' {
				j++
				continue
			}
			if text[j:j+3] == triple {
				return j + 3
			}
		}
		return end
	}
	for j := i + 1; j < end; j++ {
		switch text[j] {
		case '\\':
			j++
		case q:
			return j + 1
		case '\n':
			return j
		}
	}
	return end
}

// lineStart returns the offset where offset's line starts.
func lineStart(text string, offset int) int {
	for offset > 0 && text[offset-1] != '\n' {
		offset--
	}
	return offset
}

// lineEnd returns the offset of the end of offset's line (before "\n").
func lineEnd(text string, offset int) int {
	for offset < len(text) && text[offset] != '\n' {
		offset++
	}
	return offset
}

// openCallBefore finds the innermost call whose "(" is open at offset:
// the offset of "(" and the offsets of the top-level commas after it; -1
// when the cursor is not inside a call.
func openCallBefore(text string, offset int) (open int, commas []int) {
	depth := 0
	limit := offset - maxScanBack
	var rev []int
	for i := offset - 1; i >= 0 && i > limit; i-- {
		switch c := text[i]; c {
		case ')', ']', '}':
			depth++
		case '(', '[', '{':
			if depth == 0 {
				if c != '(' {
					return -1, nil
				}
				for k := len(rev) - 1; k >= 0; k-- {
					commas = append(commas, rev[k])
				}
				return i, commas
			}
			depth--
		case ',':
			if depth == 0 {
				rev = append(rev, i)
			}
		case '"', '\'':
			j := i - 1
			for j >= 0 && text[j] != c && text[j] != '\n' {
				j--
			}
			if j >= 0 && text[j] == c {
				i = j
			}
		case ':':
			// a statement's colon at depth 0 (def, if) ends the search
			if depth == 0 && colonEndsLine(text, i, offset) {
				return -1, nil
			}
		}
	}
	return -1, nil
}

// colonEndsLine reports whether a newline follows i before end,
// which, for a colon at bracket depth 0, means a block header, not a
// dict literal or slice inside the call.
func colonEndsLine(text string, i, end int) bool {
	for j := i + 1; j < end; j++ {
		if text[j] == '\n' {
			return true
		}
		if !isSpace(text[j]) && text[j] != '\r' {
			return false
		}
	}
	return false
}
