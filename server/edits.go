package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

// maxAnalysisBytes bounds the documents the server analyses. A larger
// document keeps its text in sync (so the editor and the server agree and
// a later shrink is exact) but gets no syntax tree, rules, lenses or
// completion — one info diagnostic says so. Such a file is generated data,
// and its tree alone would be ~45 times its size.
const maxAnalysisBytes = 2 << 20

// tooLargeToAnalyse says whether a document is beyond maxAnalysisBytes.
func (d *Document) tooLargeToAnalyse() bool { return len(d.text) > maxAnalysisBytes }

// lazyPy is a Python document's syntax tree, built on first use. An edit
// records the new text only; the tree is made when a feature asks for it,
// by one incremental reparse from the last version that was parsed. Edits
// that are superseded before anyone asks are never parsed.
type lazyPy struct {
	once  sync.Once
	text  string
	base  *pysyntax.File // the newest parsed ancestor, or nil: parse from scratch
	file  *pysyntax.File
	ready atomic.Bool
}

func newLazyPy(text string, base *pysyntax.File) *lazyPy { return &lazyPy{text: text, base: base} }

// get returns the tree, building it if needed.
func (l *lazyPy) get() *pysyntax.File {
	l.once.Do(func() {
		l.file = buildPy(l.base, l.text)
		l.base = nil // the ancestor's text and tree can go
		l.ready.Store(true)
	})
	return l.file
}

// lineIndex is a document version's line index, made on first use: from
// the syntax tree's File when that was built already (it indexed the same
// text), else from the text. A keystroke thus indexes its text once, not
// once for the document and once more for the tree.
type lineIndex struct {
	once sync.Once
	text string
	py   *lazyPy // nil for documents other than Python
	idx  *textpos.Index
}

func newLineIndex(text string, py *lazyPy) *lineIndex { return &lineIndex{text: text, py: py} }

func (l *lineIndex) get() *textpos.Index {
	l.once.Do(func() {
		if l.py != nil && l.py.ready.Load() {
			if f := l.py.file; f != nil && f.Text() == l.text {
				l.idx = f.Lines()
				return
			}
		}
		l.idx = textpos.New(l.text)
	})
	return l.idx
}

// parsedOrBase is what the next version builds from.
func (l *lazyPy) parsedOrBase() *pysyntax.File {
	if l.ready.Load() {
		return l.file
	}
	return l.base
}

// buildPy makes the File for text from base (nil: from scratch): the
// difference between the two texts is one edit (common prefix and suffix
// kept), so any number of changes costs one tree edit and one reparse.
func buildPy(base *pysyntax.File, text string) *pysyntax.File {
	ctx := context.Background()
	if base != nil {
		if f, err := base.WithText(ctx, text); err == nil {
			return f
		}
	}
	f, err := pysyntax.Parse(ctx, text)
	if err != nil {
		// Parse fails only on a cancelled context; keep the text.
		f, _ = pysyntax.Parse(ctx, "")
	}
	return f
}

// applyTextChanges applies LSP content changes in order, each in the
// coordinates left by the previous one, and returns the new text. One change is applied directly; a batch is applied to the
// text's lines in one pass (each change rebuilds only the lines it
// touches), so a didChange of thousands of edits on a large file costs one
// copy of the text, not one per edit.
func applyTextChanges(text string, lines *textpos.Index, changes []contentChange) (string, error) {
	if len(changes) == 1 {
		c := changes[0]
		if c.Range == nil {
			return c.Text, nil
		}
		start, end, err := changeOffsets(lines, *c.Range)
		if err != nil {
			return "", err
		}
		return text[:start] + c.Text + text[end:], nil
	}
	if len(changes) == 0 {
		return text, nil
	}
	ls := make([]string, lines.LineCount())
	for i := range ls {
		end := len(text)
		if i+1 < len(ls) {
			end = lines.LineStart(i + 1)
		}
		ls[i] = text[lines.LineStart(i):end]
	}
	for _, c := range changes {
		if c.Range == nil {
			ls = splitLines(c.Text)
			continue
		}
		var err error
		if ls, err = applyToLines(ls, *c.Range, c.Text); err != nil {
			return "", err
		}
	}
	return strings.Join(ls, ""), nil
}

func changeOffsets(lines *textpos.Index, r protocol.Range) (int, int, error) {
	start, err := offsetOf(lines, r.Start)
	if err != nil {
		return 0, 0, fmt.Errorf("change start: %w", err)
	}
	end, err := offsetOf(lines, r.End)
	if err != nil {
		return 0, 0, fmt.Errorf("change end: %w", err)
	}
	if end < start {
		return 0, 0, fmt.Errorf("change range ends before it starts")
	}
	return start, end, nil
}

// applyToLines replaces r with text in ls (lines with their endings; the
// last without one).
func applyToLines(ls []string, r protocol.Range, text string) ([]string, error) {
	l1, b1, err := lineOffset(ls, r.Start)
	if err != nil {
		return nil, fmt.Errorf("change start: %w", err)
	}
	l2, b2, err := lineOffset(ls, r.End)
	if err != nil {
		return nil, fmt.Errorf("change end: %w", err)
	}
	if l2 < l1 || (l2 == l1 && b2 < b1) {
		return nil, fmt.Errorf("change range ends before it starts")
	}
	seg := ls[l1][:b1] + text + ls[l2][b2:]
	// A lone "\r" ending the line before, and a "\n" starting the new
	// text, become one "\r\n" ending: re-split that line too.
	if l1 > 0 && strings.HasPrefix(seg, "\n") && strings.HasSuffix(ls[l1-1], "\r") {
		l1--
		seg = ls[l1] + seg
	}
	pieces := splitLines(seg)
	if l2 < len(ls)-1 {
		// seg ends with line l2's ending: its last piece is the empty
		// start of line l2+1, which is there already.
		pieces = pieces[:len(pieces)-1]
	}
	return slices.Replace(ls, l1, l2+1, pieces...), nil
}

// lineOffset converts an LSP position to a line and a byte offset in it,
// as textpos.Index.Offset does: a column past the line's end clamps to it,
// a line past the last is an error, a column inside a surrogate pair
// rounds down.
func lineOffset(ls []string, p protocol.Position) (int, int, error) {
	line := int(p.Line)
	if line >= len(ls) {
		return 0, 0, textpos.ErrOutOfRange{Pos: textpos.Position{Line: line, Character: int(p.Character)}}
	}
	s := ls[line]
	end := len(s)
	if end > 0 && s[end-1] == '\n' {
		end--
	}
	if end > 0 && s[end-1] == '\r' {
		end--
	}
	units, want := 0, int(p.Character)
	for i := 0; i < end; {
		if units >= want {
			return line, i, nil
		}
		r, size := utf8.DecodeRuneInString(s[i:end])
		n := 1
		if r >= 0x10000 && size == 4 {
			n = 2
		}
		if units+n > want {
			return line, i, nil
		}
		units += n
		i += size
	}
	return line, end, nil
}

// splitLines splits s after each line ending ("\n", "\r\n" or a lone
// "\r", as textpos counts them); the last piece is what follows the last
// ending (possibly "").
func splitLines(s string) []string {
	out := make([]string, 0, 1+strings.Count(s, "\n"))
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			out = append(out, s[start:i+1])
			start = i + 1
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
