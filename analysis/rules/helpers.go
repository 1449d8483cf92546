package rules

import (
	"path/filepath"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/similar"
)

// enabled reports whether a dated compatibility flag is in force for the
// selected environment.
func (p *Pass) enabled(flag string) bool {
	return p.Env != nil && p.Env.Compat.Enabled[flag]
}

// addFlagEdits adds a compatibility flag where the selected environment
// reads its flags from: the list it inherits or sets (so the other flags
// stay), or a new top-level list.
func (p *Pass) addFlagEdits(flag string) []textEdit {
	e := p.configEditor()
	if n := p.Env.CompatFlagsNode; n != nil {
		if n.Kind != config.Array {
			return nil
		}
		return arrayAppend(e.doc.Text, n, quote(flag), e.toml())
	}
	return e.setKey(nil, "compatibility_flags", []any{flag})
}

// setDateEdits sets compatibility_date (where the environment reads it).
func (p *Pass) setDateEdits(date string) []textEdit {
	e := p.configEditor()
	if n := p.Env.CompatDateNode; n != nil {
		text := quote(date)
		if n.Kind == config.Other {
			text = date // an unquoted TOML date stays unquoted
		}
		return []textEdit{{n.Range.Start, n.Range.End, text}}
	}
	return e.setKey(nil, "compatibility_date", date)
}

// configAnchor is where a config rule reports about a setting that is
// missing: the compatibility_flags list, else the date, else main, else
// the first key of the file.
func (p *Pass) configAnchor() (int, int) {
	for _, n := range []*config.Node{p.Env.CompatFlagsNode, p.Env.CompatDateNode, p.Env.MainNode} {
		if n != nil {
			return n.KeyRange.Start, n.KeyRange.End
		}
	}
	if root := p.Worker.Config.Root; len(root.Members) > 0 {
		return root.Members[0].KeyRange.Start, root.Members[0].KeyRange.End
	}
	return 0, 0
}

// isPythonWorker reports whether the Worker is a Python Worker: its main is
// a .py file, or it has no main but Python modules.
func (p *Pass) isPythonWorker() bool {
	if p.Env == nil {
		return false
	}
	if p.Env.Main != "" {
		return p.Env.IsPythonMain()
	}
	return len(p.PythonFilesOrNil()) > 0
}

// PythonFilesOrNil returns the Worker's Python file paths.
func (p *Pass) PythonFilesOrNil() []string { return p.modulePaths() }

// checksMain reports whether a main-module rule applies to the checked
// file: it is the main module, or main is unknown.
func (p *Pass) checksMain() bool {
	return p.IsMain() || p.Env == nil || p.Env.MainPath == "" || p.in.PythonFiles[p.Env.MainPath] == nil
}

// topLevelClasses returns the module's top-level classes with a base.
func classesWithBase(m *pyfacts.Module, base string) []*pyfacts.Class {
	var out []*pyfacts.Class
	for _, c := range m.Classes {
		if c.HasBase(base) {
			out = append(out, c)
		}
	}
	return out
}

// closest returns the candidate nearest to name, if it is near enough to
// be a plausible typo (case-insensitive matches always are).
func closest(name string, candidates []string) (string, bool) {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := similar.Distance(name, c)
		if equalFold(name, c) {
			d = 0
		}
		if d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	limit := max(2, len(name)/3)
	return best, best != "" && bestD <= limit
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 32
		}
		if 'a' <= y && y <= 'z' {
			y -= 32
		}
		if x != y {
			return false
		}
	}
	return true
}

// relPath shows path relative to dir, with forward slashes.
func relPath(dir, path string) string {
	if r, err := filepath.Rel(dir, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}
