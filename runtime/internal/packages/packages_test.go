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

// The runtime's own build of a cpython_module package: installed from the
// artifacts' folder with its dependencies left out (it links them in),
// refused when its checksum is not the one recorded beside it; Pyodide's
// file wins when it is cached already or the user chose a source.
func TestInstallBuiltin(t *testing.T) {
	official := zipOf(t, map[string]string{"ssl.py": "WHO = 'pyodide'\n"}, "")
	ours := zipOf(t, map[string]string{"ssl.py": "WHO = 'pyworkers'\n"}, "")
	lib := zipOf(t, map[string]string{"libssl.so": "x"}, "")
	src, mods := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(src, "ssl-1.0.0.whl"), official, 0o644)
	os.WriteFile(filepath.Join(src, "libopenssl-1.1.1w.zip"), lib, 0o644)
	os.WriteFile(filepath.Join(mods, "ssl-1.0.0.whl"), ours, 0o644)
	os.WriteFile(filepath.Join(mods, "SHA256SUMS"), []byte(sum(ours)+"  ssl-1.0.0.whl\n"+sum(lib)+"  libopenssl-1.1.1w.zip\n"), 0o644)
	lock, err := ParseLock([]byte(`{"packages": {
		"ssl": {"name": "ssl", "version": "1.0.0", "file_name": "ssl-1.0.0.whl", "sha256": "` + sum(official) + `", "imports": ["ssl", "_ssl"], "depends": ["libopenssl"], "package_type": "cpython_module"},
		"libopenssl": {"name": "libopenssl", "version": "1.1.1w", "file_name": "libopenssl-1.1.1w.zip", "sha256": "` + sum(lib) + `", "imports": [], "depends": [], "package_type": "shared_library"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	builtin, err := ReadBuiltin(mods, lock)
	if err != nil || len(builtin) != 1 || builtin["ssl"].SHA256 != sum(ours) {
		t.Fatalf("ReadBuiltin (only cpython_module packages): %+v %v", builtin, err)
	}
	who := func(got *Installed) string {
		b, _ := os.ReadFile(filepath.Join(got.Dirs[len(got.Dirs)-1], "ssl.py"))
		return string(b)
	}
	chosen := false
	newInstaller := func(cache string) *Installer {
		return &Installer{Lock: lock, Source: func() string { return src }, Dir: cache, Builtin: builtin, SourceChosen: func() bool { return chosen }}
	}

	in := newInstaller(t.TempDir())
	got, err := in.Install(lock.ForImport("_ssl"))
	if err != nil || who(got) != "WHO = 'pyworkers'\n" || len(got.Dirs) != 1 || got.Download {
		t.Fatalf("built-in install: %+v %v", got, err)
	}

	// A user's mirror (SourceChosen) gets Pyodide's file and its dependency.
	chosen = true
	in = newInstaller(t.TempDir())
	if got, err = in.Install(lock.ForImport("ssl")); err != nil || who(got) != "WHO = 'pyodide'\n" || len(got.LibDirs) != 1 {
		t.Fatalf("chosen source: %+v %v", got, err)
	}
	// ... and once cached, Pyodide's file is used even without the choice.
	chosen = false
	if got, err = in.Install(lock.ForImport("ssl")); err != nil || who(got) != "WHO = 'pyodide'\n" || got.Download {
		t.Fatalf("cached official copy: %+v %v", got, err)
	}

	// A built-in file that is not what SHA256SUMS says is refused, not unpacked.
	os.WriteFile(filepath.Join(mods, "ssl-1.0.0.whl"), zipOf(t, map[string]string{"ssl.py": "tampered\n"}, ""), 0o644)
	in = newInstaller(t.TempDir())
	_, err = in.Install(lock.ForImport("ssl"))
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "runtime's own build") {
		t.Fatalf("tampered built-in: %v", err)
	}
	if _, err := os.Stat(in.BuiltinDir(lock.ForImport("ssl"))); !os.IsNotExist(err) {
		t.Fatalf("the tampered build was unpacked")
	}
}
