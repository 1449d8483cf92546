package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// setArchive stands a test archive in for the embedded one.
func setArchive(t *testing.T, data []byte) {
	t.Helper()
	old := archive
	archive, idOnce = data, sync.Once{}
	t.Cleanup(func() { archive, idOnce = old, sync.Once{} })
}

type entry struct {
	name string
	typ  byte
	body string
}

func tarGz(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.body))}
		if e.typ == tar.TypeDir {
			h.Mode, h.Size = 0o755, 0
		}
		if e.typ == tar.TypeSymlink {
			h.Linkname, h.Size = e.body, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUnpackOnceThenReuse(t *testing.T) {
	setArchive(t, tarGz(t,
		entry{"./", tar.TypeDir, ""},
		entry{"./pyodide.exnref.wasm", tar.TypeReg, "\x00asm"},
		entry{"./workers-runtime-sdk-1.9.5/", tar.TypeDir, ""},
		entry{"./workers-runtime-sdk-1.9.5/workers/__init__.py", tar.TypeReg, "x = 1\n"},
	))
	base := t.TempDir()
	dir := Dir(base, "0.28.2")
	if !strings.HasPrefix(filepath.Base(dir), "runtime-0.28.2-") || len(ID()) != 16 {
		t.Fatalf("Dir = %s, ID = %q", dir, ID())
	}
	got, err := Unpack(dir)
	if err != nil || got != dir {
		t.Fatalf("Unpack = %q, %v", got, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "workers-runtime-sdk-1.9.5", "workers", "__init__.py"))
	if err != nil || string(b) != "x = 1\n" {
		t.Fatalf("unpacked file: %q, %v", b, err)
	}
	// A second call reuses the directory: a file changed there stays changed.
	marker := filepath.Join(dir, "pyodide.exnref.wasm")
	if err := os.WriteFile(marker, []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Unpack(dir); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(marker); string(b) != "kept" {
		t.Fatalf("second Unpack rewrote the directory")
	}
	// No temporary directories are left beside it.
	ents, _ := os.ReadDir(base)
	if len(ents) != 1 {
		t.Fatalf("left in the cache: %v", ents)
	}
}

func TestUnpackReplacesIncompleteCopy(t *testing.T) {
	setArchive(t, tarGz(t, entry{"a.txt", tar.TypeReg, "new"}))
	dir := Dir(t.TempDir(), "v")
	// An interrupted copy without the stamp (or with another bundle's).
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, stampName), []byte("0123456789abcdef\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Unpack(dir); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(b) != "new" {
		t.Fatalf("a.txt = %q, want the bundle's", b)
	}
}

func TestUnpackConcurrent(t *testing.T) {
	setArchive(t, tarGz(t, entry{"f", tar.TypeReg, strings.Repeat("y", 1<<20)}))
	dir := Dir(t.TempDir(), "v")
	ID() // computed before the goroutines, as the runtime does once
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := Unpack(dir); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "f")); err != nil || fi.Size() != 1<<20 {
		t.Fatalf("f: %v %v", fi, err)
	}
}

func TestUnpackRefusesBadEntries(t *testing.T) {
	for name, data := range map[string][]byte{
		"escaping name": tarGz(t, entry{"../evil", tar.TypeReg, "x"}),
		"absolute name": tarGz(t, entry{"/etc/evil", tar.TypeReg, "x"}),
		"symlink":       tarGz(t, entry{"link", tar.TypeSymlink, "/etc/passwd"}),
		"not gzip":      []byte("this is not an archive"),
	} {
		t.Run(name, func(t *testing.T) {
			setArchive(t, data)
			base := t.TempDir()
			_, err := Unpack(Dir(base, "v"))
			if err == nil || !strings.Contains(err.Error(), "unpacking the Python runtime") {
				t.Fatalf("Unpack = %v, want an unpacking error", err)
			}
			if ents, _ := os.ReadDir(base); len(ents) != 0 {
				t.Fatalf("left behind: %v", ents)
			}
		})
	}
}

func TestNoBundle(t *testing.T) {
	setArchive(t, nil)
	if Present() {
		t.Fatal("Present with no archive")
	}
	if _, err := Unpack(t.TempDir()); err == nil {
		t.Fatal("Unpack without an archive succeeded")
	}
}
