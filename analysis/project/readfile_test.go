package project

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostile makes path a hostile file of the given kind: a link to /dev/zero
// (endless), a FIFO without a writer (blocks a plain open), a sparse file
// of 3 GiB (no disk, but os.ReadFile would allocate it all).
func hostile(t *testing.T, path, kind string) {
	t.Helper()
	switch kind {
	case "zero":
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skip("no /dev/zero")
		}
		if err := os.Symlink("/dev/zero", path); err != nil {
			t.Fatal(err)
		}
	case "fifo":
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Skip("mkfifo:", err)
		}
	case "sparse":
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(3 << 30); err != nil {
			t.Skip("truncate:", err)
		}
		f.Close()
	default:
		t.Fatalf("unknown kind %q", kind)
	}
}

// within fails the test when f does not return within d (the FIFO case
// would block forever; the /dev/zero one would exhaust memory first).
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("did not return within %v", d)
	}
}

func TestReadFileRefusesHostileFiles(t *testing.T) {
	for _, tc := range []struct{ kind, want string }{
		{"zero", "wrangler.jsonc is not a regular file"},
		{"fifo", "wrangler.jsonc is not a regular file"},
		{"sparse", "wrangler.jsonc is larger than 10 MiB; it was not read"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "wrangler.jsonc")
			hostile(t, p, tc.kind)
			within(t, 5*time.Second, func() {
				data, err := ReadFile(p, MaxConfigBytes)
				if err == nil || err.Error() != tc.want || data != nil {
					t.Errorf("ReadFile = %d bytes, %v; want %q", len(data), err, tc.want)
				}
				if !Refused(err) {
					t.Errorf("Refused(%v) = false", err)
				}
				if err := CheckFile(p, MaxConfigBytes); err == nil || err.Error() != tc.want {
					t.Errorf("CheckFile = %v; want %q", err, tc.want)
				}
			})
		})
	}
}

func TestReadFileOrdinaryFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(p, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(p, 5); err != nil || string(b) != "hello" {
		t.Errorf("at the cap: %q, %v", b, err)
	}
	if _, err := ReadFile(p, 4); !errors.Is(err, ErrTooLarge) || err.Error() != "a.txt is larger than 4 bytes; it was not read" {
		t.Errorf("over the cap: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 5); !errors.Is(err, os.ErrNotExist) || Refused(err) {
		t.Errorf("missing: %v", err)
	}
	if _, err := ReadFile(dir, 5); !errors.Is(err, ErrNotRegular) || present(err) {
		t.Errorf("a folder: %v (present %v)", err, present(err))
	}
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(link, 5); err != nil || string(b) != "hello" {
		t.Errorf("a link to a regular file: %q, %v", b, err)
	}
}

// Every file the project model reads may be hostile: Load returns at once,
// reports the config's refusal in ConfigErr and the others' in FileErrs.
func TestLoadHostileProjectFiles(t *testing.T) {
	const cfg = `{"name": "w", "main": "main.py", "compatibility_flags": ["python_workers"]}`
	for _, name := range []string{"wrangler.jsonc", "pyproject.toml", ".dev.vars", ".env", "requirements.txt"} {
		for _, kind := range []string{"zero", "fifo", "sparse"} {
			t.Run(name+"/"+kind, func(t *testing.T) {
				dir := t.TempDir()
				if name != "wrangler.jsonc" {
					if err := os.WriteFile(filepath.Join(dir, "wrangler.jsonc"), []byte(cfg), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				hostile(t, filepath.Join(dir, name), kind)
				within(t, 5*time.Second, func() {
					found := FindConfig(OSFS{}, dir)
					if found != filepath.Join(dir, "wrangler.jsonc") {
						t.Fatalf("FindConfig = %q", found)
					}
					w := Load(OSFS{}, found)
					errs := w.FileErrs
					if w.ConfigErr != nil {
						errs = append(errs, w.ConfigErr)
					}
					if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), name+" is ") {
						t.Errorf("errors %v; want one about %s", errs, name)
					}
				})
			})
		}
	}
}
