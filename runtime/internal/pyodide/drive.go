package pyodide

// The event loop of one interpreter's JS world, driven on the caller's
// goroutine: microtasks, external completions (outbound I/O) and timers.

import (
	"context"
	"errors"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

// ErrStalled: nothing left that could settle what the run waits for.
var ErrStalled = errors.New("the handler is waiting for something that will never happen (no timers, no pending I/O)")

// timerBurst bounds how many due timers run before a waiting external
// completion gets its turn.
const timerBurst = 64

// drive runs the event loop until done() or the loop has nothing left.
//
// Due timers run before external completions (up to timerBurst in a row):
// Pyodide's asyncio resumes a coroutine whose awaited promise settled with
// a zero-delay timer, and that continuation must run before a new request
// (an external task) reaches the interpreter. Otherwise a Durable Object's
// `n = await storage.get(k)` could let another request in before its
// `storage.put(k, n + 1)`, which Cloudflare's input gate prevents.
func (inst *Instance) Drive(ctx context.Context, done func() bool) error {
	l := &inst.World.Loop
	burst := 0
	for {
		for len(l.Micro) > 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			t := l.Micro[0]
			l.Micro = l.Micro[1:]
			inst.RunTask(t)
		}
		if done() {
			return nil
		}
		if next := l.NextTimer(); next != nil && burst < timerBurst && !next.Due.After(time.Now()) {
			burst++
			if t := l.PopTimer(); t != nil {
				inst.RunTask(t.Fn)
			}
			continue
		}
		burst = 0
		if l.Ext != nil {
			select {
			case f := <-l.Ext:
				l.ExtPending--
				inst.RunTask(f)
				continue
			default:
			}
		}
		next := l.NextTimer()
		if next == nil && l.ExtPending == 0 {
			return ErrStalled
		}
		var tm *time.Timer
		var timerC <-chan time.Time
		if next != nil {
			d := time.Until(next.Due)
			if d <= 0 {
				if t := l.PopTimer(); t != nil {
					inst.RunTask(t.Fn)
				}
				continue
			}
			tm = time.NewTimer(d)
			timerC = tm.C
		}
		if l.BeforeWait != nil {
			l.BeforeWait()
		}
		var task func()
		select {
		case <-ctx.Done():
		case f := <-l.Ext:
			l.ExtPending--
			task = f
		case <-timerC:
			if t := l.PopTimer(); t != nil {
				task = t.Fn
			}
		}
		if l.AfterWait != nil {
			l.AfterWait()
		}
		if tm != nil {
			tm.Stop()
		}
		if err := ctx.Err(); err != nil && task == nil {
			return err
		}
		if task != nil {
			inst.RunTask(task)
		}
	}
}

// runTask runs a loop task; an uncaught JS exception is logged like a
// browser's "Uncaught (in promise)" and the loop goes on.
func (inst *Instance) RunTask(f func()) {
	if th := inst.World.Catch(f); th != nil {
		inst.WriteStderr([]byte("Uncaught " + js.DescribeError(th.Value) + "\n"))
	}
}
