// Package testtree copies fixture folders for the runtime's tests, which
// run Workers in temp dirs so their local state never lands in testdata/.
package testtree

import (
	"os"
	"path/filepath"
	"testing"
)

// Copy copies the folder from into to (created as needed).
func Copy(t testing.TB, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
