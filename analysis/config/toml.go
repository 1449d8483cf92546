package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// tomlBuilder turns the flat expression stream of a TOML document (key/value
// lines, [table] and [[array table]] headers) into the nested tree.
type tomlBuilder struct {
	text    string
	p       *unstable.Parser
	root    *Node
	current *Node // the table that key/value lines go into
}

func parseTOML(text string) (root *Node, errs []SyntaxError) {
	b := &tomlBuilder{text: text, p: &unstable.Parser{}}
	b.root = &Node{Kind: Object, Range: Range{0, len(text)}}
	b.current = b.root
	defer func() {
		// The unstable parser panics on a few malformed inputs; a broken
		// config must never take the server down.
		if r := recover(); r != nil {
			errs = append(errs, SyntaxError{Range: Range{0, 0}, Message: fmt.Sprintf("not valid TOML: %v", r)})
			root = b.root
		}
	}()
	b.p.Reset([]byte(text))
	for b.p.NextExpression() {
		e := b.p.Expression()
		if err := b.expression(e); err != nil {
			errs = append(errs, *err)
		}
	}
	if err := b.p.Error(); err != nil {
		r := Range{len(text), len(text)}
		msg := err.Error()
		if pe, ok := err.(*unstable.ParserError); ok {
			off := b.offsetOf(pe.Highlight)
			r = Range{off, off + len(pe.Highlight)}
			msg = pe.Message
		}
		errs = append(errs, SyntaxError{Range: r, Message: "not valid TOML: " + msg})
	}
	sortMembers(b.root)
	return b.root, errs
}

// offsetOf finds where a sub-slice of the parser's input starts.
func (b *tomlBuilder) offsetOf(highlight []byte) int {
	if len(highlight) == 0 {
		return len(b.text)
	}
	r := b.p.Range(highlight)
	return int(r.Offset)
}

func rng(r unstable.Range) Range { return Range{int(r.Offset), int(r.Offset + r.Length)} }

func (b *tomlBuilder) keyParts(it unstable.Iterator) (parts []string, ranges []Range) {
	for it.Next() {
		k := it.Node()
		parts = append(parts, string(k.Data))
		ranges = append(ranges, rng(k.Raw))
	}
	return
}

func (b *tomlBuilder) expression(e *unstable.Node) *SyntaxError {
	switch e.Kind {
	case unstable.Table, unstable.ArrayTable:
		parts, ranges := b.keyParts(e.Key())
		if len(parts) == 0 {
			return nil
		}
		start := strings.LastIndex(b.text[:ranges[0].Start], "[")
		if e.Kind == unstable.ArrayTable && start > 0 && b.text[start-1] == '[' {
			start--
		}
		if start < 0 {
			start = ranges[0].Start
		}
		end := strings.Index(b.text[ranges[len(ranges)-1].End:], "]")
		headerEnd := ranges[len(ranges)-1].End + end + 1
		if e.Kind == unstable.ArrayTable {
			headerEnd++
		}
		parent := b.root
		for i, part := range parts[:len(parts)-1] {
			parent = b.child(parent, part, ranges[i], Range{start, headerEnd})
			if parent == nil {
				return &SyntaxError{Range: ranges[i], Message: fmt.Sprintf("%q is not a table", part)}
			}
		}
		last, lastRange := parts[len(parts)-1], ranges[len(ranges)-1]
		if e.Kind == unstable.Table {
			t := parent.Get(last)
			if t == nil {
				t = &Node{Kind: Object, Key: last, KeyRange: lastRange}
				parent.Members = append(parent.Members, t)
			} else if t.Kind != Object {
				return &SyntaxError{Range: lastRange, Message: fmt.Sprintf("%q is already defined as %s", last, t.Kind)}
			}
			t.KeyRange = lastRange
			t.Range = Range{start, headerEnd}
			b.current = t
			return nil
		}
		arr := parent.Get(last)
		if arr == nil {
			arr = &Node{Kind: Array, Key: last, KeyRange: lastRange, Range: Range{start, headerEnd}}
			parent.Members = append(parent.Members, arr)
		} else if arr.Kind != Array {
			return &SyntaxError{Range: lastRange, Message: fmt.Sprintf("%q is already defined as %s", last, arr.Kind)}
		}
		item := &Node{Kind: Object, KeyRange: lastRange, Range: Range{start, headerEnd}}
		arr.Items = append(arr.Items, item)
		b.current = item
		return nil
	case unstable.KeyValue:
		parts, ranges := b.keyParts(e.Key())
		if len(parts) == 0 {
			return nil
		}
		whole := rng(e.Raw)
		table := b.current
		for i, part := range parts[:len(parts)-1] {
			table = b.child(table, part, ranges[i], whole)
			if table == nil {
				return &SyntaxError{Range: ranges[i], Message: fmt.Sprintf("%q is not a table", part)}
			}
		}
		last := parts[len(parts)-1]
		if old := table.Get(last); old != nil {
			return &SyntaxError{Range: ranges[len(ranges)-1], Message: fmt.Sprintf("%q is defined twice", last)}
		}
		v := b.value(e.Value(), whole.End)
		v.Key, v.KeyRange = last, ranges[len(ranges)-1]
		table.Members = append(table.Members, v)
		b.extend(whole.End)
		return nil
	}
	return nil
}

// extend grows the current table's range to cover a line that belongs to it.
func (b *tomlBuilder) extend(end int) {
	if b.current != b.root && end > b.current.Range.End {
		b.current.Range.End = end
	}
}

// child returns (creating it) the object member part of parent; for an array
// of tables it descends into the last item, as TOML does.
func (b *tomlBuilder) child(parent *Node, part string, keyRange, r Range) *Node {
	c := parent.Get(part)
	if c == nil {
		c = &Node{Kind: Object, Key: part, KeyRange: keyRange, Range: r}
		parent.Members = append(parent.Members, c)
		return c
	}
	switch c.Kind {
	case Object:
		return c
	case Array:
		if len(c.Items) > 0 && c.Items[len(c.Items)-1].Kind == Object {
			return c.Items[len(c.Items)-1]
		}
	}
	return nil
}

// value converts a value node; limit bounds containers whose end the parser
// does not record.
func (b *tomlBuilder) value(v *unstable.Node, limit int) *Node {
	r := rng(v.Raw)
	switch v.Kind {
	case unstable.String:
		return &Node{Kind: String, Str: string(v.Data), Range: r}
	case unstable.Bool:
		return &Node{Kind: Bool, Bool: string(v.Data) == "true", Range: r}
	case unstable.Integer:
		s := strings.ReplaceAll(string(v.Data), "_", "")
		n, _ := strconv.ParseInt(s, 0, 64)
		return &Node{Kind: Number, Num: float64(n), Raw: string(v.Data), Range: r}
	case unstable.Float:
		f, _ := strconv.ParseFloat(strings.ReplaceAll(string(v.Data), "_", ""), 64)
		return &Node{Kind: Number, Num: f, Raw: string(v.Data), Range: r}
	case unstable.Array:
		n := &Node{Kind: Array, Range: Range{r.Start, closeOf(b.text, r.Start, limit)}}
		it := v.Children()
		for it.Next() {
			c := it.Node()
			if c.Kind == unstable.Comment {
				continue
			}
			n.Items = append(n.Items, b.value(c, n.Range.End))
		}
		return n
	case unstable.InlineTable:
		n := &Node{Kind: Object, Range: Range{r.Start, closeOf(b.text, r.Start, limit)}}
		it := v.Children()
		for it.Next() {
			kv := it.Node()
			if kv.Kind != unstable.KeyValue {
				continue
			}
			parts, ranges := b.keyParts(kv.Key())
			table := n
			for i, part := range parts[:len(parts)-1] {
				if table = b.child(table, part, ranges[i], rng(kv.Raw)); table == nil {
					break
				}
			}
			if table == nil || len(parts) == 0 {
				continue
			}
			c := b.value(kv.Value(), n.Range.End)
			c.Key, c.KeyRange = parts[len(parts)-1], ranges[len(ranges)-1]
			table.Members = append(table.Members, c)
		}
		return n
	default: // dates and times
		return &Node{Kind: Other, Raw: string(v.Data), Range: r}
	}
}

// closeOf finds the bracket closing the one at start, skipping strings and
// comments; it stops at limit.
func closeOf(text string, start, limit int) int {
	if limit > len(text) || limit <= start {
		limit = len(text)
	}
	depth := 0
	for i := start; i < limit; i++ {
		switch c := text[i]; c {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		case '#':
			for i < limit && text[i] != '\n' {
				i++
			}
		case '"', '\'':
			triple := strings.HasPrefix(text[i:], strings.Repeat(string(c), 3))
			if triple {
				j := strings.Index(text[i+3:limit], strings.Repeat(string(c), 3))
				if j < 0 {
					return limit
				}
				i += 3 + j + 2
				continue
			}
			for i++; i < limit && text[i] != c; i++ {
				if c == '"' && text[i] == '\\' {
					i++
				}
			}
		}
	}
	return limit
}
