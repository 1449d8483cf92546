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
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax/internal/tspython"
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
	// prev is the version this one was edited from, kept until the next
	// edit (guarded by treeMu).
	prev *File
	// diffBase is the text WithText made this version from, and diff
	// where they differ (see DiffFrom); hasDiff says they are set.
	diffBase string
	diff     [3]int
	hasDiff  bool
}

// DiffFrom returns where f's text differs from base when f was made from
// that very string by WithText: the bytes [start, oldEnd) of base became
// [start, newEnd) of f's text. ok is false for any other base, and the
// caller compares the texts itself; this saves reading both again.
func (f *File) DiffFrom(base string) (start, oldEnd, newEnd int, ok bool) {
	if !f.hasDiff || len(base) != len(f.diffBase) || unsafe.StringData(base) != unsafe.StringData(f.diffBase) {
		return 0, 0, 0, false
	}
	return f.diff[0], f.diff[1], f.diff[2], true
}

// Edit replaces the bytes [Start, End) of the current text with NewText.
type Edit struct {
	Start, End int
	NewText    string
}

var parserPool = sync.Pool{New: func() any {
	p := sitter.NewParser()
	p.SetLanguage(tspython.GetLanguage())
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
	if old == nil {
		noteParsed(len(text)) // a fresh tree; incremental parses free their predecessor at once
	}
	p := parserPool.Get().(*sitter.Parser)
	defer parserPool.Put(p)
	// go-tree-sitter reads old's C pointer and then no longer refers to old;
	// without this the GC may finalize (free) old during the parse.
	defer runtime.KeepAlive(old)
	if old != nil {
		if t := reparse(p, old, text); t != nil {
			return t, nil
		}
		return nil, fmt.Errorf("tree-sitter gave no tree")
	}
	// A view of text, not a copy: go-tree-sitter copies it into C memory
	// for the parse and keeps no reference.
	return p.ParseCtx(context.Background(), old, unsafe.Slice(unsafe.StringData(text), len(text)))
}

// Trees live in C memory the Go GC does not see, and copies handed out by
// Tree() are freed only by finalizers; with a small Go heap the GC would
// run too rarely to free them. So every gcEveryParsedBytes of freshly parsed
// source (≈ 45× that in tree memory) triggers a collection in the
// background, and so does a second of quiet after parsing.
const gcEveryParsedBytes = 1 << 20

var (
	parsedSinceGC atomic.Int64
	gcRunning     atomic.Bool
)

func noteParsed(n int) {
	armTrailingCollect()
	if parsedSinceGC.Add(int64(n)) < gcEveryParsedBytes || !gcRunning.CompareAndSwap(false, true) {
		return
	}
	parsedSinceGC.Store(0)
	go func() {
		defer gcRunning.Store(false)
		collect()
	}()
}

// collect frees dead trees and hands the memory back to the OS.
func collect() {
	debug.FreeOSMemory() // a GC (finalizers free dead trees) + returning Go's free pages
	runtime.GC()         // finalizers queued by the first collection have now run
	trimCHeap()
}

// A burst of parses (opening many files) ends with one more collection
// once parsing has been quiet for a moment, so memory drops back after it.
var (
	trailingMu    sync.Mutex
	trailingTimer *time.Timer
)

func armTrailingCollect() {
	trailingMu.Lock()
	defer trailingMu.Unlock()
	if trailingTimer == nil {
		trailingTimer = time.AfterFunc(time.Second, func() {
			if gcRunning.CompareAndSwap(false, true) {
				parsedSinceGC.Store(0)
				collect()
				gcRunning.Store(false)
			}
		})
		return
	}
	trailingTimer.Reset(time.Second)
}

// Language returns the Python grammar, for queries.
func Language() *sitter.Language { return tspython.GetLanguage() }

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
	resident.touch(f)
	return f, nil
}

// Text returns the file's text.
func (f *File) Text() string { return f.text }

// Lines returns the file's line index.
func (f *File) Lines() *textpos.Index { return f.lines }

// Tree returns a private copy of the syntax tree for the caller's use (a
// cheap reference-counted copy), or nil when the file is too large to parse.
// Keep the returned tree referenced (or runtime.KeepAlive it) until the last
// node call: go-tree-sitter frees a tree from a finalizer.
//
// A file whose tree was evicted from the resident set (see residentTrees)
// is parsed again here, from scratch.
func (f *File) Tree() *sitter.Tree {
	if f.TooLarge {
		return nil
	}
	f.treeMu.Lock()
	if f.tree == nil {
		t, err := parse(context.Background(), nil, f.text)
		if err != nil {
			f.treeMu.Unlock()
			return nil
		}
		f.tree = t
	}
	copied := f.tree.Copy()
	f.treeMu.Unlock()
	resident.touch(f)
	return copied
}

// release frees the file's own tree (copies handed out stay valid: they
// hold their own references to the shared subtrees).
func (f *File) release() {
	f.treeMu.Lock()
	defer f.treeMu.Unlock()
	if f.tree != nil {
		f.tree.Close()
		f.tree = nil
	}
}

// residentTrees bounds the memory held by syntax trees. A tree-sitter tree
// of Python is ~45 times the size of its source (1.3 MB for a 1,000-line
// module), so keeping one per open file would not fit an editor session
// with hundreds of files open. Trees of the most recently used files stay
// resident, up to a budget of source bytes; the others are freed and
// rebuilt on demand.
type residentTrees struct {
	mu     sync.Mutex
	order  []*File // least recently used first
	bytes  int
	budget int
}

// ResidentSourceBudget is the source size whose trees stay in memory.
const ResidentSourceBudget = 384 << 10

var resident = &residentTrees{budget: ResidentSourceBudget}

// touch marks f as just used and frees the trees of the least recently used
// files beyond the budget. Callers must not hold any file's treeMu.
func (r *residentTrees) touch(f *File) {
	r.mu.Lock()
	var evict []*File
	found := false
	for i, g := range r.order {
		if g == f {
			copy(r.order[i:], r.order[i+1:])
			r.order[len(r.order)-1] = f
			found = true
			break
		}
	}
	if !found {
		r.order = append(r.order, f)
		r.bytes += len(f.text)
	}
	for r.bytes > r.budget && len(r.order) > 1 {
		g := r.order[0]
		r.order = r.order[1:]
		r.bytes -= len(g.text)
		evict = append(evict, g)
	}
	r.mu.Unlock()
	for _, g := range evict {
		g.release()
	}
}

// demote makes f the first tree to evict.
func (r *residentTrees) demote(f *File) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, g := range r.order {
		if g == f {
			copy(r.order[1:i+1], r.order[:i])
			r.order[0] = f
			return
		}
	}
}

// forget drops f from the resident set and frees its tree, for a version
// replaced by an edit.
func (r *residentTrees) forget(f *File) {
	r.mu.Lock()
	for i, g := range r.order {
		if g == f {
			r.order = append(r.order[:i], r.order[i+1:]...)
			r.bytes -= len(g.text)
			break
		}
	}
	r.mu.Unlock()
	f.release()
}

// Apply applies edits in order (each in the coordinates of the text left by
// the previous one), edits a copy of the tree for each, and reparses once,
// incrementally.
func (f *File) Apply(ctx context.Context, edits []Edit) (*File, error) {
	if len(edits) == 0 {
		return f, nil
	}
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
		newLines := lines.Edited(newText, e.Start, e.End, e.Start+len(e.NewText))
		if tree != nil {
			editTree(tree, treeEdit(lines, newLines, e.Start, e.End, e.Start+len(e.NewText)))
		}
		text, lines = newText, newLines
	}
	return f.reparsed(ctx, tree, text, lines)
}

// WithText returns the File of text, a later version of f's text. The
// bytes between their common prefix and suffix count as one edit: the
// caller's text is used as it is (not rebuilt from edits), the line index
// is updated rather than rebuilt, and there is one tree edit and one
// incremental reparse however many changes led to text.
func (f *File) WithText(ctx context.Context, text string) (*File, error) {
	if text == f.text {
		return f, nil
	}
	p, s := textpos.CommonEnds(f.text, text)
	start, oldEnd, newEnd := p, len(f.text)-s, len(text)-s
	lines := f.lines.Edited(text, start, oldEnd, newEnd)
	var tree *sitter.Tree
	if f.tree != nil {
		tree = f.Tree()
		editTree(tree, treeEdit(f.lines, lines, start, oldEnd, newEnd))
	}
	nf, err := f.reparsed(ctx, tree, text, lines)
	if err == nil {
		nf.diffBase, nf.diff, nf.hasDiff = f.text, [3]int{start, oldEnd, newEnd}, true
	}
	return nf, err
}

// treeEdit describes replacing [start, oldEnd) of before's text by the
// bytes [start, newEnd) of after's, in tree-sitter's terms.
func treeEdit(before, after *textpos.Index, start, oldEnd, newEnd int) sitter.EditInput {
	sr, sc := before.Point(start)
	or, oc := before.Point(oldEnd)
	nr, nc := after.Point(newEnd)
	return sitter.EditInput{
		StartIndex:  uint32(start),
		OldEndIndex: uint32(oldEnd),
		NewEndIndex: uint32(newEnd),
		StartPoint:  sitter.Point{Row: uint32(sr), Column: uint32(sc)},
		OldEndPoint: sitter.Point{Row: uint32(or), Column: uint32(oc)},
		NewEndPoint: sitter.Point{Row: uint32(nr), Column: uint32(nc)},
	}
}

// reparsed makes the File that follows f: text with its line index, and
// the tree reparsed from tree (f's tree, edited; nil when f had none).
func (f *File) reparsed(ctx context.Context, tree *sitter.Tree, text string, lines *textpos.Index) (*File, error) {
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
	resident.touch(nf)
	// Versions before f are no longer needed: free their trees now rather
	// than when the GC gets to them (their C memory is invisible to the GC's
	// pacing). f itself keeps its tree a little longer, first in line for
	// eviction: work still running on the previous snapshot (diagnostics
	// about to be cancelled) would otherwise reparse it from scratch.
	f.treeMu.Lock()
	older := f.prev
	f.prev = nil
	f.treeMu.Unlock()
	nf.prev = f
	if older != nil {
		resident.forget(older)
	}
	resident.demote(f)
	return nf, nil
}
