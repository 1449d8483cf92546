package packages

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func zipOf(t *testing.T, entries map[string]string, symlink string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if symlink != "" {
		h := &zip.FileHeader{Name: symlink}
		h.SetMode(os.ModeSymlink | 0o777)
		w, _ := zw.CreateHeader(h)
		w.Write([]byte("/etc/passwd"))
	}
	zw.Close()
	return buf.Bytes()
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// A local folder as the source; files that would leave the package folder
// or are symlinks are refused and nothing is cached.
func TestInstallFromFolder(t *testing.T) {
	src, cache := t.TempDir(), t.TempDir()
	files := map[string][]byte{
		"good-1.0-py3-none-any.whl": zipOf(t, map[string]string{"good/__init__.py": "X = 1\n"}, ""),
		"slip-1.0-py3-none-any.whl": zipOf(t, map[string]string{"../../escaped.py": "boom\n"}, ""),
		"link-1.0-py3-none-any.whl": zipOf(t, map[string]string{"link/__init__.py": ""}, "link/passwd"),
	}
	lockJSON := `{"info": {"version": "0.28.2", "python": "3.13.2"}, "packages": {`
	i := 0
	for f, b := range files {
		os.WriteFile(filepath.Join(src, f), b, 0o644)
		name := strings.SplitN(f, "-", 2)[0]
		if i > 0 {
			lockJSON += ","
		}
		lockJSON += `"` + name + `": {"name": "` + name + `", "version": "1.0", "file_name": "` + f + `", "sha256": "` + sum(b) +
			`", "imports": ["` + name + `"], "depends": [], "package_type": "package"}`
		i++
	}
	lock, err := ParseLock([]byte(lockJSON + "}}"))
	if err != nil {
		t.Fatal(err)
	}
	in := &Installer{Lock: lock, Source: func() string { return src }, Dir: cache}
	got, err := in.Install(lock.ForImport("good"))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(got.Dirs[0], "good", "__init__.py")); err != nil || string(b) != "X = 1\n" {
		t.Fatalf("%q %v", b, err)
	}
	if again, err := in.Install(lock.ForImport("good")); err != nil || again.Download {
		t.Fatalf("second install: %+v %v", again, err)
	}
	for _, name := range []string{"slip", "link"} {
		_, err := in.Install(lock.ForImport(name))
		var ie *InstallError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), map[string]string{"slip": "leaves the package folder", "link": "is a symlink"}[name]) {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := os.Stat(in.PackageDir(lock.ForImport(name))); !os.IsNotExist(err) {
			t.Errorf("%s was cached", name)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cache), "escaped.py")); !os.IsNotExist(err) {
		t.Errorf("an entry escaped the cache")
	}
}

// A lock whose dependency is not listed is an error, not a partial install.
func TestInstallMissingDependency(t *testing.T) {
	lock, err := ParseLock([]byte(`{"packages": {"a": {"name": "a", "file_name": "a.whl", "imports": ["a"], "depends": ["b"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	in := &Installer{Lock: lock, Source: func() string { return src }, Dir: t.TempDir()}
	if _, err := in.Install(lock.ForImport("a")); err == nil || !strings.Contains(err.Error(), "depends on b") {
		t.Fatalf("%v", err)
	}
}
