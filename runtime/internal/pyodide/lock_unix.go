//go:build unix

package pyodide

import (
	"os"
	"path/filepath"
	"syscall"
)

// LockCacheDir takes an exclusive lock on dir, so two processes starting on
// a cold cache compile once: the second waits and then loads from the cache.
func LockCacheDir(dir string) (unlock func()) {
	if dir == "" || os.MkdirAll(dir, 0o755) != nil {
		return func() {}
	}
	f, err := os.OpenFile(filepath.Join(dir, ".pyworkers.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return func() {}
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}
