package server

import (
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project/projecttest"
)

func testServer() *Server {
	return &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil)), snap: firstSnapshot()}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	projecttest.WriteTree(t, filepath.Dir(path), map[string]string{filepath.Base(path): text})
}

// open adds an open document at path to the server's snapshot.
func open(t *testing.T, s *Server, path, text string) {
	t.Helper()
	doc := newDocument(pathToURI(path), 1, "python", text)
	if _, err := s.update(false, func(next *Snapshot) error {
		next.docs[doc.URI], next.byPath[doc.Path] = doc, doc
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func names(t *testing.T, fsys project.FS, dir string) []string {
	t.Helper()
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestOverlayReadDirSeesUnsavedBuffers(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "wrangler.jsonc"), `{"name": "w", "main": "src/entry.py"}`)
	writeFile(t, filepath.Join(dir, "src", "entry.py"), "x = 1\n")
	s := testServer()
	open(t, s, filepath.Join(dir, "src", "entry.py"), "# edited, on disk too")
	open(t, s, filepath.Join(dir, "src", "new.py"), "# not saved yet")
	open(t, s, filepath.Join(dir, "src", "pkg", "mod.py"), "# in a folder not on disk yet")
	fsys := s.current().FS()
	if got, want := names(t, fsys, filepath.Join(dir, "src")), []string{"entry.py", "new.py", "pkg"}; !reflect.DeepEqual(got, want) {
		t.Errorf("src: %v, want %v", got, want)
	}
	if got := names(t, fsys, filepath.Join(dir, "src", "pkg")); !reflect.DeepEqual(got, []string{"mod.py"}) {
		t.Errorf("src/pkg: %v", got)
	}
	if _, err := fsys.ReadDir(filepath.Join(dir, "nowhere")); err == nil {
		t.Error("a folder neither on disk nor holding buffers was listed")
	}
	// The discovery walk reads through the overlay, too.
	got := project.PythonFiles(fsys, dir, project.Limits{})
	for i := range got {
		got[i], _ = filepath.Rel(dir, got[i])
	}
	sort.Strings(got)
	if want := []string{"src/entry.py", "src/new.py", "src/pkg/mod.py"}; !reflect.DeepEqual(got, want) {
		t.Errorf("python files %v, want %v", got, want)
	}
}

// A snapshot keeps the server state it was taken with: once the client
// starts watching files, an earlier snapshot still lists the Worker's
// files afresh (it cannot know a new file would rebuild the models).
func TestSnapshotDoesNotReadLaterServerState(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "wrangler.jsonc"), `{"name": "w", "main": "src/entry.py"}`)
	writeFile(t, filepath.Join(dir, "src", "entry.py"), "x = 1\n")
	s := testServer()
	s.update(true, func(next *Snapshot) error {
		next.folders = []string{dir}
		next.settings.Environment = "staging"
		return nil
	})
	taken := s.current()
	w := taken.WorkerFor(filepath.Join(dir, "src", "entry.py"))
	if w == nil {
		t.Fatal("no Worker")
	}

	s.watching.Store(true)
	if n := len(taken.pythonPaths(w)); n != 1 {
		t.Fatalf("%d files", n)
	}
	writeFile(t, filepath.Join(dir, "src", "added.py"), "x = 1\n")
	if n := len(taken.pythonPaths(w)); n != 2 {
		t.Errorf("the earlier snapshot sees %d files, want 2: it took up the server's later file watching", n)
	}
	s.update(false, func(next *Snapshot) error { next.settings.Environment = "production"; return nil })
	if env := taken.Settings().Environment; env != "staging" {
		t.Errorf("settings changed under the snapshot: %q", env)
	}

	// The snapshot taken while watching keeps its list per model.
	later := s.current()
	if !later.watchingFiles || later.Settings().Environment != "production" {
		t.Fatalf("later snapshot: watching %v, settings %+v", later.watchingFiles, later.Settings())
	}
	before := len(later.PythonFiles(w))
	writeFile(t, filepath.Join(dir, "src", "added2.py"), "x = 1\n")
	if n := len(later.PythonFiles(w)); before != 2 || n != before {
		t.Errorf("a watching snapshot walked again: %d → %d files", before, n)
	}
}

// Parse caches belong to a session: another server's snapshots do not
// share them.
func TestFactsCacheIsPerSession(t *testing.T) {
	a, b := testServer(), testServer()
	if a.current().facts == b.current().facts || a.current().files == b.current().files {
		t.Fatal("two sessions share a cache")
	}
	open(t, a, filepath.Join(t.TempDir(), "x.py"), "x = 1\n")
	if a.current().facts != a.snap.facts {
		t.Fatal("a session's snapshots do not share its cache")
	}
}
