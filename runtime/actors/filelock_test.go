package actors

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The file lock that serialises one Durable Object across processes: a
// second holder (another open file, as another process has) waits until the
// first lets go, and gives up with its context. Runs under Wine for the
// Windows build too (make release-check).
func TestLockFileExcludesSecondHolder(t *testing.T) {
	// Not t.TempDir: Wine 8 fails the os.RemoveAll in its cleanup
	// ("Invalid function"); os.Remove works there.
	dir, err := os.MkdirTemp("", "objlock")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "obj.lock")
	defer func() {
		if err := os.Remove(path); err != nil {
			t.Error(err)
		}
		if err := os.Remove(dir); err != nil {
			t.Error(err)
		}
	}()
	unlock, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if u2, err := lockFile(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		if u2 != nil {
			u2()
		}
		t.Fatalf("second lockFile while held = %v, want it to wait until its deadline", err)
	}
	got := make(chan error, 1)
	go func() {
		u2, err := lockFile(context.Background(), path)
		if err == nil {
			u2()
		}
		got <- err
	}()
	time.Sleep(20 * time.Millisecond)
	unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting holder did not get the lock after unlock")
	}
}
