package completion

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
)

// cursor marks the cursor in test sources.
const cursor = "<|>"

var (
	workspaceOnce sync.Once
	workspace     map[string]*project.Worker // by folder name
	workspaceErr  error
	filesMu       sync.Mutex
	filesCache    = map[string]map[string]*pysyntax.File{}
)

func workspaceDir(t testing.TB) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "testdata", "completion", "workspace"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// loadWorkspace loads the fixture Workers once.
func loadWorkspace(t testing.TB) map[string]*project.Worker {
	t.Helper()
	dir := workspaceDir(t)
	workspaceOnce.Do(func() {
		workspace = map[string]*project.Worker{}
		entries, err := os.ReadDir(dir)
		if err != nil {
			workspaceErr = err
			return
		}
		for _, e := range entries {
			if cfg := project.ConfigIn(project.OSFS{}, filepath.Join(dir, e.Name())); cfg != "" {
				workspace[e.Name()] = project.Load(project.OSFS{}, cfg)
			}
		}
	})
	if workspaceErr != nil {
		t.Fatal(workspaceErr)
	}
	for name, w := range workspace {
		if len(w.Config.Errors) > 0 {
			t.Fatalf("fixture %s: %v", name, w.Config.Errors)
		}
	}
	return workspace
}

func allWorkers(ws map[string]*project.Worker) []*project.Worker {
	names := make([]string, 0, len(ws))
	for n := range ws {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []*project.Worker
	for _, n := range names {
		out = append(out, ws[n])
	}
	return out
}

// pythonFilesOf parses a Worker's .py files from disk (cached).
func pythonFilesOf(w *project.Worker) map[string]*pysyntax.File {
	filesMu.Lock()
	defer filesMu.Unlock()
	if fs, ok := filesCache[w.Dir]; ok {
		return fs
	}
	out := map[string]*pysyntax.File{}
	filepath.WalkDir(w.Dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".py") {
			data, _ := os.ReadFile(p)
			if f, err := pysyntax.Parse(context.Background(), string(data)); err == nil {
				out[p] = f
			}
		}
		return nil
	})
	filesCache[w.Dir] = out
	return out
}

// newRequest builds a request for src (holding one cursor marker) as the
// file rel of the fixture Worker dir, in environment env.
func newRequest(t testing.TB, dir, env, rel, src string) *Request {
	t.Helper()
	ws := loadWorkspace(t)
	w := ws[dir]
	if w == nil {
		t.Fatalf("no fixture Worker %s", dir)
	}
	e, ok := w.Env(env)
	if !ok {
		t.Fatalf("fixture %s has no env %q", dir, env)
	}
	off := strings.Index(src, cursor)
	if off < 0 {
		t.Fatalf("source has no cursor marker: %q", src)
	}
	src = src[:off] + src[off+len(cursor):]
	f, err := pysyntax.Parse(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return &Request{
		Worker: w, Env: e,
		Path: filepath.Join(w.Dir, filepath.FromSlash(rel)), File: f, Offset: off,
		PythonFiles: pythonFilesOf(w), Workers: allWorkers(ws), PythonFilesOf: pythonFilesOf,
	}
}

func labels(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Label
	}
	return out
}

func itemNamed(items []Item, label string) (Item, bool) {
	for _, it := range items {
		if it.Label == label {
			return it, true
		}
	}
	return Item{}, false
}

// checkLabels fails unless every want label is present and no unwanted
// label is.
func checkLabels(t *testing.T, items []Item, want, unwanted []string) {
	t.Helper()
	got := map[string]bool{}
	for _, it := range items {
		if got[it.Label] {
			t.Errorf("duplicate item %q", it.Label)
		}
		got[it.Label] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("missing %q in %v", w, labels(items))
		}
	}
	for _, u := range unwanted {
		if got[u] {
			t.Errorf("unexpected %q in %v", u, labels(items))
		}
	}
}
