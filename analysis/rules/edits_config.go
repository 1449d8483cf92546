package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
)

// Config edits are minimal insertions: they never rewrite existing text, so
// the user's comments, key order and formatting survive (JSONC and TOML).

// textEdit is an edit in byte offsets of one file.
type textEdit struct {
	Start, End int
	Text       string
}

// field is one member of an object value to be written.
type field struct {
	Key   string
	Value any // string, int, float64, bool, []any, []field (an object)
}

// quote renders s as a string literal that is valid JSON and a valid TOML
// basic string alike (strconv.Quote is Go syntax: `\x7f` and `\a` are
// escapes neither accepts). Quotes, backslashes, control characters, DEL
// and U+2028/U+2029 are escaped; invalid UTF-8 becomes U+FFFD, since both
// formats are UTF-8 only; other text stays as it is.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// jsonValue renders v as inline JSON.
func jsonValue(v any) string {
	switch x := v.(type) {
	case string:
		return quote(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, it := range x {
			parts[i] = jsonValue(it)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []field:
		if len(x) == 0 {
			return "{}"
		}
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = quote(f.Key) + ": " + jsonValue(f.Value)
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case *config.Node:
		return jsonValue(nodeValue(x))
	case rawJSON:
		return string(x)
	}
	return "null"
}

// tomlKey quotes a key when it is not a bare key.
func tomlKey(k string) string {
	for _, r := range k {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return quote(k)
		}
	}
	if k == "" {
		return `""`
	}
	return k
}

// tomlValue renders v as an inline TOML value.
func tomlValue(v any) string {
	switch x := v.(type) {
	case []any:
		parts := make([]string, len(x))
		for i, it := range x {
			parts[i] = tomlValue(it)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []field:
		if len(x) == 0 {
			return "{}"
		}
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = tomlKey(f.Key) + " = " + tomlValue(f.Value)
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case *config.Node:
		return tomlValue(nodeValue(x))
	}
	return jsonValue(v) // strings, numbers and booleans are written alike
}

// nodeValue converts a config node to field form (keeping member order).
func nodeValue(n *config.Node) any {
	switch n.Kind {
	case config.Object:
		out := []field{}
		for _, m := range n.Members {
			out = append(out, field{m.Key, nodeValue(m)})
		}
		return out
	case config.Array:
		out := []any{}
		for _, it := range n.Items {
			out = append(out, nodeValue(it))
		}
		return out
	case config.String:
		return n.Str
	case config.Number:
		return n.Num
	case config.Bool:
		return n.Bool
	case config.Other:
		return n.Raw
	}
	return nil
}

// lineStartOf returns the offset of the start of the line holding off.
func lineStartOf(text string, off int) int {
	return strings.LastIndexByte(text[:off], '\n') + 1
}

// indentAt returns the leading whitespace of the line holding off.
func indentAt(text string, off int) string {
	start := lineStartOf(text, off)
	end := start
	for end < len(text) && (text[end] == ' ' || text[end] == '\t') {
		end++
	}
	return text[start:end]
}

// afterValue looks past a JSONC/TOML value that ends at end: whether a comma
// follows, and where a new line may be inserted (the end of the line,
// after any comment) — or -1 when more text follows on the same line.
func afterValue(text string, end int, hashComments bool) (comma bool, lineEnd int) {
	i := end
	skipSpace := func() {
		for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
			i++
		}
	}
	skipSpace()
	if i < len(text) && text[i] == ',' {
		comma = true
		i++
		skipSpace()
	}
	switch {
	case strings.HasPrefix(text[i:], "//") || hashComments && strings.HasPrefix(text[i:], "#"):
		j := strings.IndexByte(text[i:], '\n')
		if j < 0 {
			return comma, len(text)
		}
		i += j
	case strings.HasPrefix(text[i:], "/*"):
		j := strings.Index(text[i:], "*/")
		if j >= 0 {
			i += j + 2
			skipSpace()
		}
	}
	if i >= len(text) {
		return comma, len(text)
	}
	if text[i] == '\r' || text[i] == '\n' {
		return comma, i
	}
	return comma, -1
}

// appendToContainer inserts item (rendered text) after the last element of
// a JSON/TOML object or array whose elements end at lastEnd (the start of
// the line of the element is elemStart), or into an empty container.
func appendToContainer(text string, container config.Range, elemStart, lastEnd int, item string, hashComments bool) []textEdit {
	if lastEnd < 0 { // empty: `{}` / `[]`
		if container.Start < 0 || container.End > len(text) || container.End-container.Start < 2 {
			return nil // no brackets to write between (an empty or unreadable file)
		}
		open := container.Start + 1
		inner := text[open : container.End-1]
		if strings.TrimSpace(inner) == "" {
			return []textEdit{{open, container.End - 1, " " + item + " "}}
		}
		return []textEdit{{open, open, " " + item + ","}}
	}
	comma, lineEnd := afterValue(text, lastEnd, hashComments)
	multiline := strings.Contains(text[container.Start:elemStart], "\n")
	if multiline && lineEnd >= 0 {
		indent := indentAt(text, elemStart)
		suffix := ""
		if comma {
			suffix = "," // the file uses trailing commas: keep doing so
		} else if lineEnd == lastEnd {
			return []textEdit{{lastEnd, lastEnd, ",\n" + indent + item}}
		} else {
			return []textEdit{{lastEnd, lastEnd, ","}, {lineEnd, lineEnd, "\n" + indent + item}}
		}
		return []textEdit{{lineEnd, lineEnd, "\n" + indent + item + suffix}}
	}
	return []textEdit{{lastEnd, lastEnd, ", " + item}}
}

// jsonAddMember adds "key": value to a JSONC object node.
func jsonAddMember(text string, obj *config.Node, key string, value any) []textEdit {
	item := quote(key) + ": " + jsonValue(value)
	if len(obj.Members) == 0 {
		return appendToContainer(text, obj.Range, obj.Range.Start, -1, item, false)
	}
	last := obj.Members[len(obj.Members)-1]
	return appendToContainer(text, obj.Range, last.KeyRange.Start, last.Range.End, item, false)
}

// arrayAppend adds an item to an inline array node (JSONC or TOML).
func arrayAppend(text string, arr *config.Node, item string, toml bool) []textEdit {
	if len(arr.Items) == 0 {
		return appendToContainer(text, arr.Range, arr.Range.Start, -1, item, toml)
	}
	last := arr.Items[len(arr.Items)-1]
	return appendToContainer(text, arr.Range, last.Range.Start, last.Range.End, item, toml)
}

// configEditor builds minimal edits to a wrangler config.
type configEditor struct {
	doc *config.Document
}

func (e configEditor) toml() bool { return e.doc.Format == config.TOML }

// blockPath is the key path of an environment block: nil for the top
// level, ["env", name] otherwise.
func blockPath(envName string) []string {
	if envName == "" {
		return nil
	}
	return []string{"env", envName}
}

// isHeaderTable reports whether a TOML object node was written as a
// `[a.b]` table whose header names exactly path.
func (e configEditor) isHeaderTable(n *config.Node, path []string) bool {
	if n == nil || n.Kind != config.Object || n.Range.Start >= len(e.doc.Text) || e.doc.Text[n.Range.Start] != '[' {
		return false
	}
	line := e.doc.Text[n.Range.Start:]
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if j := strings.IndexByte(line, '#'); j >= 0 {
		line = line[:j]
	}
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "[[") {
		return false
	}
	header := strings.ReplaceAll(strings.Trim(line, "[]"), " ", "")
	header = strings.ReplaceAll(header, `"`, "")
	return header == strings.Join(path, ".")
}

// isInline reports whether a TOML node is an inline `{...}` / `[...]` value.
func (e configEditor) isInline(n *config.Node) bool {
	if n == nil || n.Range.Start >= len(e.doc.Text) {
		return false
	}
	c := e.doc.Text[n.Range.Start]
	if n.Kind == config.Object {
		return c == '{'
	}
	if n.Kind == config.Array {
		return c == '[' && !(len(n.Items) > 0 && n.Items[0].Range.Start < len(e.doc.Text) && strings.HasPrefix(e.doc.Text[n.Items[0].Range.Start:], "[["))
	}
	return false
}

// appendAtEnd appends text at the end of the file, on a fresh line.
func (e configEditor) appendAtEnd(s string) textEdit {
	t := e.doc.Text
	prefix := "\n"
	if t == "" || strings.HasSuffix(t, "\n\n") {
		prefix = ""
	} else if !strings.HasSuffix(t, "\n") {
		prefix = "\n\n"
	}
	return textEdit{len(t), len(t), prefix + s}
}

// setKey adds key = value to the table at path (nil = top level). The key
// must not exist yet.
func (e configEditor) setKey(path []string, key string, value any) []textEdit {
	root := e.doc.Root
	if !e.toml() {
		return e.jsonSetKey(path, key, value)
	}
	line := tomlKey(key) + " = " + tomlValue(value)
	if len(path) == 0 {
		// Top-level keys go before the first table header.
		first := -1
		for _, m := range root.Members {
			if (m.Kind == config.Object || m.Kind == config.Array) && !e.isInline(m) {
				s := lineStartOf(e.doc.Text, m.Range.Start)
				if m.Kind == config.Array && len(m.Items) > 0 {
					s = lineStartOf(e.doc.Text, m.Items[0].Range.Start)
				}
				if first < 0 || s < first {
					first = s
				}
			}
		}
		if first < 0 {
			return []textEdit{e.appendAtEnd(line + "\n")}
		}
		// Keep a blank line and comments above the header with the header.
		insert := first
		for insert > 0 {
			prev := lineStartOf(e.doc.Text, insert-1)
			l := strings.TrimSpace(e.doc.Text[prev : insert-1])
			if l != "" && !strings.HasPrefix(l, "#") {
				break
			}
			insert = prev
		}
		return []textEdit{{insert, insert, line + "\n"}}
	}
	table, n := root.Lookup(path)
	if n == len(path) && e.isHeaderTable(table, path) {
		nl := strings.IndexByte(e.doc.Text[table.Range.Start:], '\n')
		if nl < 0 {
			return []textEdit{e.appendAtEnd(line + "\n")}
		}
		at := table.Range.Start + nl + 1
		return []textEdit{{at, at, line + "\n"}}
	}
	if n == len(path) && e.isInline(table) {
		item := tomlKey(key) + " = " + tomlValue(value)
		if len(table.Members) == 0 {
			return appendToContainer(e.doc.Text, table.Range, table.Range.Start, -1, item, true)
		}
		last := table.Members[len(table.Members)-1]
		return []textEdit{{last.Range.End, last.Range.End, ", " + item}}
	}
	return []textEdit{e.appendAtEnd("[" + strings.Join(quoteKeys(path), ".") + "]\n" + line + "\n")}
}

func quoteKeys(path []string) []string {
	out := make([]string, len(path))
	for i, p := range path {
		out[i] = tomlKey(p)
	}
	return out
}

// jsonSetKey adds key to the object at path, creating the missing objects
// on the way as one nested value.
func (e configEditor) jsonSetKey(path []string, key string, value any) []textEdit {
	obj, n := e.doc.Root.Lookup(path)
	if obj.Kind != config.Object {
		return nil
	}
	for i := len(path) - 1; i >= n; i-- {
		if i == len(path)-1 {
			value = []field{{key, value}}
		} else {
			value = []field{{path[i+1], value}}
		}
	}
	if n < len(path) {
		key = path[n]
	}
	return jsonAddMember(e.doc.Text, obj, key, value)
}

// appendEntry appends an object to the array of entries at block+path
// (kv_namespaces, durable_objects.bindings), creating it when missing.
func (e configEditor) appendEntry(block, path []string, entry []field) []textEdit {
	full := append(append([]string{}, block...), path...)
	arr, depth := e.doc.Root.Lookup(full)
	if e.toml() {
		if depth == len(full) && arr.Kind == config.Array && e.isInline(arr) {
			return arrayAppend(e.doc.Text, arr, tomlValue(entry), true)
		}
		var b strings.Builder
		b.WriteString("[[" + strings.Join(quoteKeys(full), ".") + "]]\n")
		for _, f := range entry {
			b.WriteString(tomlKey(f.Key) + " = " + tomlValue(f.Value) + "\n")
		}
		return []textEdit{e.appendAtEnd(b.String())}
	}
	if depth == len(full) {
		if arr.Kind != config.Array {
			return nil
		}
		return arrayAppend(e.doc.Text, arr, jsonValue(entry), false)
	}
	return e.jsonSetKey(full[:len(full)-1], full[len(full)-1], []any{entry})
}

// setObject adds an object-valued key (a single-entry binding such as
// "ai") to block.
func (e configEditor) setObject(block []string, key string, entry []field) []textEdit {
	if e.toml() {
		full := append(append([]string{}, block...), key)
		var b strings.Builder
		b.WriteString("[" + strings.Join(quoteKeys(full), ".") + "]\n")
		for _, f := range entry {
			b.WriteString(tomlKey(f.Key) + " = " + tomlValue(f.Value) + "\n")
		}
		return []textEdit{e.appendAtEnd(b.String())}
	}
	return e.jsonSetKey(block, key, entry)
}

// copyMember copies a top-level member into an environment block verbatim
// (JSONC: its source text; TOML: re-rendered, as tables cannot be moved
// textually).
func (e configEditor) copyMember(envName string, member *config.Node) []textEdit {
	block := blockPath(envName)
	if !e.toml() {
		return e.jsonCopyMembers(envName, []*config.Node{member})
	}
	full := append(append([]string{}, block...), member.Key)
	switch {
	case member.Kind == config.Array && len(member.Items) > 0 && allObjects(member.Items):
		var b strings.Builder
		for i, it := range member.Items {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(tomlTable("[["+strings.Join(quoteKeys(full), ".")+"]]", it))
		}
		return []textEdit{e.appendAtEnd(b.String())}
	case member.Kind == config.Object:
		return []textEdit{e.appendAtEnd(tomlTable("["+strings.Join(quoteKeys(full), ".")+"]", member))}
	}
	return e.setKey(block, member.Key, member)
}

// jsonCopyMembers copies top-level members into the JSONC env block in one
// insertion (so several copies share one comma, after the last member or
// before its trailing comment).
func (e configEditor) jsonCopyMembers(envName string, members []*config.Node) []textEdit {
	block := blockPath(envName)
	obj, depth := e.doc.Root.Lookup(block)
	if depth != len(block) || obj.Kind != config.Object || len(members) == 0 {
		return nil
	}
	text := e.doc.Text
	target, sep := "", ", "
	if len(obj.Members) > 0 {
		last := obj.Members[len(obj.Members)-1]
		target = indentAt(text, last.KeyRange.Start)
		if strings.Contains(text[obj.Range.Start:last.KeyRange.Start], "\n") {
			sep = ",\n" + target
		}
	}
	items := make([]string, len(members))
	for i, member := range members {
		raw := text[member.Range.Start:member.Range.End]
		if strings.Contains(raw, "\n") {
			// Re-indent the copied lines one level deeper than the member
			// was, to sit inside the env block.
			source := indentAt(text, member.KeyRange.Start)
			raw = strings.ReplaceAll(raw, "\n"+source, "\n"+target)
		}
		items[i] = quote(member.Key) + ": " + raw
	}
	item := strings.Join(items, sep)
	if len(obj.Members) == 0 {
		return appendToContainer(text, obj.Range, obj.Range.Start, -1, item, false)
	}
	last := obj.Members[len(obj.Members)-1]
	return appendToContainer(text, obj.Range, last.KeyRange.Start, last.Range.End, item, false)
}

// tomlTable renders an object as a table with header; nested objects and
// arrays become inline values.
func tomlTable(header string, obj *config.Node) string {
	var b strings.Builder
	b.WriteString(header + "\n")
	// Sub-tables of arrays of tables (durable_objects.bindings) are kept
	// inline too: one table per copied entry is easier to read.
	keys := make([]*config.Node, len(obj.Members))
	copy(keys, obj.Members)
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].Range.Start < keys[j].Range.Start })
	for _, m := range keys {
		b.WriteString(tomlKey(m.Key) + " = " + tomlValue(m) + "\n")
	}
	return b.String()
}

func allObjects(items []*config.Node) bool {
	for _, it := range items {
		if it.Kind != config.Object {
			return false
		}
	}
	return true
}

// rawJSON is JSON text inserted as is.
type rawJSON string
