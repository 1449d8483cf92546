package memfs

import (
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"testing"
)

// TestHostFileByRange (issue 17): stat'ing or reading a file of the
// Worker's folder loaded the whole file into host memory. A sparse 3 GiB
// file must be stat'ed and read at its end without the Go heap growing.
func TestHostFileByRange(t *testing.T) {
	size := int64(3) << 30
	if s := os.Getenv("PYWORKERS_SPARSE_MIB"); s != "" { // smaller, to see the old behaviour fail cheaply
		n, _ := strconv.Atoi(s)
		size = int64(n) << 20
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("tail!"), size-5); err != nil {
		t.Fatal(err)
	}
	f.Close()

	var ms goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&ms)
	base := ms.HeapInuse

	fs := New()
	fs.MountHost("/session/metadata", dir)
	n := fs.Lookup("/session/metadata/big.bin")
	if n == nil {
		t.Fatal("big.bin not found")
	}
	if got := fs.Size(n); got != size {
		t.Fatalf("Size = %d, want %d", got, size)
	}
	fd, errno := fs.Open("/session/metadata/big.bin", 0)
	if errno != 0 {
		t.Fatalf("open: errno %d", errno)
	}
	buf := make([]byte, 16)
	if k := fs.ReadAt(fs.Fds[fd].Node, buf, size-5); string(buf[:k]) != "tail!" {
		t.Errorf("read at the end = %q", buf[:k])
	}
	if k := fs.ReadAt(n, buf, 0); k != 16 || string(buf) != string(make([]byte, 16)) {
		t.Errorf("read at 0 = %d %q", k, buf)
	}
	if k := fs.ReadAt(n, buf, size); k != 0 {
		t.Errorf("read past the end = %d bytes", k)
	}

	goruntime.ReadMemStats(&ms)
	if grew := int64(ms.HeapInuse) - int64(base); grew > 64<<20 {
		t.Errorf("the Go heap grew by %d MiB reading a %d MiB file", grew>>20, size>>20)
	}
}

// TestOpenErrnos: a directory opened for writing is EISDIR (SQLite turns it
// into "unable to open database file", CPython's test_sqlite3 checks it), and
// O_CREAT|O_EXCL on an existing file is EEXIST.
func TestOpenErrnos(t *testing.T) {
	const oWronly, oRdwr, oCreat, oExcl = 1, 2, 0x40, 0x80
	fs := New()
	fs.MkdirAll("/tmp")
	if _, e := fs.Open("/tmp", oRdwr|oCreat); e != EISDIR {
		t.Errorf("open(dir, O_RDWR|O_CREAT) = errno %d, want EISDIR", e)
	}
	if _, e := fs.Open("/tmp", oWronly); e != EISDIR {
		t.Errorf("open(dir, O_WRONLY) = errno %d, want EISDIR", e)
	}
	if _, e := fs.Open("/tmp", 0); e != 0 {
		t.Errorf("open(dir, O_RDONLY) = errno %d, want success", e)
	}
	if _, e := fs.Open("/tmp/x", oRdwr|oCreat|oExcl); e != 0 {
		t.Fatalf("create /tmp/x: errno %d", e)
	}
	if _, e := fs.Open("/tmp/x", oRdwr|oCreat|oExcl); e != EEXIST {
		t.Errorf("second O_EXCL create = errno %d, want EEXIST", e)
	}
}

// An overlay mount: the host's files are read-only and visible, new files
// and folders go to memory beside them, and NewFiles lists only those.
func TestOverlayMount(t *testing.T) {
	host := t.TempDir()
	os.MkdirAll(filepath.Join(host, "a"), 0o755)
	os.WriteFile(filepath.Join(host, "a", "old.pyc"), []byte("old"), 0o644)
	fs := New()
	fs.MountOverlay("/cache", host)
	const oWronly, oCreat = 1, 0x40
	if _, e := fs.Open("/cache/a/old.pyc", oWronly); e != EROFS {
		t.Errorf("writing a host file: errno %d, want EROFS", e)
	}
	if _, e := fs.Open("/cache/a/new.pyc", oWronly|oCreat); e != 0 {
		t.Fatalf("creating beside a host file: errno %d", e)
	}
	fs.Lookup("/cache/a/new.pyc").Data = []byte("new")
	fs.MkdirAll("/cache/b/c")
	fs.WriteFile("/cache/b/c/deep.pyc", []byte("deep"))
	if fs.Lookup("/cache/a/old.pyc") == nil {
		t.Fatal("the host file vanished when a file was made beside it")
	}
	got := fs.NewFiles("/cache")
	if len(got) != 2 || string(got["a/new.pyc"]) != "new" || string(got["b/c/deep.pyc"]) != "deep" {
		t.Fatalf("NewFiles = %q", got)
	}
	if _, err := os.Stat(filepath.Join(host, "a", "new.pyc")); !os.IsNotExist(err) {
		t.Fatal("the overlay wrote to the host")
	}
	// A plain host mount stays read-only.
	fs.MountHost("/ro", host)
	if _, e := fs.Open("/ro/a/x", oWronly|oCreat); e != EROFS {
		t.Errorf("creating in a read-only mount: errno %d", e)
	}
}
