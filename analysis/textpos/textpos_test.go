package textpos

import (
	"math/rand"
	"strings"
	"testing"
)

func TestRoundTripMixedScripts(t *testing.T) {
	text := "abc\nhé llo\n中文x\n😀y😀z\r\nlast"
	x := New(text)
	cases := []struct {
		pos    Position
		offset int
	}{
		{Position{0, 0}, 0},
		{Position{0, 3}, 3},
		{Position{1, 1}, 5},                        // 'é' starts at byte 5
		{Position{1, 2}, 7},                        // after 'é' (2 bytes, 1 unit)
		{Position{2, 2}, strings.Index(text, "x")}, // two CJK chars = 2 units
		{Position{3, 2}, strings.Index(text, "y")}, // emoji = 2 units
		{Position{3, 5}, strings.Index(text, "z")},
		{Position{4, 4}, len(text)},
	}
	for _, c := range cases {
		got, err := x.Offset(c.pos)
		if err != nil || got != c.offset {
			t.Errorf("Offset(%v) = %d, %v; want %d", c.pos, got, err, c.offset)
		}
		if back := x.Position(c.offset); back != c.pos {
			t.Errorf("Position(%d) = %v; want %v", c.offset, back, c.pos)
		}
	}
}

func TestSurrogateMiddleRoundsDown(t *testing.T) {
	x := New("😀y")
	got, _ := x.Offset(Position{0, 1})
	if got != 0 {
		t.Fatalf("offset inside a surrogate pair = %d, want 0", got)
	}
}

func TestClampAndOutOfRange(t *testing.T) {
	x := New("ab\ncd")
	if got, err := x.Offset(Position{0, 99}); err != nil || got != 2 {
		t.Fatalf("column past line end: %d %v", got, err)
	}
	if _, err := x.Offset(Position{5, 0}); err == nil {
		t.Fatal("line past end: want error")
	}
	if _, err := x.Offset(Position{-1, 0}); err == nil {
		t.Fatal("negative line: want error")
	}
}

func TestInvalidUTF8CountsOneUnitPerByte(t *testing.T) {
	x := New("a\xff\xfeb")
	got, err := x.Offset(Position{0, 3})
	if err != nil || got != 3 {
		t.Fatalf("got %d %v", got, err)
	}
	if p := x.Position(4); p.Character != 4 {
		t.Fatalf("got %v", p)
	}
}

func TestLineEndings(t *testing.T) {
	x := New("a\r\nb\rc\n")
	if x.LineCount() != 4 {
		t.Fatalf("lines = %d", x.LineCount())
	}
	if off, _ := x.Offset(Position{1, 0}); off != 3 {
		t.Fatalf("line 1 start = %d", off)
	}
	if off, _ := x.Offset(Position{2, 0}); off != 5 {
		t.Fatalf("line 2 start = %d", off)
	}
	if off, _ := x.Offset(Position{0, 5}); off != 1 {
		t.Fatalf("clamp before CRLF = %d", off)
	}
}

// TestCommonEnds checks the block-wise prefix/suffix search against a
// byte-by-byte one, around block boundaries and with overlapping ends.
func TestCommonEnds(t *testing.T) {
	naive := func(a, b string) (int, int) {
		n := min(len(a), len(b))
		p, s := 0, 0
		for p < n && a[p] == b[p] {
			p++
		}
		for s < n-p && a[len(a)-1-s] == b[len(b)-1-s] {
			s++
		}
		return p, s
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		base := strings.Repeat("ab\n", r.Intn(400))
		at := r.Intn(len(base) + 1)
		cut := min(len(base), at+r.Intn(4))
		ins := []string{"", "a", "b", "\n", "ab\nab"}[r.Intn(5)]
		other := base[:at] + ins + base[cut:]
		gp, gs := CommonEnds(base, other)
		wp, ws := naive(base, other)
		if gp != wp || gs != ws {
			t.Fatalf("CommonEnds(%d bytes, edit at %d) = %d, %d; want %d, %d", len(base), at, gp, gs, wp, ws)
		}
	}
}
