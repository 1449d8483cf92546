package textpos

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// An offset inside a multi-byte character maps to the character's start,
// as Position's doc comment says (it used to count the character's
// leading bytes as one unit each: Position(11) gave {0, 11} here).
func TestPositionInsideMultiByteCharacter(t *testing.T) {
	text := "x = '日本語😀' # é"
	x := New(text)
	for _, c := range []struct {
		offset int
		want   Position
	}{
		{5, Position{0, 5}},              // 日 starts at byte 5
		{6, Position{0, 5}},              // inside 日
		{7, Position{0, 5}},              // inside 日
		{8, Position{0, 6}},              // 本
		{11, Position{0, 7}},             // 語
		{12, Position{0, 7}},             // inside 語
		{14, Position{0, 8}},             // 😀 (two units)
		{16, Position{0, 8}},             // inside 😀
		{18, Position{0, 10}},            // the closing quote
		{len(text) - 2, Position{0, 14}}, // é
		{len(text) - 1, Position{0, 14}}, // inside é
		{len(text), Position{0, 15}},
	} {
		if got := x.Position(c.offset); got != c.want {
			t.Errorf("Position(%d) = %v; want %v", c.offset, got, c.want)
		}
	}
	// Between "\r" and "\n" is inside the line ending: the end of the line.
	y := New("ab\r\ncd")
	if got := y.Position(3); got != (Position{0, 2}) {
		t.Errorf("Position inside CRLF = %v; want {0 2}", got)
	}
}

// boundaries returns, for each byte offset of text, the character boundary
// at or before it that Position should map it to: offsets inside a
// character (as Offset decodes them, line content only, invalid bytes one
// each) or inside a line ending round down.
func boundaries(x *Index) []int {
	text := x.Text()
	canon := make([]int, len(text)+1)
	for line := 0; line < x.LineCount(); line++ {
		start, end := x.LineStart(line), x.lineEnd(line)
		next := len(text) + 1
		if line+1 < x.LineCount() {
			next = x.LineStart(line + 1)
		}
		for i := start; i < end; {
			_, size := utf8.DecodeRuneInString(text[i:end])
			for j := i; j < i+size; j++ {
				canon[j] = i
			}
			i += size
		}
		for j := end; j < next && j <= len(text); j++ {
			canon[j] = end
		}
	}
	return canon
}

// FuzzRoundTrip: offset → position → offset gives the offset back when it
// is a character boundary, and the start of the character (or of the line
// ending) when it is inside one; the position is a fixed point.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []struct {
		text   string
		offset int
	}{
		{"x = '日本語😀' # é", 11},
		{"abc\nhé llo\n中文x\n😀y😀z\r\nlast", 20},
		{"a\xff\xfeb\xf0\x9f\x98", 5},
		{"ab\r\ncd\rre\n\n", 3},
		{"", 0},
		{"😀", 2},
		{"\xf0\x9f\x98\x80\xf0\x9f", -3},
		{"é\n", 99},
	} {
		f.Add(s.text, s.offset)
	}
	f.Fuzz(func(t *testing.T, text string, offset int) {
		x := New(text)
		canon := boundaries(x)
		o := min(max(offset, 0), len(text))
		p := x.Position(offset)
		back, err := x.Offset(p)
		if err != nil {
			t.Fatalf("Offset(Position(%d) = %v): %v", offset, p, err)
		}
		if back != canon[o] {
			t.Fatalf("Offset(Position(%d) = %v) = %d; want %d", offset, p, back, canon[o])
		}
		if again := x.Position(back); again != p {
			t.Fatalf("Position(%d) = %v, but Position(%d) = %v", offset, p, back, again)
		}
		if p.Line < 0 || p.Line >= x.LineCount() || p.Character < 0 {
			t.Fatalf("Position(%d) = %v outside the document", offset, p)
		}
	})
}

// FuzzEdited: the index of an edited text, built from the old index by
// Edited, is the one New builds from scratch.
func FuzzEdited(f *testing.F) {
	for _, s := range []struct {
		text, ins string
		at, cut   int
	}{
		{"ab\ncd\nef", "x\ny", 4, 1},
		{"ab\ncd\nef", "", 2, 3},
		{"\n\n\n", "\n", 1, 1},
		{"ab\r\ncd", "\n", 3, 0},
		{"ab\rcd", "x", 3, 0},
		{"ab\ncd", "\r", 2, 0},
		{"", "a\nb", 0, 0},
		{"é\n😀", "\n", 2, 2},
	} {
		f.Add(s.text, s.ins, s.at, s.cut)
	}
	f.Fuzz(func(t *testing.T, text, ins string, at, cut int) {
		at = min(max(at, 0), len(text))
		end := min(at+max(cut, 0), len(text))
		edited := text[:at] + ins + text[end:]
		got := New(text).Edited(edited, at, end, at+len(ins))
		want := New(edited)
		if got.Text() != edited || !slices.Equal(got.lineStarts, want.lineStarts) {
			t.Fatalf("Edited(%q: [%d,%d) → %q) line starts %v; want %v", text, at, end, ins, got.lineStarts, want.lineStarts)
		}
		// An edit that does not match the texts is indexed afresh.
		if bad := New(text).Edited(edited, at, end, at+len(ins)+1); !slices.Equal(bad.lineStarts, want.lineStarts) {
			t.Fatalf("a mismatched edit gave line starts %v; want %v", bad.lineStarts, want.lineStarts)
		}
	})
}
