package actors

// One Durable Object runs in one place at a time (Cloudflare's guarantee):
// a run that constructs an object holds that object's lock until the run
// ends, so its storage reads and writes are never interleaved with another
// run's — in this process (another Engine, a concurrent language-server
// run) or in another one (three `pyworkers-lsp run --do` at once). Across
// processes the lock is an flock'd file beside the object's database
// (<state>/durable_objects/<class>/<id>.lock; an in-process lock only where
// flock is unavailable, see objlock_other.go). A run nested in a run that
// holds the lock (an object calling itself, or A → B → A through stubs)
// takes it again without waiting, as Cloudflare lets a call chain re-enter
// an object.
//
// Inside one run, calls to one object share the run's event loop: they
// interleave only where the Python code awaits, as requests to one object
// do on Cloudflare between storage operations.

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// objectLock is one object's lock in this process.
type objectLock struct {
	sem chan struct{} // held in this process
}

var (
	objLocksMu sync.Mutex
	objLocks   = map[string]*objectLock{}

	runLocks sync.Map // a run's context.Context → *heldLocks
)

// heldLocks are the object locks one run holds; parent is the run it is
// nested in (whose locks it may re-enter).
type heldLocks struct {
	parent *heldLocks
	mu     sync.Mutex
	paths  map[string]func() // lock path → release
}

type heldKey struct{}

func (h *heldLocks) holds(path string) bool {
	for ; h != nil; h = h.parent {
		h.mu.Lock()
		_, ok := h.paths[path]
		h.mu.Unlock()
		if ok {
			return true
		}
	}
	return false
}

// locksOf is the set of locks the run of ctx holds, released when the run
// ends (its context is done).
func locksOf(ctx context.Context) *heldLocks {
	if v, ok := runLocks.Load(ctx); ok {
		return v.(*heldLocks)
	}
	parent, _ := ctx.Value(heldKey{}).(*heldLocks)
	h := &heldLocks{parent: parent, paths: map[string]func(){}}
	if v, loaded := runLocks.LoadOrStore(ctx, h); loaded {
		return v.(*heldLocks)
	}
	go func() {
		<-ctx.Done()
		runLocks.Delete(ctx)
		h.mu.Lock()
		defer h.mu.Unlock()
		for p, release := range h.paths {
			release()
			delete(h.paths, p)
		}
	}()
	return h
}

// nestedContext is ctx for a run started from the run of ctx (a stub's
// call into another Worker's interpreter): it may re-enter the caller's
// objects.
func nestedContext(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithValue(ctx, heldKey{}, locksOf(ctx))
}

// lockObject takes the lock of the object whose database is dbPath for the
// run of ctx, waiting while another run (here or in another process) holds
// it; it gives up when ctx is done (the waiting run's wall-clock limit).
func lockObject(ctx context.Context, dbPath string) error {
	if ctx.Done() == nil {
		return nil // not inside a run: nothing would release the lock
	}
	path := filepath.Clean(dbPath[:len(dbPath)-len(filepath.Ext(dbPath))] + ".lock")
	held := locksOf(ctx)
	if held.holds(path) {
		return nil
	}
	objLocksMu.Lock()
	l, ok := objLocks[path]
	if !ok {
		l = &objectLock{sem: make(chan struct{}, 1)}
		objLocks[path] = l
	}
	objLocksMu.Unlock()
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		<-l.sem
		return err
	}
	unlockFile, err := lockFile(ctx, path)
	if err != nil {
		<-l.sem
		return err
	}
	held.mu.Lock()
	held.paths[path] = func() {
		unlockFile()
		<-l.sem
	}
	held.mu.Unlock()
	return nil
}

// lockPoll is how often a run waiting for another process's lock retries.
const lockPoll = 2 * time.Millisecond
