// Package textpos converts between byte offsets in a document and LSP
// positions (zero-based line, UTF-16 code unit column).
//
// LSP counts columns in UTF-16 code units, Go strings hold UTF-8, and a
// document may hold invalid UTF-8: each invalid byte counts as one code unit
// (it would decode to U+FFFD), so conversions never fail on bad bytes.
package textpos

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Index holds the line starts of one text. It is immutable.
type Index struct {
	text       string
	lineStarts []int // byte offset where each line starts; lineStarts[0] == 0
	hasCR      bool  // text holds a "\r" (then edits re-index it whole)
}

// New indexes text. Lines end at "\n"; a "\r\n" pair counts as one ending,
// and a lone "\r" also ends a line, as LSP says.
func New(text string) *Index {
	starts := make([]int, 1, 1+len(text)/32)
	if strings.IndexByte(text, '\r') < 0 {
		// The usual case, found with the vectorised byte search: several
		// times faster than looking at each byte, and this runs on every
		// keystroke over the whole document.
		for i := 0; ; {
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
			starts = append(starts, i)
		}
		return &Index{text: text, lineStarts: starts}
	}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			starts = append(starts, i+1)
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			starts = append(starts, i+1)
		}
	}
	return &Index{text: text, lineStarts: starts, hasCR: true}
}

// Edited indexes text, which is x's text with the bytes [start, oldEnd)
// replaced by text[start:newEnd]. Only the inserted bytes are scanned: the
// line starts before the edit are kept and those after it shifted, so a
// keystroke costs a copy of the line table, not a scan of the document.
func (x *Index) Edited(text string, start, oldEnd, newEnd int) *Index {
	if start < 0 || oldEnd < start || oldEnd > len(x.text) || newEnd < start || newEnd > len(text) ||
		len(text)-newEnd != len(x.text)-oldEnd {
		return New(text) // not an edit of x's text: index it afresh
	}
	inserted := text[start:newEnd]
	if x.hasCR || strings.IndexByte(inserted, '\r') >= 0 {
		return New(text) // a "\r\n" may form or break at the edit's ends
	}
	old := x.lineStarts
	// Line s starts after the newline at s-1: those before start are kept,
	// those in the replaced bytes dropped, those after them shifted.
	keep := sort.SearchInts(old, start+1)
	after := sort.SearchInts(old, oldEnd+1)
	starts := make([]int, keep, keep+strings.Count(inserted, "\n")+len(old)-after)
	copy(starts, old[:keep])
	for i := 0; ; {
		j := strings.IndexByte(inserted[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		starts = append(starts, start+i)
	}
	delta := newEnd - oldEnd
	for _, s := range old[after:] {
		starts = append(starts, s+delta)
	}
	return &Index{text: text, lineStarts: starts}
}

// CommonEnds returns the lengths of the common prefix and suffix of a and
// b, not overlapping: b is a with the bytes [prefix, len(a)-suffix)
// replaced by b[prefix:len(b)-suffix].
func CommonEnds(a, b string) (prefix, suffix int) {
	n := min(len(a), len(b))
	// Whole blocks first (string comparison is vectorised), then bytes:
	// this runs over the whole document on every keystroke.
	const block = 256
	for prefix+block <= n && a[prefix:prefix+block] == b[prefix:prefix+block] {
		prefix += block
	}
	for prefix < n && a[prefix] == b[prefix] {
		prefix++
	}
	for suffix+block <= n-prefix && a[len(a)-suffix-block:len(a)-suffix] == b[len(b)-suffix-block:len(b)-suffix] {
		suffix += block
	}
	for suffix < n-prefix && a[len(a)-1-suffix] == b[len(b)-1-suffix] {
		suffix++
	}
	return prefix, suffix
}

// Text returns the indexed text.
func (x *Index) Text() string { return x.text }

// LineCount returns the number of lines (a text ending in a newline has an
// empty last line).
func (x *Index) LineCount() int { return len(x.lineStarts) }

// LineStart returns the byte offset of the start of line.
func (x *Index) LineStart(line int) int {
	if line < 0 {
		return 0
	}
	if line >= len(x.lineStarts) {
		return len(x.text)
	}
	return x.lineStarts[line]
}

// lineEnd returns the byte offset of the end of line's content, before its
// line ending.
func (x *Index) lineEnd(line int) int {
	if line+1 >= len(x.lineStarts) {
		return len(x.text)
	}
	end := x.lineStarts[line+1]
	if end > 0 && x.text[end-1] == '\n' {
		end--
	}
	if end > x.lineStarts[line] && x.text[end-1] == '\r' {
		end--
	}
	return end
}

// Position is an LSP position: zero-based line and UTF-16 column.
type Position struct {
	Line      int
	Character int
}

// ErrOutOfRange is returned for a position past the end of the text.
type ErrOutOfRange struct{ Pos Position }

func (e ErrOutOfRange) Error() string {
	return fmt.Sprintf("position %d:%d is outside the document", e.Pos.Line, e.Pos.Character)
}

// Offset converts an LSP position to a byte offset. A column past the end of
// its line clamps to the line end (as the LSP spec asks); a line past the
// last one is an error. A column that falls inside a surrogate pair rounds
// down to the start of the character.
func (x *Index) Offset(p Position) (int, error) {
	if p.Line < 0 || p.Character < 0 || p.Line >= len(x.lineStarts) {
		return 0, ErrOutOfRange{p}
	}
	start, end := x.lineStarts[p.Line], x.lineEnd(p.Line)
	units := 0
	for i := start; i < end; {
		if units >= p.Character {
			return i, nil
		}
		r, size := utf8.DecodeRuneInString(x.text[i:end])
		n := 1
		if r >= 0x10000 && size == 4 {
			n = 2
		}
		if units+n > p.Character {
			return i, nil
		}
		units += n
		i += size
	}
	return end, nil
}

// Position converts a byte offset to an LSP position. Offsets are clamped to
// the text; an offset inside a multi-byte character maps to its start, and
// one inside a "\r\n" line ending to the end of the line, so that Offset
// gives that start back.
func (x *Index) Position(offset int) Position {
	if offset < 0 {
		offset = 0
	}
	if offset > len(x.text) {
		offset = len(x.text)
	}
	line := sort.Search(len(x.lineStarts), func(i int) bool { return x.lineStarts[i] > offset }) - 1
	start, end := x.lineStarts[line], x.lineEnd(line)
	offset = min(offset, end)
	units := 0
	// Decode as Offset does (within the line's content), stopping before a
	// character that offset does not reach the end of.
	for i := start; i < offset; {
		r, size := utf8.DecodeRuneInString(x.text[i:end])
		if i+size > offset {
			break
		}
		if r >= 0x10000 && size == 4 {
			units += 2
		} else {
			units++
		}
		i += size
	}
	return Position{Line: line, Character: units}
}

// Point returns the zero-based line and the byte column of offset, the
// coordinates tree-sitter uses.
func (x *Index) Point(offset int) (row, column int) {
	offset = max(offset, 0)
	if offset > len(x.text) {
		offset = len(x.text)
	}
	line := sort.Search(len(x.lineStarts), func(i int) bool { return x.lineStarts[i] > offset }) - 1
	return line, offset - x.lineStarts[line]
}

// UTF16Len counts the UTF-16 code units of s; invalid bytes count one each.
func UTF16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x10000 && size == 4 {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}
