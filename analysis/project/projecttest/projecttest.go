// Package projecttest writes Worker trees for tests of the packages that
// discover and read Workers.
package projecttest

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteTree writes files (slash-separated paths relative to root → text)
// below root, creating folders as needed.
func WriteTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for p, text := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
