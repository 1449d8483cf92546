// Package pysyntax keeps one Python file's text and tree-sitter syntax tree,
// and applies edits with tree.Edit plus an incremental reparse.
//
// A File is immutable once built: Apply returns a new File whose tree is an
// edited copy of the old one, so snapshots that hold the old File keep a
// valid tree.
package pysyntax

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/python"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

// MaxParseBytes is the largest file that gets a syntax tree. Larger files are
// kept as text only; a Worker module that large is almost certainly generated
// data, and parsing it on every keystroke would stall the server.
const MaxParseBytes = 4 << 20

// File is one version of a Python file.
type File struct {
	text  string
	lines *textpos.Index
	tree  *sitter.Tree // nil when the file is too large to parse
	// treeMu guards tree: go-tree-sitter caches nodes in a map inside each
	// Tree, so concurrent readers must not share one Tree value.
	treeMu sync.Mutex
	// TooLarge is set when the file exceeds MaxParseBytes.
	TooLarge bool
}

// Edit replaces the bytes [Start, End) of the current text with NewText.
type Edit struct {
	Start, End int
	NewText    string
}

var parserPool = sync.Pool{New: func() any {
	p := sitter.NewParser()
	p.SetLanguage(python.GetLanguage())
	return p
}}

// parse runs a pooled parser. The context is checked before parsing but not
// handed to go-tree-sitter: its cancellation flag is sticky and is set by a
// goroutine that can fire after the parse returned, which would make every
// later parse on that pooled parser fail. Parses take milliseconds, so
// checking between them is enough.
func parse(ctx context.Context, old *sitter.Tree, text string) (*sitter.Tree, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := parserPool.Get().(*sitter.Parser)
	defer parserPool.Put(p)
	// go-tree-sitter reads old's C pointer and then no longer refers to old;
	// without this the GC may finalize (free) old during the parse.
	defer runtime.KeepAlive(old)
	return p.ParseCtx(context.Background(), old, []byte(text))
}

// Language returns the Python grammar, for queries.
func Language() *sitter.Language { return python.GetLanguage() }

// Parse builds a File from scratch.
func Parse(ctx context.Context, text string) (*File, error) {
	f := &File{text: text, lines: textpos.New(text)}
	if len(text) > MaxParseBytes {
		f.TooLarge = true
		return f, nil
	}
	tree, err := parse(ctx, nil, text)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	f.tree = tree
	return f, nil
}

// Text returns the file's text.
func (f *File) Text() string { return f.text }

// Lines returns the file's line index.
func (f *File) Lines() *textpos.Index { return f.lines }

// Tree returns a private copy of the syntax tree for the caller's use (a
// cheap reference-counted copy), or nil when the file was not parsed.
// Keep the returned tree referenced (or runtime.KeepAlive it) until the last
// node call: go-tree-sitter frees a tree from a finalizer.
func (f *File) Tree() *sitter.Tree {
	if f.tree == nil {
		return nil
	}
	f.treeMu.Lock()
	defer f.treeMu.Unlock()
	return f.tree.Copy()
}

// Apply applies edits in order (each in the coordinates of the text left by
// the previous one), edits a copy of the tree for each, and reparses once,
// incrementally.
func (f *File) Apply(ctx context.Context, edits []Edit) (*File, error) {
	text := f.text
	lines := f.lines
	var tree *sitter.Tree
	if f.tree != nil {
		tree = f.Tree()
	}
	for _, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > len(text) {
			return nil, fmt.Errorf("edit [%d,%d) outside a %d-byte document", e.Start, e.End, len(text))
		}
		newText := text[:e.Start] + e.NewText + text[e.End:]
		if tree != nil {
			sr, sc := lines.Point(e.Start)
			or, oc := lines.Point(e.End)
			newLines := textpos.New(newText)
			nr, nc := newLines.Point(e.Start + len(e.NewText))
			editTree(tree, sitter.EditInput{
				StartIndex:  uint32(e.Start),
				OldEndIndex: uint32(e.End),
				NewEndIndex: uint32(e.Start + len(e.NewText)),
				StartPoint:  sitter.Point{Row: uint32(sr), Column: uint32(sc)},
				OldEndPoint: sitter.Point{Row: uint32(or), Column: uint32(oc)},
				NewEndPoint: sitter.Point{Row: uint32(nr), Column: uint32(nc)},
			})
			lines = newLines
		} else {
			lines = nil
		}
		text = newText
	}
	if lines == nil {
		lines = textpos.New(text)
	}
	if len(edits) == 0 {
		return f, nil
	}
	nf := &File{text: text, lines: lines}
	if len(text) > MaxParseBytes {
		nf.TooLarge = true
		return nf, nil
	}
	newTree, err := parse(ctx, tree, text) // tree == nil: the file just shrank under the limit
	if err != nil {
		return nil, fmt.Errorf("reparse: %w", err)
	}
	nf.tree = newTree
	return nf, nil
}
