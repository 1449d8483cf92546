package server

import (
	"sync"
	"time"
)

// inFlight counts the requests being answered. Background work (the
// diagnostics loop) waits on idle() for them to finish instead of polling.
type inFlight struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops back to 0
	// done is when the last request was answered (zero: none yet).
	done time.Time
}

func (f *inFlight) start() {
	f.mu.Lock()
	if f.n == 0 {
		f.idle = make(chan struct{})
	}
	f.n++
	f.mu.Unlock()
}

func (f *inFlight) finish() {
	f.mu.Lock()
	f.n--
	f.done = time.Now()
	if f.n == 0 {
		close(f.idle)
	}
	f.mu.Unlock()
}

// busy reports whether requests are being answered, and a channel closed
// when they all are.
func (f *inFlight) busy() (idle <-chan struct{}, busy bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.idle, f.n > 0
}

// sinceDone returns how long ago the last request was answered; ok is
// false when none was.
func (f *inFlight) sinceDone() (d time.Duration, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done.IsZero() {
		return 0, false
	}
	return time.Since(f.done), true
}
