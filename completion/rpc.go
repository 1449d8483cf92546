package completion

import (
	"sort"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

// rpcClass is a Python class whose public methods a stub or a service
// binding can call over RPC.
type rpcClass struct {
	name     string
	path     string
	lines    *textpos.Index
	nameAt   int    // offset of the class name
	worker   string // the Worker the class belongs to
	methods  []*pyMethod
	startDef int // offset of "class"
}

func (c *rpcClass) method(name string) *pyMethod {
	for _, m := range c.methods {
		if m.name == name {
			return m
		}
	}
	return nil
}

// pyMethod is a public method of an rpcClass.
type pyMethod struct {
	name      string
	params    []string // as written, self left out ("by=1")
	async     bool
	doc       string
	class     *rpcClass
	nameStart int
}

// signature renders the method as called over RPC (always awaited).
func (m *pyMethod) signature() string {
	return m.name + "(" + strings.Join(m.params, ", ") + ")"
}

// handlerNames are entrypoint methods the runtime calls itself; they are
// not offered as RPC methods (fetch comes from the catalog).
var handlerNames = map[string]bool{
	"fetch": true, "alarm": true, "webSocketMessage": true, "webSocketClose": true, "webSocketError": true,
	"scheduled": true, "queue": true, "email": true, "tail": true, "trace": true, "test": true,
}

// currentFiles is the Worker's Python files with the request's document
// overriding its path.
func (r *resolver) currentFiles() map[string]*pysyntax.File {
	src := r.req.pythonFiles()
	files := make(map[string]*pysyntax.File, len(src)+1)
	for p, f := range src {
		files[p] = f
	}
	if r.req.Path != "" && r.req.File != nil {
		files[r.req.Path] = r.req.File
	}
	return files
}

// workerNamed finds a workspace Worker deployed under name (any
// environment's name), and the environment.
func (r *resolver) workerNamed(name string) (*project.Worker, *project.Environment) {
	for _, w := range r.req.workers() {
		for _, envName := range append([]string{""}, w.EnvNames...) {
			if e, ok := w.Env(envName); ok && e.WorkerName == name {
				return w, e
			}
		}
	}
	return nil, nil
}

// filesOf returns the Python files of w, and the main module's path.
func (r *resolver) filesOf(w *project.Worker, e *project.Environment) (map[string]*pysyntax.File, string) {
	if w == nil || r.req.Worker != nil && w.ConfigPath == r.req.Worker.ConfigPath {
		main := ""
		if r.req.Env != nil {
			main = r.req.Env.MainPath
		}
		return r.currentFiles(), main
	}
	if r.req.PythonFilesOf == nil {
		return nil, ""
	}
	return r.req.PythonFilesOf(w), e.MainPath
}

// durableObjectClass finds the class a Durable Object binding names.
func (r *resolver) durableObjectClass(b *project.Binding) *rpcClass {
	className := b.Field("class_name")
	if className == "" {
		return nil
	}
	var w *project.Worker
	var e *project.Environment
	if script := b.Field("script_name"); script != "" && (r.req.Env == nil || script != r.req.Env.WorkerName) {
		if w, e = r.workerNamed(script); w == nil {
			return nil
		}
	}
	files, main := r.filesOf(w, e)
	c := findClass(files, className, main)
	if c != nil && w != nil {
		c.worker = e.WorkerName
	}
	return c
}

// serviceEntrypoint finds the entrypoint class a service binding targets,
// when that Worker is in the workspace.
func (r *resolver) serviceEntrypoint(b *project.Binding) *rpcClass {
	w, e := r.workerNamed(b.Field("service"))
	if w == nil {
		return nil
	}
	className := b.Field("entrypoint")
	if className == "" {
		className = "Default"
	}
	files, main := r.filesOf(w, e)
	c := findClass(files, className, main)
	if c != nil {
		c.worker = e.WorkerName
	}
	return c
}

// findClass finds a top-level class in files, the main module first, then
// by path order.
func findClass(files map[string]*pysyntax.File, name, main string) *rpcClass {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool {
		if (paths[i] == main) != (paths[j] == main) {
			return paths[i] == main
		}
		return paths[i] < paths[j]
	})
	for _, p := range paths {
		f := files[p]
		if at := findClassDef(f.Text(), name); at >= 0 {
			return readClass(p, f, name, at)
		}
	}
	return nil
}

// readClass reads the public methods of the class at offset at, by
// indentation (no tree needed, so it works on any file).
func readClass(path string, f *pysyntax.File, name string, at int) *rpcClass {
	text := f.Text()
	c := &rpcClass{name: name, path: path, lines: f.Lines(), nameAt: at + len("class "), startDef: at}
	classIndent := indentOf(text, lineStart(text, at))
	// the header may span lines: the body starts after the line with ":"
	i := at
	if open := strings.IndexByte(text[at:lineEnd(text, at)], '('); open >= 0 {
		if close := matchCloseForward(text, at+open, len(text)); close >= 0 {
			i = close
		}
	}
	bodyIndent := -1
	for ls := lineEnd(text, i) + 1; ls < len(text); ls = lineEnd(text, ls) + 1 {
		ind := indentOf(text, ls)
		le := lineEnd(text, ls)
		line := text[ls+ind : le]
		if strings.TrimSpace(line) == "" || line[0] == '#' {
			continue
		}
		if ind <= classIndent {
			break
		}
		if bodyIndent < 0 {
			bodyIndent = ind
		}
		if ind != bodyIndent || !(strings.HasPrefix(line, "def ") || strings.HasPrefix(line, "async def ")) {
			continue
		}
		def := parseDefHeader(text, ls+ind)
		if def == nil || strings.HasPrefix(def.name, "_") || handlerNames[def.name] {
			continue
		}
		m := &pyMethod{name: def.name, async: strings.HasPrefix(line, "async"), class: c,
			nameStart: ls + ind + strings.Index(line, def.name)}
		m.params = rawParams(text, ls+ind)
		m.doc = docstringAfter(text, def.bodyStart)
		c.methods = append(c.methods, m)
	}
	return c
}

// rawParams returns a def's parameters as written, without self.
func rawParams(text string, defStart int) []string {
	open := strings.IndexByte(text[defStart:], '(')
	if open < 0 {
		return nil
	}
	open += defStart
	close := matchCloseForward(text, open, len(text))
	if close < 0 {
		return nil
	}
	var out []string
	for i, p := range splitTopLevel(text[open+1 : close]) {
		p = strings.Join(strings.Fields(stripComments(p)), " ")
		if p == "" || i == 0 && (p == "self" || strings.HasPrefix(p, "self:")) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// docstringAfter returns the docstring starting the body at offset, if any.
func docstringAfter(text string, bodyStart int) string {
	i := bodyStart
	for i < len(text) && (isSpace(text[i]) || text[i] == '\n' || text[i] == '\r') {
		i++
	}
	if i >= len(text) || (text[i] != '"' && text[i] != '\'') {
		return ""
	}
	end := skipString(text, i, len(text))
	s := text[i:end]
	for _, q := range []string{`"""`, `'''`, `"`, `'`} {
		if strings.HasPrefix(s, q) && strings.HasSuffix(s, q) && len(s) >= 2*len(q) {
			return strings.TrimSpace(s[len(q) : len(s)-len(q)])
		}
	}
	return ""
}
