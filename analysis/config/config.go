// Package config parses wrangler.json / wrangler.jsonc / wrangler.toml (and
// pyproject.toml) into one generic tree that keeps the source range of every
// key and value, so go-to-definition, diagnostics and edits can point into
// the file exactly as written.
//
// JSONC is read with github.com/tailscale/hujson and TOML with the
// position-keeping parser of github.com/pelletier/go-toml/v2/unstable.
package config

import (
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Range is a half-open byte range [Start, End) in the file's text.
type Range struct{ Start, End int }

// Kind says what a node holds.
type Kind int

// The node kinds.
const (
	Null Kind = iota
	Object
	Array
	String
	Number
	Bool
	Other // TOML dates and times
)

func (k Kind) String() string {
	return [...]string{"null", "object", "array", "string", "number", "boolean", "date"}[k]
}

// Node is one value in a config file.
type Node struct {
	Kind     Kind
	Key      string // the member name in its parent object; "" for array items and the root
	KeyRange Range  // where Key is written (for a TOML [table], the last key part of its header)
	Range    Range  // the value as written (for a TOML [table], header through last entry)
	Members  []*Node
	Items    []*Node
	Str      string // String value
	Num      float64
	Bool     bool
	Raw      string // literal text for numbers and dates
}

// Get returns the member named key, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Object {
		return nil
	}
	for _, m := range n.Members {
		if m.Key == key {
			return m
		}
	}
	return nil
}

// Path follows object keys, or nil if any step is missing.
func (n *Node) Path(keys ...string) *Node {
	for _, k := range keys {
		n = n.Get(k)
	}
	return n
}

// String returns the string value of n, or "" when n is not a string.
func (n *Node) String() string {
	if n == nil || n.Kind != String {
		return ""
	}
	return n.Str
}

// Strings returns the string items of an array node.
func (n *Node) Strings() []string {
	if n == nil || n.Kind != Array {
		return nil
	}
	var out []string
	for _, it := range n.Items {
		if it.Kind == String {
			out = append(out, it.Str)
		}
	}
	return out
}

// ToAny converts the tree to the shape json.Unmarshal produces (maps,
// slices, strings, float64, bool, nil), for schema validation.
func (n *Node) ToAny() any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case Object:
		m := make(map[string]any, len(n.Members))
		for _, c := range n.Members {
			m[c.Key] = c.ToAny()
		}
		return m
	case Array:
		s := make([]any, len(n.Items))
		for i, c := range n.Items {
			s[i] = c.ToAny()
		}
		return s
	case String:
		return n.Str
	case Number:
		return n.Num
	case Bool:
		return n.Bool
	case Other:
		return n.Raw
	}
	return nil
}

// Lookup follows a path of object keys and array indexes (as decimal
// strings), as a JSON pointer would, and returns the deepest node reached
// and how many segments matched.
func (n *Node) Lookup(path []string) (*Node, int) {
	cur := n
	for i, seg := range path {
		var next *Node
		switch cur.Kind {
		case Object:
			next = cur.Get(seg)
		case Array:
			if idx, err := strconv.Atoi(seg); err == nil && idx >= 0 && idx < len(cur.Items) {
				next = cur.Items[idx]
			}
		}
		if next == nil {
			return cur, i
		}
		cur = next
	}
	return cur, len(path)
}

// Format is the syntax of a config file.
type Format string

// The formats.
const (
	JSON  Format = "json"
	JSONC Format = "jsonc"
	TOML  Format = "toml"
)

// FormatOf picks the format from a file name.
func FormatOf(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".toml":
		return TOML
	case ".json":
		return JSON
	}
	return JSONC
}

// SyntaxError is a parse error with its location.
type SyntaxError struct {
	Range   Range
	Message string
}

// Document is one parsed config file. Root is never nil: a file that does
// not parse yields an empty object and at least one error.
type Document struct {
	Path   string
	Format Format
	Text   string
	Root   *Node
	Errors []SyntaxError
}

// Parse parses a config file of the format its name says. It never fails:
// problems are in Document.Errors.
func Parse(path string, text []byte) *Document {
	doc := &Document{Path: path, Format: FormatOf(path), Text: string(text)}
	var root *Node
	var errs []SyntaxError
	if doc.Format == TOML {
		root, errs = parseTOML(doc.Text)
	} else {
		root, errs = parseJSONC(doc.Text)
	}
	if root == nil || root.Kind != Object {
		if root != nil && len(errs) == 0 {
			errs = append(errs, SyntaxError{Range: root.Range, Message: "the configuration must be an object, not " + root.Kind.String()})
		}
		root = &Node{Kind: Object, Range: Range{0, len(text)}}
	}
	doc.Root = root
	doc.Errors = errs
	return doc
}

// NodeAt returns the innermost node whose key or value range holds offset,
// with the chain of its ancestors (root first).
func (d *Document) NodeAt(offset int) []*Node {
	var chain []*Node
	var walk func(n *Node) bool
	walk = func(n *Node) bool {
		inKey := n.Key != "" && offset >= n.KeyRange.Start && offset <= n.KeyRange.End
		inVal := offset >= n.Range.Start && offset <= n.Range.End
		if !inKey && !inVal {
			return false
		}
		chain = append(chain, n)
		if inVal {
			for _, c := range append(append([]*Node{}, n.Members...), n.Items...) {
				if walk(c) {
					return true
				}
			}
		}
		return true
	}
	for _, c := range append(append([]*Node{}, d.Root.Members...), d.Root.Items...) {
		if walk(c) {
			return append([]*Node{d.Root}, chain...)
		}
	}
	return []*Node{d.Root}
}

// lineCol converts a one-based line and column to a byte offset.
func lineCol(text string, line, col int) int {
	off := 0
	for l := 1; l < line && off < len(text); l++ {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	off += col - 1
	if off > len(text) {
		off = len(text)
	}
	if off < 0 {
		off = 0
	}
	return off
}

// sortMembers keeps members in source order (TOML tables may be declared
// after the keys that follow them in the tree).
func sortMembers(n *Node) {
	sort.SliceStable(n.Members, func(i, j int) bool { return n.Members[i].KeyRange.Start < n.Members[j].KeyRange.Start })
	for _, m := range n.Members {
		sortMembers(m)
	}
	for _, it := range n.Items {
		sortMembers(it)
	}
}
