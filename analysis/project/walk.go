package project

// Discovery: the one walk that finds Workers (folders with a wrangler
// config) and a Worker's Python files. The editor, `check` and the
// runtime's service-binding lookup all use it, so they agree on what a
// Worker's files are.

import (
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// SkipDir says whether a folder is never searched: it holds vendored
// packages, virtual envs, version control or tool state, never a Worker's
// own sources.
func SkipDir(name string) bool {
	switch name {
	case "node_modules", "python_modules", ".git", "__pycache__", ".wrangler", ".pyworkers":
		return true
	}
	return strings.HasPrefix(name, ".venv")
}

// Limits bound a walk; zero fields mean no bound.
type Limits struct {
	Depth int // folder levels below the root that are visited
	Dirs  int // folders visited in all (a home folder opened as a workspace)
	Files int // files returned
}

// walk visits root and the folders below it, top-down and in lexical
// order, skipping SkipDir folders and unreadable ones. visit gets the
// folder's entries and returns whether to descend. Symbolic links are not
// followed (fs.DirEntry reports them as non-folders), so a link loop cannot
// make the walk endless.
func walk(fsys FS, root string, lim Limits, visit func(dir string, depth int, entries []fs.DirEntry) bool) {
	dirs := 0
	var rec func(dir string, depth int)
	rec = func(dir string, depth int) {
		dirs++
		if lim.Dirs > 0 && dirs > lim.Dirs {
			return
		}
		entries, err := fsys.ReadDir(dir)
		if err != nil || !visit(dir, depth, entries) || lim.Depth > 0 && depth >= lim.Depth {
			return
		}
		for _, e := range entries {
			if e.IsDir() && !SkipDir(e.Name()) {
				rec(filepath.Join(dir, e.Name()), depth+1)
			}
		}
	}
	rec(filepath.Clean(root), 0)
}

// FindConfigs returns the wrangler configs in root and below (the first
// per folder, in wrangler's lookup order), in walk order.
func FindConfigs(fsys FS, root string, lim Limits) []string {
	var out []string
	walk(fsys, root, lim, func(dir string, _ int, _ []fs.DirEntry) bool {
		if c := ConfigIn(fsys, dir); c != "" {
			out = append(out, c)
		}
		return true
	})
	return out
}

// PythonFiles returns the .py files of the Worker in dir: dir and the
// folders below it, minus SkipDir folders and folders holding another
// Worker's config (that Worker owns them). lim.Files caps the list.
func PythonFiles(fsys FS, dir string, lim Limits) []string {
	var out []string
	full := func() bool { return lim.Files > 0 && len(out) >= lim.Files }
	walk(fsys, dir, lim, func(d string, depth int, entries []fs.DirEntry) bool {
		if depth > 0 && ConfigIn(fsys, d) != "" || full() {
			return false
		}
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".py") && !full() {
				out = append(out, filepath.Join(d, e.Name()))
			}
		}
		return true
	})
	sort.Strings(out)
	return out
}
