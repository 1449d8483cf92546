package runtime

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A watched folder's stamp is kept until something below it changes: a
// third run does not walk it, an edit (same size, new mtime), a new file
// in a new subfolder and a removal each give a new stamp.
func TestTreeStampKeptWhileWatched(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "pkg", "sub"), 0o755)
	os.WriteFile(filepath.Join(root, "pkg", "sub", "m.py"), []byte("x = 1\n"), 0o644)
	var s treeStamps
	defer s.close()
	first, n, err := s.stamp(root, 100)
	if err != nil || n != 1 {
		t.Fatalf("%v %d", err, n)
	}
	// The first stamp only walks (a one-shot process never watches), the
	// second walks and watches, the third is kept.
	for i := 0; i < 2; i++ {
		if again, _, _ := s.stamp(root, 100); again != first {
			t.Fatalf("unchanged folder, stamp %d differs", i+2)
		}
	}
	if s.walks.Load() != 2 {
		t.Fatalf("walks %d, want 2", s.walks.Load())
	}
	// changed waits for the watch to report the change.
	changed := func(what string, before string) string {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if st, _, err := s.stamp(root, 100); err == nil && st != before {
				return st
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("%s: the stamp did not change", what)
		return ""
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(filepath.Join(root, "pkg", "sub", "m.py"), later, later)
	second := changed("a new mtime", first)
	os.MkdirAll(filepath.Join(root, "pkg", "new"), 0o755)
	os.WriteFile(filepath.Join(root, "pkg", "new", "n.py"), []byte("y = 2\n"), 0o644)
	third := changed("a file in a new folder", second)
	os.WriteFile(filepath.Join(root, "pkg", "new", "n.py"), []byte("y = 3\n"), 0o644) // in the folder found by the last walk
	fourth := changed("an edit in the new folder", third)
	os.Remove(filepath.Join(root, "pkg", "sub", "m.py"))
	changed("a removal", fourth)
	if _, _, err := s.stamp(root, 0); err != errTooManyFiles {
		t.Fatalf("budget: %v", err)
	}
}
