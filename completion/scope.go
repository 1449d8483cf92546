package completion

import (
	"strings"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

// pyDoc is one Python file being looked at, with its tree copied at most
// once (trees are not safe for concurrent use, so each request copies).
type pyDoc struct {
	path    string
	text    string
	lines   *textpos.Index
	file    *pysyntax.File
	tree    *sitter.Tree
	treeSet bool
	imports *workersImports
}

func newPyDoc(path string, f *pysyntax.File) *pyDoc {
	return &pyDoc{path: path, text: f.Text(), lines: f.Lines(), file: f}
}

func (d *pyDoc) root() *sitter.Node {
	if !d.treeSet {
		d.treeSet = true
		d.tree = d.file.Tree()
	}
	if d.tree == nil {
		return nil
	}
	return d.tree.RootNode()
}

// param is one parameter of a def.
type param struct {
	name      string
	index     int // position among the parameters, self included; -1 after * or for **kw
	annotated bool
}

// funcScope is a def enclosing a position.
type funcScope struct {
	name        string
	start       int // where "def" (or "async") is written
	bodyStart   int // after the header's ":"
	params      []param
	class       *classScope // the class whose body directly holds the def
	moduleLevel bool
}

func (f *funcScope) param(name string) (param, bool) {
	for _, p := range f.params {
		if p.name == name {
			return p, true
		}
	}
	return param{}, false
}

// classScope is a class definition.
type classScope struct {
	name  string
	bases []string // as written, dotted names kept ("workers.DurableObject")
	start int
}

// scopesAt returns the defs enclosing pos, innermost first. It reads them
// from the syntax tree by walking up from the node at pos, and falls back
// to indentation when there is no tree (or the tree, mid-edit, puts an
// indented line outside every def).
func (d *pyDoc) scopesAt(pos int) []*funcScope {
	if root := d.root(); root != nil {
		row, col := d.lines.Point(pos)
		pt := sitter.Point{Row: uint32(row), Column: uint32(col)}
		n := root.NamedDescendantForPointRange(pt, pt)
		var out []*funcScope
		for ; n != nil; n = n.Parent() {
			if n.Type() != "function_definition" {
				continue
			}
			f := parseDefHeader(d.text, int(n.StartByte()))
			if f == nil {
				continue
			}
			if body := n.ChildByFieldName("body"); body != nil && int(body.StartByte()) < f.bodyStart {
				f.bodyStart = int(body.StartByte())
			}
			container := n.Parent()
			if container != nil && container.Type() == "decorated_definition" {
				container = container.Parent()
			}
			if container != nil && container.Type() == "block" {
				if cls := container.Parent(); cls != nil && cls.Type() == "class_definition" {
					f.class = parseClassHeader(d.text, int(cls.StartByte()))
				}
			}
			if container != nil && container.Type() == "module" {
				f.moduleLevel = true
			}
			out = append(out, f)
		}
		if len(out) > 0 || indentOf(d.text, lineStart(d.text, pos)) == 0 {
			return out
		}
	}
	return d.scopesByIndent(pos)
}

func indentOf(text string, ls int) int {
	i := ls
	for i < len(text) && isSpace(text[i]) {
		i++
	}
	return i - ls
}

// scopesByIndent finds enclosing defs and classes by walking up lines with
// less indentation: enough for code too broken for the parser.
func (d *pyDoc) scopesByIndent(pos int) []*funcScope {
	text := d.text
	ls := lineStart(text, pos)
	limit := indentOf(text, ls)
	if strings.TrimSpace(text[ls:lineEnd(text, pos)]) == "" {
		limit = pos - ls
	}
	var out []*funcScope
	var pending []*funcScope // defs whose container is not known yet
	for ls > 0 && limit > 0 {
		ls = lineStart(text, ls-1)
		ind := indentOf(text, ls)
		le := lineEnd(text, ls)
		body := text[ls+ind : le]
		if strings.TrimSpace(body) == "" || body[0] == '#' || ind >= limit {
			continue
		}
		limit = ind
		switch {
		case strings.HasPrefix(body, "def ") || strings.HasPrefix(body, "async def "):
			f := parseDefHeader(text, ls+ind)
			if f == nil {
				continue
			}
			pending = append(pending[:0], f)
			out = append(out, f)
			if ind == 0 {
				f.moduleLevel = true
			}
		case strings.HasPrefix(body, "class "):
			cls := parseClassHeader(text, ls+ind)
			for _, f := range pending {
				f.class = cls
			}
			pending = pending[:0]
		default:
			pending = pending[:0] // an if/for/with block between a def and its class
		}
	}
	return out
}

// parseDefHeader reads `[async] def name(params) [-> T]:` at start.
func parseDefHeader(text string, start int) *funcScope {
	i := start
	if hasWord(text, i, len(text), "async") {
		i = skipSpaceNL(text, i+5, len(text), false)
	}
	if !hasWord(text, i, len(text), "def") {
		return nil
	}
	i = skipSpaceNL(text, i+3, len(text), false)
	j := i
	for j < len(text) && isIdentByte(text[j]) {
		j++
	}
	f := &funcScope{name: text[i:j], start: start}
	j = skipSpaceNL(text, j, len(text), false)
	if j >= len(text) || text[j] != '(' {
		return nil
	}
	close := matchCloseForward(text, j, len(text))
	if close < 0 {
		f.bodyStart = lineEnd(text, j)
		f.params = parseParams(text[j+1 : lineEnd(text, j)])
		return f
	}
	f.params = parseParams(text[j+1 : close])
	k := close + 1
	for k < len(text) && text[k] != ':' && text[k] != '\n' {
		k++
	}
	if k < len(text) && text[k] == ':' {
		k++
	}
	f.bodyStart = k
	return f
}

// splitTopLevel splits s at commas outside brackets and strings.
func splitTopLevel(s string) []string {
	var parts []string
	depth, last := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '"', '\'':
			i = skipString(s, i, len(s)) - 1
		case ',':
			if depth == 0 {
				parts = append(parts, s[last:i])
				last = i + 1
			}
		}
	}
	return append(parts, s[last:])
}

func parseParams(s string) []param {
	var out []param
	index := 0
	for _, part := range splitTopLevel(s) {
		part = strings.TrimSpace(stripComments(part))
		switch {
		case part == "" || part == "/":
			continue
		case part == "*":
			index = -1
			continue
		case strings.HasPrefix(part, "**"):
			continue
		case strings.HasPrefix(part, "*"):
			index = -1
			continue
		}
		j := 0
		for j < len(part) && isIdentByte(part[j]) {
			j++
		}
		if j == 0 {
			continue
		}
		rest := strings.TrimSpace(part[j:])
		out = append(out, param{name: part[:j], index: index, annotated: strings.HasPrefix(rest, ":")})
		if index >= 0 {
			index++
		}
	}
	return out
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line)
		b.WriteByte(' ')
	}
	return b.String()
}

// parseClassHeader reads `class Name(bases):` at start.
func parseClassHeader(text string, start int) *classScope {
	if !hasWord(text, start, len(text), "class") {
		return nil
	}
	i := skipSpaceNL(text, start+5, len(text), false)
	j := i
	for j < len(text) && isIdentByte(text[j]) {
		j++
	}
	c := &classScope{name: text[i:j], start: start}
	j = skipSpaceNL(text, j, len(text), false)
	if j < len(text) && text[j] == '(' {
		end := matchCloseForward(text, j, len(text))
		if end < 0 {
			end = lineEnd(text, j)
		}
		for _, b := range splitTopLevel(text[j+1 : end]) {
			b = strings.TrimSpace(stripComments(b))
			if b != "" && !strings.Contains(b, "=") { // skip metaclass=...
				c.bases = append(c.bases, b)
			}
		}
	}
	return c
}

// findClassDef finds `class name` at the start of a line in text (a
// top-level class), returning its offset or -1.
func findClassDef(text, name string) int {
	needle := "class " + name
	for from := 0; ; {
		i := strings.Index(text[from:], needle)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(needle)
		if (i == 0 || text[i-1] == '\n') && (end == len(text) || !isIdentByte(text[end])) {
			return i
		}
		from = end
	}
}

// workersImports records how the file imports the SDK.
type workersImports struct {
	envNames    map[string]bool // local names bound to workers.env
	moduleNames map[string]bool // local names bound to the workers module
}

// workersImportsOf scans the text for `from workers import ...` and
// `import workers [as w]` (a plain text search: imports anywhere count).
func (d *pyDoc) workersImportsOf() *workersImports {
	if d.imports != nil {
		return d.imports
	}
	wi := &workersImports{envNames: map[string]bool{}, moduleNames: map[string]bool{}}
	d.imports = wi
	text := d.text
	for from := 0; ; {
		i := strings.Index(text[from:], "workers")
		if i < 0 {
			break
		}
		i += from
		from = i + len("workers")
		ls := lineStart(text, i)
		stmt := strings.TrimSpace(text[ls:i])
		after := text[from:lineEnd(text, from)]
		if from < len(text) && isIdentByte(text[from]) || i > 0 && (isIdentByte(text[i-1]) || text[i-1] == '.') {
			continue
		}
		switch stmt {
		case "from":
			rest := strings.TrimSpace(after)
			if !strings.HasPrefix(rest, "import") {
				continue
			}
			rest = strings.TrimSpace(rest[len("import"):])
			if strings.HasPrefix(rest, "(") {
				open := from + strings.Index(after, "(")
				close := matchCloseForward(text, open, len(text))
				if close < 0 {
					close = len(text)
				}
				rest = text[open+1 : close]
			}
			for _, name := range splitTopLevel(stripComments(rest)) {
				fields := strings.Fields(name)
				switch {
				case len(fields) == 1 && fields[0] == "env":
					wi.envNames["env"] = true
				case len(fields) == 3 && fields[0] == "env" && fields[1] == "as":
					wi.envNames[fields[2]] = true
				}
			}
		case "import":
			fields := strings.Fields(stripComments(after))
			if len(fields) == 0 || strings.HasPrefix(fields[0], ",") {
				wi.moduleNames["workers"] = true
			} else if len(fields) >= 2 && fields[0] == "as" {
				wi.moduleNames[strings.TrimSuffix(fields[1], ",")] = true
			}
		}
	}
	return wi
}
