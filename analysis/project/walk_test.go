package project

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project/projecttest"
)

func rel(t *testing.T, root string, paths []string) []string {
	t.Helper()
	out := []string{}
	for _, p := range paths {
		r, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(r))
	}
	return out
}

// touch creates empty files: discovery looks at names, not contents.
func touch(t *testing.T, root string, paths ...string) {
	t.Helper()
	files := map[string]string{}
	for _, p := range paths {
		files[p] = ""
	}
	projecttest.WriteTree(t, root, files)
}

func TestFindConfigsSkipListAndConfigNames(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "a/wrangler.jsonc", "b/wrangler.toml", "d/deep/er/wrangler.json",
		// wrangler's lookup order picks wrangler.json over the others.
		"c/wrangler.json", "c/wrangler.jsonc", "c/wrangler.toml",
		// Not configs.
		"e/wrangler.yaml", "e/Wrangler.jsonc")
	for _, skip := range []string{"node_modules", "python_modules", ".git", "__pycache__", ".wrangler", ".pyworkers", ".venv", ".venv-workers"} {
		touch(t, root, "a/"+skip+"/x/wrangler.jsonc")
		if !SkipDir(skip) {
			t.Errorf("SkipDir(%q) = false", skip)
		}
	}
	got := rel(t, root, FindConfigs(OSFS{}, root, Limits{}))
	want := []string{"a/wrangler.jsonc", "b/wrangler.toml", "c/wrangler.json", "d/deep/er/wrangler.json"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("configs %v, want %v", got, want)
	}
	if got := rel(t, root, FindConfigs(OSFS{}, root, Limits{Depth: 2})); len(got) != 3 {
		t.Errorf("depth 2 reaches %v, want the three configs one level down", got)
	}
	if SkipDir("src") || SkipDir(".github") {
		t.Error("ordinary folders are skipped")
	}
}

func TestWalkSurvivesSymlinkLoop(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "w/wrangler.jsonc", "w/src/entry.py")
	if err := os.Symlink(root, filepath.Join(root, "w", "src", "loop")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if got := rel(t, root, FindConfigs(OSFS{}, root, Limits{})); !reflect.DeepEqual(got, []string{"w/wrangler.jsonc"}) {
		t.Errorf("configs %v", got)
	}
	if got := rel(t, root, PythonFiles(OSFS{}, filepath.Join(root, "w"), Limits{})); !reflect.DeepEqual(got, []string{"w/src/entry.py"}) {
		t.Errorf("python files %v", got)
	}
}

func TestPythonFilesStopAtOtherWorkers(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "wrangler.jsonc", "src/entry.py", "src/pkg/util.py", "scripts/seed.py", "notes.txt",
		"other/wrangler.toml", "other/src/entry.py", "python_modules/dep/__init__.py", ".venv/lib/site.py")
	got := rel(t, root, PythonFiles(OSFS{}, root, Limits{}))
	want := []string{"scripts/seed.py", "src/entry.py", "src/pkg/util.py"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("python files %v, want %v", got, want)
	}
	if got := PythonFiles(OSFS{}, root, Limits{Files: 2}); len(got) != 2 {
		t.Errorf("Files: 2 gave %d files", len(got))
	}
}
