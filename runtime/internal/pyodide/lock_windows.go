//go:build windows

package pyodide

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// LockCacheDir takes an exclusive lock on dir (LockFileEx on a lock file),
// so two processes starting on a cold cache compile once: the second waits
// and then loads from the cache.
func LockCacheDir(dir string) (unlock func()) {
	if dir == "" || os.MkdirAll(dir, 0o755) != nil {
		return func() {}
	}
	f, err := os.OpenFile(filepath.Join(dir, ".pyworkers.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return func() {}
	}
	h := windows.Handle(f.Fd())
	if err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, new(windows.Overlapped)); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		_ = windows.UnlockFileEx(h, 0, 1, 0, new(windows.Overlapped))
		f.Close()
	}
}
