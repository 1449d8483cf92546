package server

import "sync"

// inFlight counts the requests being answered. Background work (the
// diagnostics loop) waits on idle() for them to finish instead of polling.
type inFlight struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops back to 0
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
