package runtime

// Isolate: one interpreter of a Worker kept alive to answer many fetch
// requests, as a Cloudflare isolate does. `run` and the lenses start every
// run from a snapshot in a fresh interpreter; the dev server instead keeps
// an isolate per Worker, so a warm request costs the handler alone, module
// globals live from request to request as they do in production, and
// requests interleave at their awaits (one awaiting a slow fetch or
// asyncio.sleep does not hold up the others).
//
// The isolate's goroutine owns the interpreter. It holds the engine's run
// lock while Python or JS runs and releases it whenever its event loop
// waits, so other runs of the engine (a scheduled event, a Durable Object
// call, a lens) go on meanwhile, each in its own interpreter.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/webapi"
)

// IsolateOptions configure StartIsolate.
type IsolateOptions struct {
	// OnOutput receives the Worker's output (print, console.*, tracebacks)
	// line by line as it is written, from the isolate's goroutine.
	OnOutput func(stream, line string)
}

// Isolate is a running interpreter of one Worker serving fetch requests.
// Fetch is safe for concurrent use.
type Isolate struct {
	e        *Engine
	spec     WorkerSpec
	limits   Limits
	warnings []string
	// socketWarned: the socket warning (socketWarning) was given with an
	// answer; the isolate's interpreter keeps the first attempt.
	socketWarned bool

	post   func(func()) // queues a task on the isolate's loop (any goroutine)
	cancel context.CancelCauseFunc
	done   chan struct{} // closed when the isolate's goroutine ends
	err    error         // why it ended (nil after Close)

	mu     sync.Mutex
	closed bool

	// Loop-side state (isolate goroutine only).
	w        *pyodide.World
	inst     *pyodide.Instance
	inflight []*isolateRequest
	stopping bool
	sweptAt  int       // handles after the last sweep
	yielded  time.Time // when the loop last let other runs take the lock
}

// ErrIsolateStopped: the isolate ended (closed, or a limit stopped it)
// before the request was answered.
var ErrIsolateStopped = errors.New("the Worker's isolate stopped")

type isolateRequest struct {
	req  HTTPRequest
	call *ClassCall // a call into a class instead of a fetch (RunClass)
	// event is "scheduled" or "queue" for those handlers, whose first
	// argument makeArg builds (RunScheduled, RunQueue).
	event   string
	makeArg func(w *pyodide.World) (Value, error)
	start   time.Time
	reply   chan *RunResult

	settled, failed         bool
	response                Value
	excType, message, trace string
	body                    *Object // the pending read of a streamed body
}

// StartIsolate starts an isolate for spec: it restores the snapshot taken
// after the Worker's top level (taking it when needed) and is ready when it
// returns. A top level that raises is a *RunError with its traceback.
func (e *Engine) StartIsolate(ctx context.Context, spec WorkerSpec, opts IsolateOptions) (*Isolate, error) {
	h, err := e.warmHost(ctx)
	if err != nil {
		return nil, err
	}
	mainPath, modName, err := resolveMain(spec)
	if err != nil {
		return nil, err
	}
	if opts.OnOutput == nil {
		opts.OnOutput = func(string, string) {}
	}
	iso := &Isolate{e: e, spec: spec, limits: withDefaults(spec.Limits), done: make(chan struct{})}
	isoCtx, cancel := context.WithCancelCause(context.Background())
	iso.cancel = cancel
	ready := make(chan error, 1)
	go iso.serve(isoCtx, h, mainPath, modName, opts, ready)
	select {
	case err := <-ready:
		if err != nil {
			<-iso.done
			return nil, err
		}
	case <-ctx.Done():
		cancel(ctx.Err())
		<-iso.done
		return nil, ctx.Err()
	}
	e.isolates.add(iso)
	return iso, nil
}

// Warnings are what the isolate's start said about the Worker's set-up.
func (iso *Isolate) Warnings() []string { return iso.warnings }

// Done is closed when the isolate has ended; Err then says why.
func (iso *Isolate) Done() <-chan struct{} { return iso.done }

// Err is why the isolate ended (nil while it runs, or after Close).
func (iso *Isolate) Err() error {
	select {
	case <-iso.done:
		return iso.err
	default:
		return nil
	}
}

// Close stops the isolate after the requests in flight are answered (or
// the wall-clock limit stops them) and waits for it to end.
func (iso *Isolate) Close() {
	iso.mu.Lock()
	already := iso.closed
	iso.closed = true
	iso.mu.Unlock()
	if !already {
		iso.post(func() { iso.stopping = true })
	}
	select {
	case <-iso.done:
	case <-time.After(iso.limits.WallClock + time.Second):
		iso.cancel(ErrIsolateStopped)
		<-iso.done
	}
	iso.e.isolates.remove(iso)
}

// Fetch sends one request to the Worker's fetch handler and waits for its
// response. A request still unanswered after the wall-clock limit stops
// the isolate (its other requests fail too), as Cloudflare's runtime ends
// an isolate that exceeds its limits; start a new one to go on.
func (iso *Isolate) Fetch(ctx context.Context, req HTTPRequest) (*RunResult, error) {
	if err := normaliseRequest(&req); err != nil {
		return nil, err
	}
	iso.mu.Lock()
	closed := iso.closed
	iso.mu.Unlock()
	if closed {
		return nil, ErrIsolateStopped
	}
	return iso.submit(ctx, &isolateRequest{req: req, start: time.Now(), reply: make(chan *RunResult, 1)})
}

// RunClass runs a call into a class of the isolate's Worker (a Durable
// Object's alarm, an RPC method) in the isolate, on the live instance the
// isolate's own requests use; a call for another Worker runs in the
// engine. It has the signature of Engine.RunClass.
func (iso *Isolate) RunClass(ctx context.Context, spec WorkerSpec, call ClassCall) (*RunResult, error) {
	if !iso.serves(spec) {
		return iso.e.RunClass(ctx, spec, call)
	}
	if call.Method == "" {
		return nil, fmt.Errorf("no method to call on %s", classLabel(call.Class))
	}
	if call.Method == "fetch" {
		if err := normaliseRequest(call.Request); err != nil {
			return nil, err
		}
	}
	iso.mu.Lock()
	closed := iso.closed
	iso.mu.Unlock()
	if closed {
		return nil, ErrIsolateStopped
	}
	return iso.submit(ctx, &isolateRequest{call: &call, start: time.Now(), reply: make(chan *RunResult, 1)})
}

// RunScheduled calls the Worker's scheduled handler in the isolate (a
// spec of another Worker runs in the engine).
func (iso *Isolate) RunScheduled(ctx context.Context, spec WorkerSpec, cron string, scheduledTime time.Time) (*RunResult, error) {
	if !iso.serves(spec) {
		return iso.e.RunScheduled(ctx, spec, cron, scheduledTime)
	}
	if scheduledTime.IsZero() {
		scheduledTime = time.Now()
	}
	return iso.submitEvent(ctx, "scheduled", func(w *pyodide.World) (Value, error) {
		return scheduledController(w, cron, scheduledTime), nil
	})
}

// RunQueue calls the Worker's queue handler in the isolate with the batch
// makeBatch builds (a spec of another Worker runs in the engine).
func (iso *Isolate) RunQueue(ctx context.Context, spec WorkerSpec, makeBatch func(r *Realm) (Value, error)) (*RunResult, error) {
	if !iso.serves(spec) {
		return iso.e.RunQueue(ctx, spec, makeBatch)
	}
	return iso.submitEvent(ctx, "queue", func(w *pyodide.World) (Value, error) { return makeBatch(&Realm{w: w}) })
}

func (iso *Isolate) serves(spec WorkerSpec) bool {
	return spec.ProjectDir == iso.spec.ProjectDir && spec.Main == iso.spec.Main && spec.Env == iso.spec.Env
}

func (iso *Isolate) submitEvent(ctx context.Context, kind string, makeArg func(w *pyodide.World) (Value, error)) (*RunResult, error) {
	iso.mu.Lock()
	closed := iso.closed
	iso.mu.Unlock()
	if closed {
		return nil, ErrIsolateStopped
	}
	return iso.submit(ctx, &isolateRequest{event: kind, makeArg: makeArg, start: time.Now(), reply: make(chan *RunResult, 1)})
}

// submit hands r to the isolate's loop and waits for its answer.
func (iso *Isolate) submit(ctx context.Context, r *isolateRequest) (*RunResult, error) {
	iso.post(func() { iso.begin(r) })
	limit := time.NewTimer(iso.limits.WallClock)
	defer limit.Stop()
	select {
	case res := <-r.reply:
		return res, nil
	case <-iso.done:
		select {
		case res := <-r.reply:
			return res, nil
		default:
		}
		return nil, fmt.Errorf("%w: %v", ErrIsolateStopped, iso.err)
	case <-limit.C:
		iso.cancel(&limitError{iso.limits.WallClock})
		<-iso.done
		select {
		case res := <-r.reply:
			return res, nil
		default: // the request never reached the handler
			re := &RunError{Kind: "timeout", Message: (&limitError{iso.limits.WallClock}).Error()}
			return &RunResult{Status: 500, StatusText: "Internal Server Error", Headers: []Header{{"content-type", "text/plain;charset=UTF-8"}},
				Body: []byte("Error: " + re.Message), Error: re, Duration: time.Since(r.start)}, nil
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// limitError is the cause of an isolate stopped because a request ran past
// the wall-clock limit.
type limitError struct{ limit time.Duration }

func (l *limitError) Error() string {
	return fmt.Sprintf("the Worker exceeded its wall-clock limit of %s and was stopped", l.limit)
}

// serve is the isolate's goroutine.
func (iso *Isolate) serve(isoCtx context.Context, h *pyodide.Host, mainPath, modName string, opts IsolateOptions, ready chan<- error) {
	e, spec := iso.e, iso.spec
	started := false
	defer close(iso.done)
	e.runMu.Lock()
	defer e.runMu.Unlock()
	fail := func(err error) {
		if !started {
			ready <- err
		}
		iso.err = err
	}

	flags := CompatFlags(spec.CompatibilityDate, spec.CompatibilityFlags)
	sdk := findSDK(spec, e.art)
	iso.warnings = runWarnings(spec, flags, sdk)
	sdkSnap := sync.OnceValues(func() (*pyodide.Snapshot, error) { return e.snapshotFor(isoCtx, h, sdk) })
	var snap *pyodide.Snapshot
	d, fresh, why := e.dedicatedFor(isoCtx, h, spec, flags, sdk, sdkSnap, mainPath, modName, iso.limits)
	if d != nil {
		snap = d.snap
		if fresh {
			for _, l := range d.logs {
				opts.OnOutput(l.Stream, l.Text)
			}
		}
	} else {
		if why != "" && !strings.HasPrefix(why, topLevelRaised) {
			iso.warnings = append(iso.warnings, "no snapshot after the top level: "+why+"; the isolate imports the Worker when it starts")
		}
		var err error
		if snap, err = sdkSnap(); err != nil {
			var se *pyodide.SetupError
			if errors.As(err, &se) {
				err = &RunError{Kind: "setup", Message: "importing the workers SDK from " + sdk.dir + " failed", Traceback: se.Traceback}
			}
			fail(err)
			return
		}
	}

	// Output until the isolate is ready is also kept: a top level that
	// raises reports its traceback as the start's error.
	var setupOut strings.Builder
	onOutput := func(stream, line string) {
		if !started && setupOut.Len() < 64<<10 {
			setupOut.WriteString(line + "\n")
		}
		opts.OnOutput(stream, line)
	}
	ri := &runInfo{engine: e, host: h, spec: spec, log: onOutput}
	runCtx := context.WithValue(isoCtx, runKey{}, ri)
	ri.ctx = runCtx
	w := buildWorld(runSetup{run: ri, spec: spec, flags: flags, bindings: e.opts.Bindings,
		console: func(level, line string) { onOutput("console."+level, line) }})
	hostMod := w.Roots.Get("_pyworkers_host").(*Object)
	hostMod.Set("kind", "serve")
	hostMod.Set("main", modName)
	ri.finish = func(Value) {}
	fs := e.workerFS(h, sdk, spec, mainPath)
	inst, err := h.Restore(runCtx, snap, w, fs, iso.limits.Memory)
	if err != nil {
		if e.staleDedicated(d, err) { // forgotten: the next start takes a new one
			err = fmt.Errorf("%w (the Worker's snapshot was stale and is dropped: the next request starts afresh)", err)
		}
		fail(err)
		return
	}
	defer inst.Close()
	inst.OnOutput = onOutput
	iso.w, iso.inst = w, inst
	post, closeSource := w.Loop.OpenSource()
	iso.post = post

	err = inst.Protect(func() {
		if !inst.RunPython("import _pyworkers_runner\n_pyworkers_runner.serve_start()\n") {
			inst.FlushOutput()
			panic(&RunError{Kind: "exception", Message: "the Worker's top level raised", Traceback: strings.TrimSpace(setupOut.String())})
		}
		e.savePycache(fs, spec) // what the import compiled
		started = true
		ready <- nil
		// While the loop waits for work, other runs of the engine go on;
		// it first drops the JS handles Python no longer holds.
		w.Loop.BeforeWait = func() {
			iso.sweep()
			e.runMu.Unlock()
		}
		w.Loop.AfterWait = e.runMu.Lock
		derr := inst.Drive(runCtx, func() bool {
			iso.poll()
			// Under load the loop may never wait: sweep here too, and let
			// the engine's other runs (queue batches, crons) have the lock
			// now and then.
			iso.sweep()
			if time.Since(iso.yielded) > yieldEvery {
				e.runMu.Unlock()
				e.runMu.Lock()
				iso.yielded = time.Now()
			}
			if iso.stopping {
				closeSource()
				return len(iso.inflight) == 0
			}
			return false
		})
		w.Loop.BeforeWait, w.Loop.AfterWait = nil, nil
		if derr != nil {
			panic(derr)
		}
	})
	inst.FlushOutput()
	if err != nil {
		var re *RunError
		if !errors.As(err, &re) {
			re = iso.classify(err, runCtx)
		}
		fail(re)
		for _, r := range iso.inflight {
			iso.answer(r, &RunResult{Status: 500, StatusText: "Internal Server Error",
				Headers: []Header{{"content-type", "text/plain;charset=UTF-8"}}, Body: []byte("Error: " + re.Message), Error: re})
		}
		iso.inflight = nil
	}
}

// yieldEvery: how long a busy isolate holds the run lock before it lets a
// waiting run of the engine go first (Go's mutex hands a lock to a waiter
// that has waited over a millisecond).
const yieldEvery = 10 * time.Millisecond

// sweepEvery: the isolate sweeps its handles when this many were added
// since the last sweep (about a hundred requests' worth).
const sweepEvery = 2048

// sweep frees the handles Python dropped, between tasks (isolate goroutine).
func (iso *Isolate) sweep() {
	if n := iso.w.Handles(); n >= iso.sweptAt+sweepEvery {
		iso.inst.SweepBetweenTasks()
		iso.sweptAt = iso.w.Handles()
	}
}

// classify says why the isolate's loop stopped.
func (iso *Isolate) classify(err error, runCtx context.Context) *RunError {
	var le *limitError
	if cause := context.Cause(runCtx); errors.As(cause, &le) {
		return &RunError{Kind: "timeout", Message: le.Error()}
	} else if errors.Is(cause, ErrIsolateStopped) {
		return &RunError{Kind: "canceled", Message: "the isolate was stopped"}
	}
	return classify(err, runCtx, iso.inst, iso.limits)
}

// begin hands a request to the runner (on the isolate's goroutine).
func (iso *Isolate) begin(r *isolateRequest) {
	w := iso.w
	entry := "serve"
	var call *Object
	switch {
	case r.call != nil:
		entry = "dispatch"
		obj, err := classCallObject(w, *r.call, nil)
		if err != nil {
			iso.answer(r, &RunResult{Error: &RunError{Kind: "setup", Message: err.Error()}})
			return
		}
		call = obj
	case r.event != "":
		entry = "serveEvent"
		arg, err := r.makeArg(w)
		if err != nil {
			iso.answer(r, &RunResult{Error: &RunError{Kind: "setup", Message: err.Error()}})
			return
		}
		call = w.NewObjectFrom("kind", r.event, "arg", arg, "ctx", newExecutionContext(w))
	default:
		call = w.NewObjectFrom("request", fetchRequestObject(w, r.req), "ctx", newExecutionContext(w))
	}
	w.Method(call, "resolve", func(_ Value, a []Value) Value {
		if !r.settled {
			r.settled, r.response = true, js.Arg(a, 0)
		}
		return Undefined
	})
	w.Method(call, "reject", func(_ Value, a []Value) Value {
		if !r.settled {
			r.settled, r.failed = true, true
			r.excType, r.message, r.trace = js.ToString(js.Arg(a, 0)), js.ToString(js.Arg(a, 1)), js.ToString(js.Arg(a, 2))
		}
		return Undefined
	})
	iso.inflight = append(iso.inflight, r)
	fn := w.Roots.Get("_pyworkers_host").(*Object).Get(entry)
	if th := w.Catch(func() { w.Call(fn, Undefined, call) }); th != nil {
		r.settled, r.failed = true, true
		r.excType, r.message = "JsException", js.DescribeError(th.Value)
	}
}

// poll answers the requests whose handlers have settled (and whose
// streamed bodies have been read).
func (iso *Isolate) poll() {
	keep := iso.inflight[:0]
	for _, r := range iso.inflight {
		if !iso.progress(r) {
			keep = append(keep, r)
		}
	}
	clear(iso.inflight[len(keep):])
	iso.inflight = keep
}

// progress moves one request on; true when it has been answered.
func (iso *Isolate) progress(r *isolateRequest) bool {
	if !r.settled {
		return false
	}
	res := &RunResult{}
	plan := runPlan{kind: "fetch"}
	switch {
	case r.call != nil:
		plan = runPlan{kind: "call", fetchCall: r.call.Method == "fetch"}
	case r.event != "":
		plan = runPlan{kind: r.event}
	}
	if r.failed {
		out := &outcome{excType: r.excType, message: r.message, trace: r.trace}
		failedResult(res, out, iso.inst.MemLimitHit, iso.limits, plan)
		iso.answer(r, res)
		return true
	}
	if r.event != "" {
		iso.answer(r, res)
		return true
	}
	if r.call != nil && !plan.fetchCall {
		res.Value = (&Realm{w: iso.w}).ToGo(r.response)
		iso.answer(r, res)
		return true
	}
	ro, _ := r.response.(*Object)
	resp, ok := hostOf[*webapi.Response](ro)
	if !ok {
		return iso.answerRaised(r, "TypeError", "the fetch handler's result is not a Response")
	}
	if r.body == nil && !resp.Body.Null && resp.Body.Stream != nil {
		r.body = iso.w.ReadAll(resp.Body)
	}
	if r.body != nil {
		switch r.body.Promise.Status {
		case js.PromisePending:
			return false
		case js.PromiseRejected:
			return iso.answerRaised(r, "JsException", "reading the response body failed: "+js.DescribeError(r.body.Promise.Value))
		}
		resp.Body = &webapi.Body{Data: r.body.Promise.Value.(*Object).Bytes()}
	}
	responseResult(res, resp)
	if ws := webapi.WebSocketOfResponse(resp); ws != nil && res.Status == 101 {
		res.WebSocket = bridgeWebSocket(iso.w, ws, iso.post, iso.done)
	}
	iso.answer(r, res)
	return true
}

func (iso *Isolate) answerRaised(r *isolateRequest, excType, message string) bool {
	res := &RunResult{}
	failedResult(res, &outcome{excType: excType, message: message}, false, iso.limits, runPlan{kind: "fetch"})
	iso.answer(r, res)
	return true
}

func (iso *Isolate) answer(r *isolateRequest, res *RunResult) {
	res.Duration = time.Since(r.start)
	if iso.inst != nil && iso.inst.SocketTried != "" && !iso.socketWarned {
		iso.socketWarned = true
		res.Warnings = append(res.Warnings, socketWarning(iso.inst.SocketTried))
	}
	r.reply <- res
}

// isolateSet tracks an engine's isolates so Close can stop them first.
type isolateSet struct {
	mu  sync.Mutex
	set map[*Isolate]bool
}

func (s *isolateSet) add(iso *Isolate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set == nil {
		s.set = map[*Isolate]bool{}
	}
	s.set[iso] = true
}

func (s *isolateSet) remove(iso *Isolate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.set, iso)
}

func (s *isolateSet) all() []*Isolate {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Isolate
	for iso := range s.set {
		out = append(out, iso)
	}
	return out
}

// IsolateStats describe an isolate's resources, for leak checks and the
// dev server's benchmarks.
type IsolateStats struct {
	WasmMemory uint64 // bytes of the interpreter's linear memory
	Handles    int    // JS values the interpreter holds handles to
	Inflight   int    // requests being answered
}

// Stats reads the isolate's resources on its own goroutine.
func (iso *Isolate) Stats(ctx context.Context) (IsolateStats, error) {
	ch := make(chan IsolateStats, 1)
	iso.post(func() {
		ch <- IsolateStats{WasmMemory: uint64(iso.inst.MemorySize()), Handles: iso.w.Handles(), Inflight: len(iso.inflight)}
	})
	select {
	case s := <-ch:
		return s, nil
	case <-iso.done:
		return IsolateStats{}, ErrIsolateStopped
	case <-ctx.Done():
		return IsolateStats{}, ctx.Err()
	}
}
