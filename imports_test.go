package main

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/pyworkers-lsp/pyworkers-lsp"

// TestImportGraph pins the allowed edges of the package graph (see
// docs/architecture.md): data flows from the wire (server) through analysis
// to features, and the runtime's layers depend downward only. Each rule is
// checked against every package's transitive dependencies, so an indirect
// path breaks it too.
func TestImportGraph(t *testing.T) {
	out, err := exec.Command("go", "list", "-test", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := f[0]
		if strings.Contains(pkg, " [") || strings.HasSuffix(pkg, ".test") || strings.HasSuffix(pkg, "_test") {
			continue // test variants: their own rules are the package's
		}
		for _, d := range f[1:] {
			if strings.HasPrefix(d, module) && !strings.Contains(d, "[") {
				deps[pkg] = append(deps[pkg], strings.TrimPrefix(strings.TrimPrefix(d, module), "/"))
			}
		}
	}
	rel := func(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, module), "/") }
	under := func(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

	type rule struct {
		from    string   // packages under this folder…
		never   []string // …never depend on packages under these
		onlyOwn []string // …or, when set, on nothing of the project but these
	}
	rules := []rule{
		{from: "analysis", never: []string{"server", "completion", "runtime"}},
		{from: "completion", never: []string{"server", "runtime"}},
		{from: "runtime", never: []string{"server", "completion"}},
		{from: "runtime/internal/js", onlyOwn: []string{}},
		{from: "runtime/internal/memfs", onlyOwn: []string{}},
		{from: "runtime/internal/wasmgen", onlyOwn: []string{}},
		{from: "runtime/internal/packages", onlyOwn: []string{}},
		{from: "runtime/internal/webapi", onlyOwn: []string{"runtime/internal/js"}},
		{from: "runtime/internal/pyodide", onlyOwn: []string{"runtime/internal/js", "runtime/internal/webapi", "runtime/internal/memfs", "runtime/internal/wasmgen"}},
		{from: "runtime/bindings", never: []string{"runtime/actors", "runtime/dispatch", "runtime/cli", "runtime/devserver", "runtime/localdata"}},
		{from: "runtime/actors", never: []string{"runtime/dispatch", "runtime/cli", "runtime/devserver", "runtime/localdata"}},
		{from: "runtime/localdata", never: []string{"runtime/dispatch", "runtime/cli", "runtime/devserver"}},
	}
	checked := 0
	for pkg, ds := range deps {
		p := rel(pkg)
		for _, r := range rules {
			if !under(p, r.from) {
				continue
			}
			checked++
			for _, d := range ds {
				for _, bad := range r.never {
					if under(d, bad) {
						t.Errorf("%s depends on %s (%s must never reach %s)", p, d, r.from, bad)
					}
				}
				if r.onlyOwn != nil {
					allowed := false
					for _, ok := range r.onlyOwn {
						allowed = allowed || under(d, ok)
					}
					if !allowed {
						t.Errorf("%s depends on %s (allowed: %v)", p, d, r.onlyOwn)
					}
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d packages matched a rule: is go list output what this test expects?", checked)
	}
}
