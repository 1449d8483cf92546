package rules

import (
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

// pyEdits builds edits to one Python module.
type pyEdits struct {
	m *pyfacts.Module
}

// lineIndent returns the indentation of the line holding off.
func (e pyEdits) lineIndent(off int) string { return indentAt(e.m.Src, off) }

// lineRange returns the full lines [start, end) covering [from, to),
// including the final line break.
func (e pyEdits) lineRange(from, to int) (int, int) {
	start := lineStartOf(e.m.Src, from)
	end := to
	if i := strings.IndexByte(e.m.Src[to:], '\n'); i >= 0 {
		end = to + i + 1
	} else {
		end = len(e.m.Src)
	}
	return start, end
}

// ownsLines reports whether a statement is alone on its lines (nothing
// else before it on the first line, nothing but a comment after it).
func (e pyEdits) ownsLines(n *pyfacts.Node) bool {
	start := lineStartOf(e.m.Src, e.m.Start(n))
	if strings.TrimSpace(e.m.Src[start:e.m.Start(n)]) != "" {
		return false
	}
	rest := e.m.Src[e.m.End(n):]
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	rest = strings.TrimSpace(rest)
	return rest == "" || strings.HasPrefix(rest, "#")
}

// reindent re-indents text (a statement's source lines) from one
// indentation to another; the first line carries no indentation.
func reindent(text, from, to string) string {
	lines := strings.Split(text, "\n")
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			continue
		}
		lines[i] = to + strings.TrimPrefix(l, from)
	}
	return strings.Join(lines, "\n")
}

// addImport returns an edit importing name from module (`from module import
// name`), or nil when name is already imported from it.
func (e pyEdits) addImport(module, name string) []textEdit {
	for _, imp := range e.m.Imports {
		if imp.Module == module && (imp.Name == name || imp.Name == "" && name == "") && imp.TopLevel {
			return nil
		}
	}
	if name == "" { // import module
		return e.insertImportLine("import " + module)
	}
	// Extend an existing top-level `from module import a, b`.
	for _, imp := range e.m.Imports {
		if imp.Module == module && imp.TopLevel && imp.Name != "*" && imp.Stmt.Type == "import_from_statement" {
			names := imp.Stmt.ChildrenIn("name")
			last := names[len(names)-1]
			return []textEdit{{e.m.End(last), e.m.End(last), ", " + name}}
		}
	}
	return e.insertImportLine("from " + module + " import " + name)
}

// insertImportLine inserts an import statement after the module's last
// top-level import (or after a docstring / at the top).
func (e pyEdits) insertImportLine(line string) []textEdit {
	at := 0
	for _, c := range e.m.Root.Children {
		switch c.Type {
		case "import_statement", "import_from_statement", "future_import_statement":
			_, end := e.lineRange(e.m.Start(c), e.m.End(c))
			at = end
		case "expression_statement":
			if at == 0 && len(c.Children) == 1 && c.Children[0].Type == "string" && c == e.m.Root.Children[0] {
				_, at = e.lineRange(e.m.Start(c), e.m.End(c)) // a module docstring stays first
			}
		case "comment":
		default:
			if at > 0 || e.m.Start(c) > 0 {
				goto done
			}
		}
	}
done:
	if at > len(e.m.Src) {
		at = len(e.m.Src)
	}
	if at > 0 && e.m.Src[at-1] != '\n' {
		return []textEdit{{at, at, "\n" + line + "\n"}}
	}
	return []textEdit{{at, at, line + "\n"}}
}

// entryHandler finds the handler a moved statement should go into: the
// fetch method of the Default class (or of any WorkerEntrypoint), else
// a legacy on_fetch, else the first method of a WorkerEntrypoint class.
func entryHandler(m *pyfacts.Module) *pyfacts.Func {
	if c := m.Class("Default"); c != nil {
		if f := c.Method("fetch"); f != nil && f.Body != nil {
			return f
		}
	}
	for _, c := range m.Classes {
		if c.HasBase("WorkerEntrypoint") {
			if f := c.Method("fetch"); f != nil && f.Body != nil {
				return f
			}
		}
	}
	if f := m.Function("on_fetch"); f != nil && f.Body != nil {
		return f
	}
	for _, c := range m.Classes {
		if c.HasBase("WorkerEntrypoint") && len(c.Methods) > 0 && c.Methods[0].Body != nil {
			return c.Methods[0]
		}
	}
	return nil
}

// moveIntoHandler moves a module-level statement to the top of the entry
// handler's body; nil when the module has no handler or the statement
// shares its line.
func (e pyEdits) moveIntoHandler(stmt *pyfacts.Node) []textEdit {
	h := entryHandler(e.m)
	if h == nil || stmt == nil || !e.ownsLines(stmt) || e.m.Start(h.Body) <= e.m.End(stmt) && e.m.End(h.Body) >= e.m.Start(stmt) {
		return nil
	}
	first := h.Body.Children[0]
	indent := e.lineIndent(e.m.Start(first))
	text := reindent(e.m.Src[e.m.Start(stmt):e.m.End(stmt)], e.lineIndent(e.m.Start(stmt)), indent)
	insertAt := lineStartOf(e.m.Src, e.m.Start(first))
	if first.Type == "expression_statement" && len(first.Children) == 1 && first.Children[0].Type == "string" {
		_, insertAt = e.lineRange(e.m.Start(first), e.m.End(first)) // after the docstring
	}
	delStart, delEnd := e.deletionRange(stmt)
	return []textEdit{
		{delStart, delEnd, ""},
		{insertAt, insertAt, indent + text + "\n"},
	}
}

// deletionRange is the lines of stmt, plus one blank line after them when
// a blank line also precedes them, so that removing a statement does not
// leave a widening gap.
func (e pyEdits) deletionRange(stmt *pyfacts.Node) (int, int) {
	start, end := e.lineRange(e.m.Start(stmt), e.m.End(stmt))
	src := e.m.Src
	blankBefore := start == 0 || start >= 2 && src[start-2] == '\n'
	if blankBefore && end < len(src) && src[end] == '\n' {
		end++
	}
	return start, end
}
