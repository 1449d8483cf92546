package rules

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenProjects are the Workers whose full diagnostic set is checked in.
var goldenProjects = []string{
	"../../testdata/rules/legacy-toml",
	"../../testdata/rules/pitfalls-jsonc",
	"../../testdata/rules/clean",
	"../../testdata/rules/half-typed",
	"../../testdata/rules/workflows",
	"../../testdata/projects/bindings-jsonc",
	"../../testdata/projects/bindings-toml",
}

// loadDir builds the Input for a Worker folder on disk.
func loadDir(t testing.TB, dir, env string) *Input {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := project.ConfigIn(project.OSFS{}, abs)
	if cfg == "" {
		t.Fatalf("no config in %s", dir)
	}
	w := project.Load(project.OSFS{}, cfg)
	e, _ := w.Env(env)
	in := &Input{Worker: w, Env: e, PythonFiles: map[string]*pysyntax.File{}, Now: testNow}
	filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "python_modules" || strings.HasPrefix(d.Name(), ".venv")) {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, ".py") {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			f, err := pysyntax.Parse(context.Background(), string(data))
			if err != nil {
				t.Fatal(err)
			}
			in.PythonFiles[p] = f
		}
		return nil
	})
	return in
}

// renderGolden prints diagnostics with their fixes, paths relative to the
// Worker.
func renderGolden(in *Input, ds []Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		rel := relPath(in.Worker.Dir, d.Path)
		fmt.Fprintf(&b, "%s:%d:%d-%d:%d: %s %s %s\n", rel, d.Range.Start.Line+1, d.Range.Start.Character+1,
			d.Range.End.Line+1, d.Range.End.Character+1, d.Severity, d.Code, d.Message)
		for _, tag := range d.Tags {
			fmt.Fprintf(&b, "    tag: %s\n", tag)
		}
		for _, f := range d.Fixes {
			pref := ""
			if f.Preferred {
				pref = " (preferred)"
			}
			fmt.Fprintf(&b, "    fix: %s%s\n", f.Title, pref)
			for _, e := range f.Edits {
				fmt.Fprintf(&b, "        %s:%d:%d-%d:%d %q\n", relPath(in.Worker.Dir, e.Path), e.Range.Start.Line+1, e.Range.Start.Character+1,
					e.Range.End.Line+1, e.Range.End.Character+1, e.NewText)
			}
		}
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	for _, dir := range goldenProjects {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			in := loadDir(t, dir, "")
			got := renderGolden(in, CheckWorker(context.Background(), in))
			golden := filepath.Join("../../testdata/rules/golden", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./analysis/rules -update)", err)
			}
			if got != string(want) {
				t.Errorf("diagnostics differ from %s (run go test ./analysis/rules -update and review the diff):\n%s", golden, got)
			}
		})
	}
}

func TestCleanProjectHasNoDiagnostics(t *testing.T) {
	in := loadDir(t, "../../testdata/rules/clean", "")
	if ds := CheckWorker(context.Background(), in); len(ds) != 0 {
		t.Fatalf("clean project: %s", renderGolden(in, ds))
	}
}

// TestEveryFixKeepsFilesValid applies every quick fix of the golden
// projects and checks the edited files still parse (Python without syntax
// errors, configs without errors) — and that an edited config keeps its
// comments.
func TestEveryFixKeepsFilesValid(t *testing.T) {
	applied := 0
	defer func() {
		if applied < 40 {
			t.Errorf("only %d fixes applied", applied)
		}
	}()
	for _, dir := range goldenProjects {
		in := loadDir(t, dir, "")
		in.FS = project.OSFS{}
		for _, d := range CheckWorker(context.Background(), in) {
			for _, fix := range d.Fixes {
				applied++
				for path, text := range applyFix(t, in, fix) {
					where := fmt.Sprintf("%s %s fix %q in %s", filepath.Base(dir), d.Code, fix.Title, filepath.Base(path))
					switch {
					case strings.HasSuffix(path, ".py"):
						f, err := pysyntax.Parse(context.Background(), text)
						if err != nil {
							t.Fatal(err)
						}
						if m := pyfactsParse(path, f); len(m.ErrorRanges) > 0 && !strings.Contains(dir, "half-typed") {
							t.Errorf("%s: result does not parse:\n%s", where, text)
						}
					default:
						doc := configParse(path, text)
						if len(doc.Errors) > 0 {
							t.Errorf("%s: result does not parse: %v\n%s", where, doc.Errors, text)
						}
						orig := fileText(in, path)
						for _, line := range strings.Split(orig, "\n") {
							if c := strings.Index(line, "//"); c >= 0 && strings.HasSuffix(path, ".jsonc") && !strings.Contains(text, line[c:]) {
								t.Errorf("%s: comment %q lost", where, line[c:])
							}
							if c := strings.Index(line, "#"); c >= 0 && strings.HasSuffix(path, ".toml") && !strings.Contains(text, line[c:]) {
								t.Errorf("%s: comment %q lost", where, line[c:])
							}
						}
					}
				}
			}
		}
	}
}
