package server

import (
	"context"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/internal/gcfloor"
)

// diagnosticsLoop recomputes and publishes diagnostics. Edits add documents
// to a pending set and cancel a run in progress (its snapshot is stale); the
// loop then runs again on the newest snapshot, for everything still pending.
// There is no debounce: a run costs a few milliseconds.
type diagnosticsLoop struct {
	s       *Server
	mu      sync.Mutex
	pending map[protocol.DocumentURI]bool
	all     bool
	cancel  context.CancelFunc
	wake    chan struct{}
	quit    chan struct{}
	// published remembers which documents have diagnostics showing.
	published map[protocol.DocumentURI]bool
	// onPublish is a test hook.
	onPublish func(protocol.DocumentURI, time.Time)
}

func newDiagnosticsLoop(s *Server) *diagnosticsLoop {
	d := &diagnosticsLoop{s: s, pending: map[protocol.DocumentURI]bool{}, wake: make(chan struct{}, 1), quit: make(chan struct{}), published: map[protocol.DocumentURI]bool{}}
	go d.run()
	return d
}

func (d *diagnosticsLoop) schedule(u protocol.DocumentURI) {
	d.mu.Lock()
	d.pending[u] = true
	if d.cancel != nil {
		d.cancel()
	}
	d.mu.Unlock()
	d.poke()
}

// scheduleAll recomputes every open document (after a project change).
func (d *diagnosticsLoop) scheduleAll() {
	d.mu.Lock()
	d.all = true
	if d.cancel != nil {
		d.cancel()
	}
	d.mu.Unlock()
	d.poke()
}

func (d *diagnosticsLoop) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *diagnosticsLoop) stop() {
	select {
	case <-d.quit:
	default:
		close(d.quit)
	}
}

func (d *diagnosticsLoop) run() {
	for {
		select {
		case <-d.quit:
			return
		case <-d.wake:
		}
		snap := d.s.current()
		d.mu.Lock()
		var todo []*Document
		if d.all {
			todo = snap.Documents()
		} else {
			for u := range d.pending {
				if doc := snap.Document(u); doc != nil {
					todo = append(todo, doc)
				}
			}
		}
		d.pending = map[protocol.DocumentURI]bool{}
		d.all = false
		ctx, cancel := context.WithCancel(snap.Context())
		d.cancel = cancel
		d.mu.Unlock()

		// An editor sends its request right behind the didChange: give it
		// the moment it needs to arrive before yielding to it.
		time.Sleep(requestArrival)
		for i, doc := range todo {
			d.yieldToRequests(ctx)
			diags := computeDiagnostics(ctx, d.s.log, snap, doc)
			if ctx.Err() != nil {
				// Superseded: put back what was not published.
				d.mu.Lock()
				for _, rest := range todo[i:] {
					d.pending[rest.URI] = true
				}
				d.mu.Unlock()
				d.poke()
				break
			}
			d.publish(doc, diags)
		}
		cancel()
		gcfloor.Active() // the batch's garbage is collected once things are quiet
	}
}

// yieldToRequests waits (at most maxRequestYield) while requests are being
// answered: on a keystroke the editor usually asks for completion at once,
// and on two cores that request should not share the CPU with the
// keystroke's diagnostics. It also waits until requestArrival has passed
// since the last answer: an editor's next keystroke often follows an
// answer at once, and then these diagnostics would be stale before they
// were done, their CPU taken from the next completion (typing fast on a
// busy machine, that was the completion's tail).
func (d *diagnosticsLoop) yieldToRequests(ctx context.Context) {
	var timeout <-chan time.Time
	arm := func() {
		if timeout == nil { // armed only when there is something to wait for
			timeout = time.After(maxRequestYield)
		}
	}
	for {
		idle, busy := d.s.running.busy()
		if busy {
			arm()
			select {
			case <-idle: // look again: another request may have started since
			case <-timeout:
				return
			case <-ctx.Done():
				return
			}
			continue
		}
		since, answered := d.s.running.sinceDone()
		if !answered || since >= requestArrival {
			return
		}
		arm()
		pause := time.NewTimer(requestArrival - since)
		select {
		case <-pause.C: // look again: a request may have started since
		case <-timeout:
			pause.Stop()
			return
		case <-ctx.Done():
			pause.Stop()
			return
		}
	}
}

const (
	maxRequestYield = 10 * time.Millisecond
	requestArrival  = 500 * time.Microsecond
)

func (d *diagnosticsLoop) publish(doc *Document, diags []protocol.Diagnostic) {
	if diags == nil {
		diags = []protocol.Diagnostic{}
	}
	if len(diags) == 0 && !d.published[doc.URI] {
		return // nothing shown, nothing to clear
	}
	d.published[doc.URI] = len(diags) > 0
	params := &protocol.PublishDiagnosticsParams{URI: doc.URI, Diagnostics: diags}
	if doc.Version > 0 {
		params.Version = uint32(doc.Version)
	}
	d.s.notify("textDocument/publishDiagnostics", params)
	if d.onPublish != nil {
		d.onPublish(doc.URI, time.Now())
	}
}

// computeDiagnostics runs every provider on one document; a provider that
// panics loses its own results only.
func computeDiagnostics(ctx context.Context, log *slog.Logger, snap *Snapshot, doc *Document) []protocol.Diagnostic {
	var out []protocol.Diagnostic
	for _, p := range diagnosticProviders {
		func() {
			defer func() {
				if r := recover(); r != nil {
					log.Error("diagnostics provider panicked", "uri", doc.URI, "panic", r, "stack", string(debug.Stack()))
				}
			}()
			out = append(out, p(ctx, snap, doc)...)
		}()
	}
	return out
}
