package completion

import (
	"sort"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/handlers"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

// rpcClass is a Python class whose public methods a stub or a service
// binding can call over RPC.
type rpcClass struct {
	name    string
	path    string
	lines   *textpos.Index
	nameAt  int    // offset of the class name
	worker  string // the Worker the class belongs to
	methods []*pyMethod
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
	c := r.findClass(files, className, main)
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
	c := r.findClass(files, className, main)
	if c != nil {
		c.worker = e.WorkerName
	}
	return c
}

// findClass finds a top-level class in files, the main module first, then
// by path order.
func (r *resolver) findClass(files map[string]*pysyntax.File, name, main string) *rpcClass {
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
		m := r.req.facts(p, files[p])
		if c := m.Class(name); c != nil {
			return rpcClassOf(m, c)
		}
	}
	return nil
}

// rpcClassOf lists the public methods of a class.
func rpcClassOf(m *pyfacts.Module, c *pyfacts.Class) *rpcClass {
	rc := &rpcClass{name: c.Name, path: m.Path, lines: m.Lines, nameAt: m.Start(c.NameNode)}
	for _, f := range c.Methods {
		if strings.HasPrefix(f.Name, "_") || handlers.IsRuntimeMethod(f.Name) {
			continue
		}
		rc.methods = append(rc.methods, &pyMethod{name: f.Name, async: f.Async, class: rc, nameStart: m.Start(f.NameNode),
			params: m.ParamsAsWritten(f), doc: m.Docstring(f)})
	}
	return rc
}
