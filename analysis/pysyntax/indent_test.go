package pysyntax

import (
	"context"
	"strings"
	"testing"
)

// Blocks indented by 256 columns or more parse like any other: tree-sitter-
// python's scanner serialized each indentation column in one byte, so 256
// came back as 0 and the rest of the file was an ERROR (issue 17 item 8).
func TestDeepIndentationParses(t *testing.T) {
	for _, cols := range [][]int{{4}, {255}, {256}, {300}, {512}, {1000}, {100, 200, 300, 400}, {250, 260, 513, 1026}, {8, 16}} {
		var b strings.Builder
		b.WriteString("import time\n\n")
		for i, c := range cols {
			if c == 0 {
				continue
			}
			prev := 0
			if i > 0 {
				prev = cols[i-1]
			}
			b.WriteString(strings.Repeat(" ", prev) + "if x:\n")
			_ = c
		}
		last := cols[len(cols)-1]
		b.WriteString(strings.Repeat(" ", last) + "time.sleep(1)\n")
		b.WriteString(strings.Repeat(" ", last) + "y = 2\n")
		b.WriteString("\nasync def after():\n    time.sleep(2)\n")
		src := b.String()
		f, err := Parse(context.Background(), src)
		if err != nil {
			t.Fatal(err)
		}
		root := f.Tree().RootNode()
		if root.HasError() {
			t.Errorf("indentation %v: parse error: %s", cols, root.String())
			continue
		}
		// An edit inside the deep block reparses incrementally to the same tree.
		at := strings.Index(src, "y = 2") + 4
		g, err := f.Apply(context.Background(), []Edit{{Start: at, End: at + 1, NewText: "3"}})
		if err != nil {
			t.Fatal(err)
		}
		fresh, _ := Parse(context.Background(), g.Text())
		if got, want := g.Tree().RootNode().String(), fresh.Tree().RootNode().String(); got != want || g.Tree().RootNode().HasError() {
			t.Errorf("indentation %v: incremental reparse differs or fails:\n%s\n%s", cols, got, want)
		}
	}
}
