package runtime

// Handler kinds beyond fetch and scheduled: the queue handler, calls into
// classes of the Worker (Durable Objects, Workflows, named entrypoints), and
// runs started by a binding while another run is going on (service bindings).
// Package runtime/actors builds the stateful parts on these.

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/webapi"
)

// maxNestedRuns bounds Worker→Worker calls (A calls B calls A ...).
const maxNestedRuns = 8

// runInfo is what a run's bindings may ask about the run.
type runInfo struct {
	engine *Engine
	host   *pyodide.Host
	spec   WorkerSpec
	ctx    context.Context // the run's context (deadline; marks nested runs)
	depth  int             // 0 for a run the caller started
	log    func(stream, line string)
	finish func(v Value)  // settles the run's main call (FinishRun)
	locals map[string]any // Realm.Local
}

type runKey struct{}

// runOf is the run w serves, nil outside runs.
func runOf(w *pyodide.World) *runInfo {
	ri, _ := w.Run.(*runInfo)
	return ri
}

func runFrom(ctx context.Context) *runInfo {
	ri, _ := ctx.Value(runKey{}).(*runInfo)
	return ri
}

func hostOf[T any](o *Object) (T, bool) {
	var zero T
	if o == nil {
		return zero, false
	}
	t, ok := o.Host.(T)
	return t, ok
}

// RunQueue calls the Worker's queue(batch) handler. makeBatch builds the
// batch object in the run's realm (package actors: messages with ack/retry
// that record the consumer's decisions).
func (e *Engine) RunQueue(ctx context.Context, spec WorkerSpec, makeBatch func(r *Realm) (Value, error)) (*RunResult, error) {
	var setupErr error
	res, err := e.run(ctx, spec, runPlan{kind: "queue", makeController: func(w *pyodide.World) Value {
		b, err := makeBatch(&Realm{w: w})
		if err != nil {
			setupErr = err
			return Undefined
		}
		return b
	}})
	if err == nil && setupErr != nil {
		return nil, setupErr
	}
	return res, err
}

// ClassCall is a call into a class of the Worker's main module: a Durable
// Object's fetch/alarm/RPC method, a Workflow's run, or an RPC method of a
// named entrypoint. The class is constructed with (ctx, env) once per Key
// per run (each run starts from a fresh interpreter, so in-memory fields of
// an instance last one run).
type ClassCall struct {
	Class  string // class name in the main module; "" = Default
	Key    string // instance identity within a run; "" = Class
	Method string // "fetch" (takes Request), "alarm", "run", or any public method
	// Request is the argument of a fetch call.
	Request *HTTPRequest
	// Args are an RPC method's arguments as JSON-like Go data; they reach
	// Python converted as over Workers RPC (dicts, lists, str, ...).
	Args []any
	// Setup, when set, runs in the run's realm before the call and returns
	// the constructor's ctx (nil = the run's ExecutionContext) and, when
	// non-nil, raw JS arguments that replace Args and are passed unconverted
	// (a Workflow's event and step, which the SDK wraps itself).
	Setup func(r *Realm) (ctx Value, rawArgs []Value, err error)
}

// RunClass runs one ClassCall in a fresh interpreter. A fetch method's
// Response fills Status/Headers/Body (an exception gives a 500 as for the
// fetch handler); any other method's return value is RunResult.Value.
func (e *Engine) RunClass(ctx context.Context, spec WorkerSpec, call ClassCall) (*RunResult, error) {
	if call.Method == "" {
		return nil, fmt.Errorf("no method to call on %s", classLabel(call.Class))
	}
	if call.Method == "fetch" {
		if err := normaliseRequest(call.Request); err != nil {
			return nil, err
		}
	}
	return e.run(ctx, spec, runPlan{kind: "call", fetchCall: call.Method == "fetch", makeCall: func(w *pyodide.World) (Value, error) {
		return classCallObject(w, call, nil)
	}})
}

func classLabel(class string) string {
	if class == "" {
		return "the default entrypoint"
	}
	return class
}

func normaliseRequest(req *HTTPRequest) error {
	if req == nil {
		return fmt.Errorf("a fetch call needs a request")
	}
	if req.Method == "" {
		req.Method = "GET"
	}
	if req.URL == "" {
		req.URL = "http://localhost/"
	}
	if u, err := url.Parse(req.URL); err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("request URL %q must be absolute (scheme and host)", req.URL)
	}
	return nil
}

func requestFromHTTP(w *pyodide.World, req HTTPRequest) *Object {
	h := webapi.NewHeaderList()
	for _, kv := range req.Headers {
		h.Add(kv[0], kv[1])
	}
	b := &webapi.Body{Null: true}
	if len(req.Body) > 0 || (req.Method != "GET" && req.Method != "HEAD" && req.Body != nil) {
		b = &webapi.Body{Data: req.Body}
	}
	return w.NewRequestObject(&webapi.Request{Method: strings.ToUpper(req.Method), URL: req.URL, Headers: h, Body: b, CF: Undefined})
}

// classCallObject builds the JS object the runner's _class_call reads.
// jsArgs, when non-nil, are arguments already in this world.
func classCallObject(w *pyodide.World, call ClassCall, jsArgs []Value) (*Object, error) {
	r := &Realm{w: w}
	var ctx Value = Undefined
	raw := false
	if call.Setup != nil {
		c, rawArgs, err := call.Setup(r)
		if err != nil {
			return nil, err
		}
		if c != nil {
			ctx = c
		}
		if rawArgs != nil {
			jsArgs, raw = rawArgs, true
		}
	}
	if jsArgs == nil {
		if call.Method == "fetch" {
			jsArgs = []Value{requestFromHTTP(w, *call.Request)}
		} else {
			for _, a := range call.Args {
				jsArgs = append(jsArgs, r.FromGoOrdered(a))
			}
		}
	}
	key := call.Key
	if key == "" {
		key = "class:" + call.Class
	}
	return w.NewObjectFrom("className", call.Class, "key", key, "method", call.Method,
		"args", w.NewArray(jsArgs...), "ctx", ctx, "raw", raw), nil
}

// ---- Realm: what binding code needs during a run

// Spec is the Worker the run serves.
func (r *Realm) Spec() WorkerSpec {
	if runOf(r.w) == nil {
		return WorkerSpec{}
	}
	return runOf(r.w).spec
}

// Engine is the engine running the run (nil while snapshotting).
func (r *Realm) Engine() *Engine {
	if runOf(r.w) == nil {
		return nil
	}
	return runOf(r.w).engine
}

// Context is the run's context: pass it to Engine.Run* from Defer to start
// a nested run (another Worker) without waiting for this run to end.
func (r *Realm) Context() context.Context {
	if runOf(r.w) == nil {
		return context.Background()
	}
	return runOf(r.w).ctx
}

// CallClass calls into this run's interpreter (a Durable Object of this
// Worker through its stub): the class instance for call.Key is created on
// first use. jsArgs are the JS arguments (nil = call.Args converted). The
// promise settles with the method's JS result, or rejects with an Error
// naming the Python exception.
func (r *Realm) CallClass(call ClassCall, jsArgs []Value) *Object {
	w := r.w
	p := w.NewPromise()
	// Dispatch from a task of its own: the caller may be Python code in the
	// middle of a JS call, and the class call runs Python code too.
	w.Loop.QueueMicrotask(func() {
		obj, err := classCallObject(w, call, jsArgs)
		if err != nil {
			w.RejectPromise(p, w.ErrorValue(err))
			return
		}
		w.Method(obj, "resolve", func(_ Value, a []Value) Value {
			w.ResolvePromise(p, js.Arg(a, 0))
			return Undefined
		})
		w.Method(obj, "reject", func(_ Value, a []Value) Value {
			e := w.NewError("Error", js.ToString(js.Arg(a, 0))+": "+js.ToString(js.Arg(a, 1)))
			e.Set("name", js.ToString(js.Arg(a, 0)))
			if tb := js.ToString(js.Arg(a, 2)); tb != "" {
				e.Set("stack", tb)
			}
			w.RejectPromise(p, e)
			return Undefined
		})
		dispatch := w.Roots.Get("_pyworkers_host").(*Object).Get("dispatch")
		if th := w.Catch(func() { w.Call(dispatch, Undefined, obj) }); th != nil {
			w.RejectPromise(p, th.Value)
		}
	})
	return p
}

// NewPromise returns a pending promise and its resolve and reject functions.
func (r *Realm) NewPromise() (p *Object, resolve, reject func(Value)) {
	w := r.w
	p = w.NewPromise()
	return p, func(v Value) { w.ResolvePromise(p, v) }, func(v Value) { w.RejectPromise(p, v) }
}

// Call calls a JS function (or a Python callable proxy); a throw is returned
// as the thrown value.
func (r *Realm) Call(fn Value, args ...Value) (result Value, thrown Value, ok bool) {
	if th := r.w.Catch(func() { result = r.w.Call(fn, Undefined, args...) }); th != nil {
		return nil, th.Value, false
	}
	return result, nil, true
}

// Await runs onFulfilled or onRejected when v (a promise, a thenable such as
// a Python coroutine's proxy, or a plain value) settles.
func (r *Realm) Await(v Value, onFulfilled, onRejected func(Value)) {
	var p *Object
	if th := r.w.Catch(func() { p = r.w.PromiseResolve(v) }); th != nil {
		onRejected(th.Value)
		return
	}
	r.w.OnSettled(p, onFulfilled, onRejected)
}

// Defer runs fn between the run's tasks (no Python frame is active, so fn
// may start a nested run with Context()) and settles the returned promise
// with fn's result; an error rejects it with a JS Error.
func (r *Realm) Defer(fn func() (Value, error)) *Object {
	w := r.w
	p := w.NewPromise()
	w.Loop.QueueMicrotask(func() {
		var v Value
		var err error
		if th := w.Catch(func() { v, err = fn() }); th != nil {
			w.RejectPromise(p, th.Value)
			return
		}
		if err != nil {
			w.RejectPromise(p, w.ErrorValue(err))
			return
		}
		w.ResolvePromise(p, v)
	})
	return p
}

// After runs fn on the run's loop after d (a timer: the run stays alive).
func (r *Realm) After(d time.Duration, fn func()) {
	r.w.Loop.SetTimer(d, false, fn)
}

// Throw throws a JS error of class ("Error", "TypeError", ...) from a
// Method's Go function.
func (r *Realm) Throw(class, msg string) {
	r.w.ThrowError(class, msg)
}

// ErrorMessage describes a thrown JS value ("TypeError: ...").
func (r *Realm) ErrorMessage(v Value) string { return js.DescribeError(v) }

// ErrorName is the name of a thrown JS error ("" if it has none).
func (r *Realm) ErrorName(v Value) string {
	if o, ok := v.(*Object); ok {
		if n, ok := o.Get("name").(string); ok {
			return n
		}
	}
	return ""
}

// SetDynamic makes o answer reads of properties it does not have with
// get(key) (an RPC stub offers every method name this way); get returns
// ok=false for keys it does not answer.
func (r *Realm) SetDynamic(o *Object, get func(key string) (Value, bool)) {
	o.DynGet = get
}

// Func returns a JS function backed by fn.
func (r *Realm) Func(name string, fn func(args []Value) Value) *Object {
	return r.w.NewFunc(name, func(_ Value, a []Value) Value { return fn(a) })
}

// HTTPRequestOf reads fetch-style arguments (a URL or Request, and an
// init object) as new Request(input, init) would and passes the request,
// body read to the end, to then; the promise settles with then's result.
func (r *Realm) HTTPRequestOf(input, init Value, then func(HTTPRequest) (Value, error)) *Object {
	w := r.w
	var reqObj Value
	if th := w.Catch(func() { reqObj = w.Construct(w.Ctors["Request"], []Value{input, init}) }); th != nil {
		return w.Rejected(th.Value)
	}
	req := w.RequestOf(reqObj)
	out := HTTPRequest{Method: req.Method, URL: req.URL}
	out.Headers = append(out.Headers, req.Headers.Sorted()...)
	p := w.NewPromise()
	finish := func(b []byte) {
		out.Body = b
		v, err := then(out)
		if err != nil {
			w.RejectPromise(p, w.ErrorValue(err))
			return
		}
		w.ResolvePromise(p, v)
	}
	if req.Body == nil || req.Body.Null {
		finish(nil)
		return p
	}
	w.OnSettled(w.ReadAll(req.Body), func(ab Value) {
		var b []byte
		if o, ok := ab.(*Object); ok {
			b = o.Bytes()
		}
		finish(b)
	}, func(e Value) { w.RejectPromise(p, e) })
	return p
}

// ResponseOf builds a JS Response from a run's result (a nested fetch).
func (r *Realm) ResponseOf(res *RunResult) *Object {
	h := webapi.NewHeaderList()
	for _, kv := range res.Headers {
		h.Add(kv.Name, kv.Value)
	}
	b := &webapi.Body{Null: true}
	if res.Body != nil {
		b = &webapi.Body{Data: res.Body}
	}
	return r.w.NewResponseObject(&webapi.Response{Status: res.Status, StatusText: res.StatusText, Headers: h, Body: b})
}

// ClassMethods lists the public methods of a class of the main module ("" =
// Default), importing the module if needed; nil when there is no such class.
func (r *Realm) ClassMethods(class string) ([]string, error) {
	w := r.w
	fn := w.Roots.Get("_pyworkers_host").(*Object).Get("classMethods")
	var names []string
	if th := w.Catch(func() {
		w.Iterate(w.Call(fn, Undefined, class), func(v Value) { names = append(names, js.ToString(v)) })
	}); th != nil {
		return nil, fmt.Errorf("%s", js.DescribeError(th.Value))
	}
	return names, nil
}

// NewIterator returns a JS iterator over items (for an object's @@iterator).
func (r *Realm) NewIterator(items []Value) *Object { return r.w.MakeIterator(items) }

// NewRequest builds a JS Request from an HTTPRequest.
func (r *Realm) NewRequest(req HTTPRequest) *Object {
	if req.Method == "" {
		req.Method = "GET"
	}
	return requestFromHTTP(r.w, req)
}

// Log adds a line to the run's output (RunResult.Logs).
func (r *Realm) Log(stream, line string) {
	if runOf(r.w) != nil && runOf(r.w).log != nil {
		runOf(r.w).log(stream, line)
	}
}

// NewDate returns a JS Date.
func (r *Realm) NewDate(t time.Time) *Object {
	return r.w.Construct(r.w.Ctors["Date"], []Value{float64(t.UnixMilli())}).(*Object)
}

// WaitUntil keeps the run going until p settles, as ctx.waitUntil does.
func (r *Realm) WaitUntil(p *Object) {
	if ctx, ok := r.w.Roots.Get("_pyworkers_host").(*Object).Get("ctx").(*Object); ok {
		if ec, ok := ctx.Host.(*execContext); ok {
			ec.waitUntil = append(ec.waitUntil, p)
		}
	}
}

// FinishRun ends the run's main call now with value v, as if the handler
// had returned it (a Workflow that waits for an event stops this way; the
// suspended Python code is dropped with the interpreter).
func (r *Realm) FinishRun(v Value) {
	if runOf(r.w) != nil && runOf(r.w).finish != nil {
		runOf(r.w).finish(v)
	}
}

// Local is a value kept for the life of this run's interpreter (an
// isolate's: many requests), made by make on first use: state binding
// code shares across calls, such as a Durable Object's hibernatable
// WebSockets.
func (r *Realm) Local(key string, make func() any) any {
	ri := runOf(r.w)
	if ri == nil {
		return make()
	}
	if ri.locals == nil {
		ri.locals = map[string]any{}
	}
	v, ok := ri.locals[key]
	if !ok {
		v = make()
		ri.locals[key] = v
	}
	return v
}

// Evict drops the instance of a class the interpreter keeps for key (a
// Durable Object that hibernates): the next call constructs it again.
func (r *Realm) Evict(key string) {
	if fn := r.w.Roots.Get("_pyworkers_host").(*Object).Get("evict"); fn != nil && fn != Undefined {
		r.w.Catch(func() { r.w.Call(fn, Undefined, key) })
	}
}
