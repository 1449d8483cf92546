package server

import (
	"context"
	"testing"
	"time"
)

// Diagnostics wait for requests in flight, and go on as soon as the last
// one is answered (not at the next poll), or after maxRequestYield.
func TestYieldToRequestsWakesWhenRequestsFinish(t *testing.T) {
	d := &diagnosticsLoop{s: testServer()}
	start := time.Now()
	d.yieldToRequests(context.Background())
	if waited := time.Since(start); waited > maxRequestYield/2 {
		t.Errorf("waited %v with no request in flight", waited)
	}

	d.s.running.start()
	d.s.running.start()
	go func() {
		time.Sleep(time.Millisecond)
		d.s.running.finish()
		time.Sleep(time.Millisecond)
		d.s.running.finish()
	}()
	start = time.Now()
	d.yieldToRequests(context.Background())
	if waited := time.Since(start); waited < 2*time.Millisecond || waited >= maxRequestYield {
		t.Errorf("waited %v for requests answered after 2 ms", waited)
	}

	d.s.running.start()
	defer d.s.running.finish()
	start = time.Now()
	d.yieldToRequests(context.Background())
	if waited := time.Since(start); waited < maxRequestYield {
		t.Errorf("waited %v for a request that does not finish, want %v", waited, maxRequestYield)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start = time.Now()
	d.yieldToRequests(ctx)
	if waited := time.Since(start); waited >= maxRequestYield {
		t.Errorf("a superseded run waited %v", waited)
	}
}
