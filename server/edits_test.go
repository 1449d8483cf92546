package server

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

// naiveApply applies changes one at a time through a fresh line index each:
// the reference for applyTextChanges.
func naiveApply(text string, changes []contentChange) (string, error) {
	for _, c := range changes {
		if c.Range == nil {
			text = c.Text
			continue
		}
		start, end, err := changeOffsets(textpos.New(text), *c.Range)
		if err != nil {
			return "", err
		}
		text = text[:start] + c.Text + text[end:]
	}
	return text, nil
}

// A batch applied in one pass gives exactly the text of applying its
// changes one by one, line endings ("\r\n", lone "\r") and UTF-16 columns
// included.
func TestBatchEditsMatchOneByOne(t *testing.T) {
	rng := rand.New(rand.NewSource(17))
	pieces := []string{"a", "bc", "\n", "\r\n", "\r", "é", "𝄞", "def x():", " ", "\t", ""}
	randText := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		return b.String()
	}
	for iter := 0; iter < 3000; iter++ {
		text := randText(rng.Intn(40))
		var changes []contentChange
		for k := 1 + rng.Intn(6); k > 0; k-- {
			if rng.Intn(15) == 0 {
				changes = append(changes, contentChange{Text: randText(rng.Intn(10))})
				continue
			}
			lines := 1 + strings.Count(text, "\n") + 2
			a := protocol.Position{Line: uint32(rng.Intn(lines)), Character: uint32(rng.Intn(8))}
			b := protocol.Position{Line: a.Line + uint32(rng.Intn(2)), Character: uint32(rng.Intn(8))}
			changes = append(changes, contentChange{Range: &protocol.Range{Start: a, End: b}, Text: randText(rng.Intn(4))})
		}
		want, wantErr := naiveApply(text, changes)
		got, err := applyTextChanges(text, textpos.New(text), changes)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("text %q changes %+v: error %v, want %v", text, changes, err, wantErr)
		}
		if err != nil {
			continue
		}
		if got != want {
			t.Fatalf("text %q changes %s:\ngot  %q\nwant %q", text, describe(changes), got, want)
		}
	}
}

func describe(cs []contentChange) string {
	var b strings.Builder
	for _, c := range cs {
		if c.Range == nil {
			b.WriteString("[all]")
		} else {
			r := c.Range
			b.WriteString("[" + itoa(r.Start.Line) + ":" + itoa(r.Start.Character) + "-" + itoa(r.End.Line) + ":" + itoa(r.End.Character) + "]")
		}
		b.WriteString("=" + strings.ReplaceAll(c.Text, "\n", `\n`) + " ")
	}
	return b.String()
}

func itoa(u uint32) string { return strconv.Itoa(int(u)) }

// 3,000 edits in one didChange on a 1.2 MB module apply in well under a
// second (each used to copy the whole text and index its lines).
func TestBigBatchIsOnePass(t *testing.T) {
	line := "    value = compute(alpha, beta, gamma)  # padding padding\n"
	text := strings.Repeat(line, 1200000/len(line))
	var changes []contentChange
	for i := 0; i < 3000; i++ {
		l := uint32(i * 6)
		changes = append(changes, contentChange{Range: &protocol.Range{Start: protocol.Position{Line: l, Character: 4}, End: protocol.Position{Line: l, Character: 9}}, Text: "renamed"})
	}
	start := time.Now()
	got, err := applyTextChanges(text, textpos.New(text), changes)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(got, "renamed = compute") != 3000 {
		t.Fatal("edits not applied")
	}
	if took > time.Second {
		t.Fatalf("3,000 edits on 1.2 MB took %v", took)
	}
	t.Logf("3,000 edits on 1.2 MB: %v", took)
}
