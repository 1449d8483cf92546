package rules

import (
	"strconv"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

func init() {
	register(&Rule{
		Code: "PW020", Name: "workers-sdk-missing", Severity: Error, Targets: TargetPython | TargetPyproject,
		Summary: "From 2026-04-21 (enable_python_external_sdk) nothing provides the workers SDK: No module named 'workers'.",
		Check:   checkWorkersSDK,
	})
}

// sdkProvided reports whether something installs the workers module:
// workers-runtime-sdk in any group, a workers-py that vendors it (unpinned
// or >= 1.9), or a vendored python_modules/workers.
func sdkProvided(w *project.Worker) bool {
	if w.HasPythonModules {
		for _, name := range w.PythonModules {
			if name == "workers" {
				return true
			}
		}
	}
	for _, d := range w.Dependencies {
		switch d.Name {
		case "workers-runtime-sdk":
			return true
		case "workers-py":
			if workersPyVendorsSDK(d.Spec) {
				return true
			}
		}
	}
	return false
}

// workersPyVendorsSDK reports whether a workers-py requirement allows only
// versions from 1.9 on, or leaves the version open (the newest is taken).
func workersPyVendorsSDK(spec string) bool {
	i := strings.IndexAny(spec, "<>=!~;[ ")
	if i < 0 {
		return true // unpinned
	}
	rest := spec[i:]
	if j := strings.IndexByte(rest, ';'); j >= 0 {
		rest = rest[:j]
	}
	rest = strings.TrimSpace(strings.TrimLeft(rest, " "))
	if strings.HasPrefix(rest, "[") {
		if j := strings.IndexByte(rest, ']'); j >= 0 {
			rest = strings.TrimSpace(rest[j+1:])
		}
	}
	if rest == "" {
		return true
	}
	for _, clause := range strings.Split(rest, ",") {
		clause = strings.TrimSpace(clause)
		for _, op := range []string{"==", ">=", "~=", "<=", "<", ">"} {
			if !strings.HasPrefix(clause, op) {
				continue
			}
			v := strings.TrimSpace(clause[len(op):])
			switch op {
			case "==", ">=", "~=":
				return versionAtLeast(v, 1, 9)
			case "<", "<=":
				if !versionAtLeast(v, 1, 9) || op == "<" && v == "1.9" {
					return false
				}
			}
			break
		}
	}
	return true
}

func versionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(strings.TrimSuffix(v, ".*"), ".", 3)
	maj, err := strconv.Atoi(parts[0])
	if err != nil {
		return true
	}
	mi := 0
	if len(parts) > 1 {
		mi, _ = strconv.Atoi(parts[1])
	}
	return maj > major || maj == major && mi >= minor
}

func checkWorkersSDK(p *Pass) {
	if !p.enabled("enable_python_external_sdk") || sdkProvided(p.Worker) {
		return
	}
	msg := "nothing provides the workers module: from compatibility date 2026-04-21 (enable_python_external_sdk) the runtime no longer injects it (\"No module named 'workers'\"); add workers-runtime-sdk to the dependencies"
	fixes := sdkFix(p)
	if p.Target == TargetPyproject {
		deps := p.Doc.Root.Path("project", "dependencies")
		if deps == nil {
			deps = p.Doc.Root.Get("project")
		}
		if deps == nil {
			p.Report(0, 0, msg, fixes...)
			return
		}
		p.Report(deps.KeyRange.Start, deps.KeyRange.End, msg, fixes...)
		return
	}
	seen := map[*pyfacts.Node]bool{}
	for _, imp := range p.Module.Imports {
		if (imp.Module == "workers" || strings.HasPrefix(imp.Module, "workers.")) && !seen[imp.Stmt] {
			seen[imp.Stmt] = true
			p.ReportNode(imp.Node, msg, fixes...)
		}
	}
}

// sdkFix adds workers-runtime-sdk to [project].dependencies.
func sdkFix(p *Pass) []Fix {
	pp := p.Worker.Pyproject
	if pp == nil {
		return nil
	}
	var edits []textEdit
	e := configEditor{doc: pp}
	if deps := pp.Root.Path("project", "dependencies"); deps != nil {
		if deps.Kind != config.Array {
			return nil
		}
		edits = arrayAppend(pp.Text, deps, `"workers-runtime-sdk"`, true)
	} else {
		edits = e.setKey([]string{"project"}, "dependencies", []any{"workers-runtime-sdk"})
	}
	return p.newFix("Add workers-runtime-sdk to pyproject.toml").add(p.Worker.PyprojectPath, edits...).preferred().fixes()
}
