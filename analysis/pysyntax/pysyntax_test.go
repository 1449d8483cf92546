package pysyntax

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	sitter "github.com/smacker/go-tree-sitter"
)

const seedModule = `from workers import WorkerEntrypoint, Response

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        value = await self.env.KV.get("key")
        if value is None:
            return Response("missing", status=404)
        return Response(value)

    async def scheduled(self, controller):
        print("tick")  # 中文 é 😀
`

// dump renders every node with its byte range and points, so two trees
// compare equal only if structure and positions agree.
func dump(t *sitter.Tree) string {
	var b strings.Builder
	var walk func(n *sitter.Node, depth int)
	walk = func(n *sitter.Node, depth int) {
		sp, ep := n.StartPoint(), n.EndPoint()
		fmt.Fprintf(&b, "%*s%s [%d-%d] (%d:%d-%d:%d) missing=%v\n", depth, "", n.Type(),
			n.StartByte(), n.EndByte(), sp.Row, sp.Column, ep.Row, ep.Column, n.IsMissing())
		for i := 0; i < int(n.ChildCount()); i++ {
			walk(n.Child(i), depth+1)
		}
	}
	walk(t.RootNode(), 0)
	return b.String()
}

// checkIncremental applies edits incrementally and compares with a fresh
// parse of the final text.
func checkIncremental(t *testing.T, base string, edits []Edit) {
	t.Helper()
	ctx := context.Background()
	// Each edit applied as an Edit, and as the whole new text (the server's
	// way): both must give the tree and line index of a fresh parse.
	for _, byText := range []bool{false, true} {
		f, err := Parse(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range edits {
			if byText {
				f, err = f.WithText(ctx, f.Text()[:e.Start]+e.NewText+f.Text()[e.End:])
			} else {
				f, err = f.Apply(ctx, []Edit{e})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		fresh, err := Parse(ctx, f.Text())
		if err != nil {
			t.Fatal(err)
		}
		if got, want := dump(f.Tree()), dump(fresh.Tree()); got != want {
			t.Fatalf("incremental tree (by text: %v) differs from a fresh parse of %q\nincremental:\n%s\nfresh:\n%s", byText, f.Text(), got, want)
		}
		for off := 0; off <= len(f.Text()); off++ {
			if got, want := f.Lines().Position(off), fresh.Lines().Position(off); got != want {
				t.Fatalf("line index (by text: %v): Position(%d) = %v; a fresh index says %v", byText, off, got, want)
			}
		}
	}
}

var fragments = []string{"", "x", "\n", "    ", "self.env.", "(", ")", "é", "中", "😀", ":\n    pass\n", "async def f(self):\n        return 1\n", "\"", "#", "await ", "\n\n"}

// randomEdits derives an edit sequence from a seed; used by the fuzz target
// and by the deterministic test run.
func randomEdits(text string, seed int64, n int) []Edit {
	r := rand.New(rand.NewSource(seed))
	var edits []Edit
	for i := 0; i < n; i++ {
		start := 0
		if len(text) > 0 {
			start = r.Intn(len(text) + 1)
		}
		end := start + r.Intn(8)
		if end > len(text) {
			end = len(text)
		}
		ins := fragments[r.Intn(len(fragments))]
		edits = append(edits, Edit{Start: start, End: end, NewText: ins})
		text = text[:start] + ins + text[end:]
	}
	return edits
}

func TestIncrementalMatchesFreshParse(t *testing.T) {
	for seed := int64(0); seed < 200; seed++ {
		checkIncremental(t, seedModule, randomEdits(seedModule, seed, 12))
	}
}

func TestMultiLineInsertKeepsPoints(t *testing.T) {
	// Inserting lines before code shifts its rows: the case go-tree-sitter's
	// own Tree.Edit gets wrong.
	checkIncremental(t, seedModule, []Edit{{Start: 0, End: 0, NewText: "import os\nimport sys\n\n"}})
	i := strings.Index(seedModule, "value = ")
	checkIncremental(t, seedModule, []Edit{{Start: i, End: i, NewText: "x = 1\n        y = 2\n        "}})
}

func TestApplyRejectsOutOfRange(t *testing.T) {
	f, _ := Parse(context.Background(), "x = 1\n")
	if _, err := f.Apply(context.Background(), []Edit{{Start: 3, End: 99}}); err == nil {
		t.Fatal("want an error for an edit past the end")
	}
}

func TestOldFileKeepsItsTree(t *testing.T) {
	ctx := context.Background()
	f, _ := Parse(ctx, "x = 1\n")
	before := dump(f.Tree())
	if _, err := f.Apply(ctx, []Edit{{Start: 0, End: 1, NewText: "def f():\n  pass"}}); err != nil {
		t.Fatal(err)
	}
	if after := dump(f.Tree()); after != before {
		t.Fatalf("old file's tree changed:\n%s\n%s", before, after)
	}
}

func TestTooLargeFileIsKeptAsText(t *testing.T) {
	big := strings.Repeat("x = 1\n", MaxParseBytes/6+10)
	f, err := Parse(context.Background(), big)
	if err != nil || !f.TooLarge || f.Tree() != nil {
		t.Fatalf("err=%v tooLarge=%v", err, f.TooLarge)
	}
	g, err := f.Apply(context.Background(), []Edit{{Start: 0, End: len(big) - 6}})
	if err != nil || g.TooLarge || g.Tree() == nil {
		t.Fatalf("shrunk file should parse: err=%v", err)
	}
}

func FuzzIncremental(f *testing.F) {
	for _, s := range []int64{1, 7, 42, 1234} {
		f.Add(s, uint8(10))
	}
	f.Fuzz(func(t *testing.T, seed int64, n uint8) {
		checkIncremental(t, seedModule, randomEdits(seedModule, seed, int(n%32)))
	})
}

func TestCancelledParseDoesNotPoisonLaterParses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	Parse(ctx, seedModule) // may or may not fail; must not break the next one
	for i := 0; i < 4; i++ {
		if _, err := Parse(context.Background(), seedModule); err != nil {
			t.Fatalf("parse after a cancelled one: %v", err)
		}
	}
}

// Files beyond the resident budget lose their tree and get it back, equal
// to a fresh parse, when asked.
func TestEvictedTreeIsRebuilt(t *testing.T) {
	ctx := context.Background()
	first, _ := Parse(ctx, seedModule)
	want := dump(first.Tree())
	var others []*File
	for i := 0; len(others)*len(seedModule) < 2*ResidentSourceBudget; i++ {
		f, _ := Parse(ctx, seedModule)
		others = append(others, f)
	}
	first.treeMu.Lock()
	evicted := first.tree == nil
	first.treeMu.Unlock()
	if !evicted {
		t.Fatal("the least recently used tree should have been freed")
	}
	if got := dump(first.Tree()); got != want {
		t.Fatal("rebuilt tree differs")
	}
	// Editing an evicted file still works.
	g, err := others[0].Apply(ctx, []Edit{{Start: 0, End: 0, NewText: "import os\n"}})
	if err != nil || g.Tree() == nil {
		t.Fatalf("edit of an evicted file: %v", err)
	}
}
