package devserver

// Background work, as the platform does it without a request: queue
// consumers receive their batches when they fill or their max_batch_timeout
// passes, and Durable Object alarms fire when due.

import (
	"context"
	"fmt"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/bindings"
)

// backgroundTick is how often queues and alarms are looked at.
const backgroundTick = 200 * time.Millisecond

// Cloudflare's defaults for a queue consumer.
const (
	defaultBatchSize    = 10
	defaultBatchTimeout = 5 * time.Second
)

// Background delivers queue batches and fires due alarms for every Worker
// of the server, until ctx ends.
func (s *Server) Background(ctx context.Context) {
	waiting := map[string]time.Time{} // queue key → when its first pending message was seen
	t := time.NewTicker(backgroundTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		specs := append([]runtime.WorkerSpec{s.spec}, s.others...)
		s.mu.Unlock()
		for i, spec := range specs {
			if ctx.Err() != nil {
				return
			}
			// The served Worker's handlers run in its isolate, on the same
			// module globals and Durable Object instances as its requests.
			var classes actors.ClassRunner = s.eng
			var queues actors.QueueRunner = s.eng
			if i == 0 {
				if iso, _, _ := s.isolate(ctx); iso != nil {
					classes, queues = iso, iso
				}
			}
			s.deliverQueues(ctx, queues, spec, waiting)
			s.fireAlarms(ctx, classes, spec)
		}
	}
}

func (s *Server) deliverQueues(ctx context.Context, runner actors.QueueRunner, spec runtime.WorkerSpec, waiting map[string]time.Time) {
	store := bindings.Open(spec.ProjectDir, spec.Env)
	for _, c := range spec.QueueConsumers {
		key := spec.ProjectDir + "\x00" + c.Queue
		pending, err := store.QueueDue(c.Queue)
		if err != nil || pending == 0 {
			delete(waiting, key)
			continue
		}
		size, timeout := c.MaxBatchSize, c.MaxBatchTimeout
		if size <= 0 {
			size = defaultBatchSize
		}
		if timeout <= 0 {
			timeout = defaultBatchTimeout
		}
		first, seen := waiting[key]
		if !seen {
			first = time.Now()
			waiting[key] = first
		}
		if pending < size && time.Since(first) < timeout {
			continue
		}
		delete(waiting, key)
		runCtx, cancel := context.WithTimeout(ctx, s.runLimit(spec))
		d, err := actors.DeliverQueue(runCtx, runner, spec, c.Queue)
		cancel()
		if err != nil {
			s.logf("[pyworkers] queue %s: %v", c.Queue, err)
			continue
		}
		if d.Result != nil {
			s.printRun(d.Result)
		}
		counts := map[string]int{}
		for _, m := range d.Messages {
			counts[string(m.Outcome)]++
		}
		s.logf("[pyworkers] queue %s: batch of %d delivered (%s), %d left", c.Queue, len(d.Messages), outcomes(counts), d.Left)
	}
}

func outcomes(counts map[string]int) string {
	out := ""
	for _, k := range []string{string(actors.OutcomeAcked), string(actors.OutcomeRetried), string(actors.OutcomeDeadLetter), string(actors.OutcomeDropped)} {
		if counts[k] > 0 {
			if out != "" {
				out += ", "
			}
			out += fmt.Sprintf("%d %s", counts[k], k)
		}
	}
	return out
}

// runLimit bounds a background run: past the Worker's wall-clock limit
// (and a margin for waiting on a Durable Object another run holds) it is
// given up, so one stuck handler cannot stop the others.
func (s *Server) runLimit(spec runtime.WorkerSpec) time.Duration {
	limit := spec.Limits.WallClock
	if limit <= 0 {
		limit = runtime.DefaultWallClock
	}
	return limit + 5*time.Second
}

func (s *Server) fireAlarms(ctx context.Context, runner actors.ClassRunner, spec runtime.WorkerSpec) {
	runCtx, cancel := context.WithTimeout(ctx, s.runLimit(spec))
	defer cancel()
	runs, err := actors.FireAlarms(runCtx, runner, spec, time.Now(), false)
	if err != nil {
		s.logf("[pyworkers] alarms: %v", err)
		return
	}
	for _, a := range runs {
		if a.Result != nil {
			s.printRun(a.Result)
		}
		status := "ok"
		if a.Result != nil && a.Result.Error != nil {
			status = "raised (retried later)"
		}
		s.logf("[pyworkers] alarm of %s %s: %s", a.Class, a.Name, status)
	}
}

// printRun prints a background run's output and error.
func (s *Server) printRun(res *runtime.RunResult) {
	for _, l := range res.Logs {
		s.output(l.Stream, l.Text)
	}
	if res.Error != nil {
		s.reportError(res.Error)
	}
}
