package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/memfs"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/packages"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/webapi"
)

// WorkerSpec is everything a run needs to know about a Worker, as plain data.
type WorkerSpec struct {
	Name               string            // the wrangler `name` (service bindings find Workers by it)
	Env                string            // the environment ("" = top level); local state is kept per environment
	ConfigPath         string            // the wrangler config the spec was read from ("" when built by hand)
	ProjectDir         string            // folder of the wrangler config (python_modules/ lives here)
	Main               string            // main module path, relative to ProjectDir or absolute
	CompatibilityDate  string            // "2025-10-01"
	CompatibilityFlags []string          // e.g. ["python_workers"]
	Vars               map[string]any    // `vars` (strings or JSON values)
	Secrets            map[string]string // .dev.vars
	Bindings           []Binding         // other bindings (names and kinds)
	QueueConsumers     []QueueConsumer   // queues.consumers: the queues this Worker's queue handler reads
	Assets             *AssetsConfig     // nil without an assets block with a directory
	Limits             Limits
	AllowNet           bool // allow outbound fetch through net/http
	// RealTime makes the platform's own timers take their real time, as
	// the dev server needs: a Workflow's step.sleep waits, waitForEvent
	// times out. Off (`run`, the lenses), sleeps complete at once.
	RealTime bool
	// HibernateAfter is how long a Durable Object whose WebSockets were all
	// accepted with ctx.acceptWebSocket may sit idle before it hibernates
	// (its instance is dropped; the next message constructs it again).
	// Only with RealTime; 0 = Cloudflare's 10 s.
	HibernateAfter time.Duration
	// SDK chooses the `workers` SDK when the project vendors none: ""
	// is Cloudflare's workers-runtime-sdk shipped with the runtime
	// artifacts (the built-in one when they lack it), "builtin" the
	// runtime's own re-implementation of the older runtime-bundled SDK.
	SDK string
}

// AssetsConfig is the Worker's `assets` block (package runtime/assets
// serves it).
type AssetsConfig struct {
	Directory        string // absolute
	Binding          string // the Fetcher's env name ("" = none)
	HTMLHandling     string // "" = auto-trailing-slash
	NotFoundHandling string // "" = none
	// RunWorkerFirst sends every request to the Worker first; else the
	// RunWorkerFirstRoutes patterns ("/api/*", "!/api/docs/*") that do.
	RunWorkerFirst       bool
	RunWorkerFirstRoutes []string
}

// QueueConsumer is one queues.consumers entry of the wrangler config.
type QueueConsumer struct {
	Queue           string
	MaxBatchSize    int    // max_batch_size; 0 = the default (10)
	MaxRetries      int    // max_retries; -1 = not set (the default, 3)
	DeadLetterQueue string // dead_letter_queue; "" = drop after the last retry
	// MaxBatchTimeout is max_batch_timeout: how long a batch may wait to
	// fill before it is delivered; 0 = not set (the default, 5 s).
	MaxBatchTimeout time.Duration
}

// Limits bound one run.
type Limits struct {
	WallClock time.Duration // default 30 s
	Memory    uint64        // bytes of wasm memory; default 256 MiB
}

const (
	DefaultWallClock = 30 * time.Second
	DefaultMemory    = 256 << 20
)

// HTTPRequest is the request handed to a fetch handler.
type HTTPRequest struct {
	Method  string      // default GET
	URL     string      // full URL as sent, e.g. "http://localhost:8787/path?q=1"
	Headers [][2]string // in order; names are lower-cased for the handler
	Body    []byte
}

// Header is one response header.
type Header struct{ Name, Value string }

// LogLine is one line of handler output.
type LogLine struct {
	Stream string // "stdout", "stderr" (Python print/tracebacks) or "console.log", "console.error", ...
	Text   string
}

// RunError describes why a run did not produce a normal result.
type RunError struct {
	Kind      string // "exception", "timeout", "memory", "exit", "stalled", "setup", "canceled", "internal"
	Type      string // Python exception class for "exception"
	Message   string
	Traceback string
}

func (e *RunError) Error() string {
	if e.Type != "" {
		return e.Type + ": " + e.Message
	}
	return e.Message
}

// RunResult is the outcome of one handler call. Status is 0 when the run
// produced no response (limit hit, setup failure, scheduled handler).
type RunResult struct {
	Status     int
	StatusText string
	Headers    []Header
	Body       []byte
	Logs       []LogLine
	Warnings   []string
	Duration   time.Duration
	Error      *RunError
	// Value is what a class call (RunClass) returned, as JSON-like Go data
	// (nil, bool, float64, string, []any, map[string]any, []byte).
	Value any
	// WebSocket is set on a 101 response from an isolate (the dev server):
	// the accepted socket, to bridge to the client's connection.
	WebSocket *WebSocketConn
}

// EngineOptions configure an Engine; zero values pick the defaults.
type EngineOptions struct {
	ArtifactsDir    string // default DefaultArtifactsDir()
	CompileCacheDir string // default DefaultCompileCacheDir(); "-" disables the cache
	Logger          *slog.Logger
	Bindings        []BindingFactory // Go implementations of bindings, tried in order
	// NoDedicatedSnapshots makes every run import the Worker (no snapshot
	// after its top level; also env PYWORKERS_NO_DEDICATED_SNAPSHOTS=1).
	NoDedicatedSnapshots bool
	// NoBytecodeCache leaves out the bytecode cache (bytecode_cache.go):
	// every import compiles from source.
	NoBytecodeCache bool
	// Pyodide's own packages (pyodide_packages.go): where they come from
	// (default env PYWORKERS_PACKAGES_URL, else Pyodide's CDN), the cache
	// (default DefaultPackagesCacheDir()), the lock (default the artifacts'
	// pyodide-lock.json) and who hears about downloads.
	PackagesURL       string
	PackagesCacheDir  string
	PackageLock       string
	OnPackageProgress func(msg string)
}

// Engine runs Python Workers in the embedded Pyodide. One per process; safe
// for concurrent use (runs are serialised).
type Engine struct {
	opts EngineOptions
	log  *slog.Logger

	warmMu   sync.Mutex
	warming  chan struct{} // closed when the current warm-up finishes
	host     *pyodide.Host
	warmErr  error
	progress []func(string, int)

	runMu sync.Mutex // one run at a time
	snaps map[string]*pyodide.Snapshot
	// dedicated: snapshots taken after a Worker's top level ran (dedicated.go).
	dedicated *dedicatedCache
	stamps    treeStamps        // of the Worker's folders, kept while watched (tree_stamp.go)
	snapKeys  map[string]string // snapshotKey by sdkSource.key()
	art       *pyodide.Artifacts
	snapDir   string // where snapshots persist across processes ("" = nowhere)

	pkgOnce   sync.Once
	pkgs      *packages.Installer
	pkgErr    error
	pkgSource atomic.Pointer[string] // SetPackagesURL's, over PackagesURL

	isolates      isolateSet                                // running isolates (isolate.go), stopped by Close
	isolateLookup atomic.Pointer[func(WorkerSpec) *Isolate] // SetIsolates
}

// NewEngine returns an engine; nothing is loaded until Warm or a run.
func NewEngine(opts EngineOptions) *Engine {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return &Engine{opts: opts, log: log, snaps: map[string]*pyodide.Snapshot{}, dedicated: newDedicatedCache(), snapKeys: map[string]string{}}
}

var (
	defaultEngineOnce sync.Once
	defaultEngine     *Engine
)

// Default is the process-wide engine.
func Default() *Engine {
	defaultEngineOnce.Do(func() { defaultEngine = NewEngine(EngineOptions{}) })
	return defaultEngine
}

// Warm loads the process-wide engine (see Engine.Warm).
func Warm(ctx context.Context, progress func(msg string, pct int)) error {
	return Default().Warm(ctx, progress)
}

// Warm compiles Pyodide (about 13 s the first time, then from the cache) and
// boots the interpreter, reporting progress. Concurrent callers share one
// warm-up; after a failure the next call tries again. Safe to run in a
// goroutine while other work continues.
func (e *Engine) Warm(ctx context.Context, progress func(msg string, pct int)) error {
	e.warmMu.Lock()
	if e.host != nil {
		e.warmMu.Unlock()
		if progress != nil {
			progress("Python runtime ready", 100)
		}
		return nil
	}
	if progress != nil {
		e.progress = append(e.progress, progress)
	}
	ch := e.warming
	if ch == nil {
		ch = make(chan struct{})
		e.warming = ch
		go e.warmUp(ch)
	}
	e.warmMu.Unlock()
	select {
	case <-ch:
	case <-ctx.Done():
		return ctx.Err()
	}
	e.warmMu.Lock()
	defer e.warmMu.Unlock()
	if e.host != nil {
		return nil
	}
	return e.warmErr
}

func (e *Engine) report(msg string, pct int) {
	e.warmMu.Lock()
	ps := append([]func(string, int){}, e.progress...)
	e.warmMu.Unlock()
	for _, p := range ps {
		p(msg, pct)
	}
	e.log.Info("runtime warm-up", "step", msg, "pct", pct)
}

func (e *Engine) warmUp(done chan struct{}) {
	ctx := context.Background()
	h, err := e.buildHost(ctx)
	e.warmMu.Lock()
	e.host, e.warmErr = h, err
	e.warming = nil
	e.progress = nil
	e.warmMu.Unlock()
	close(done)
}

func (e *Engine) buildHost(ctx context.Context) (h *pyodide.Host, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pyworkers runtime: warm-up failed: %v", r)
		}
	}()
	art, err := FindArtifacts(e.opts.ArtifactsDir)
	if err != nil {
		return nil, err
	}
	e.art = art
	cacheDir := e.opts.CompileCacheDir
	if cacheDir == "" {
		cacheDir = DefaultCompileCacheDir()
	} else if cacheDir == "-" {
		cacheDir = ""
	}
	if cacheDir != "" && dirEmpty(cacheDir) {
		e.report("compiling the Python runtime (first start only, about 30 s)", 5)
	} else {
		e.report("loading the Python runtime", 5)
	}
	if cacheDir != "" {
		e.snapDir = filepath.Join(cacheDir, "pyworkers-snapshots")
	}
	unlock := pyodide.LockCacheDir(cacheDir)
	defer unlock()
	t := time.Now()
	h, err = pyodide.NewHost(ctx, art, cacheDir, hostFiles())
	if err != nil {
		return nil, err
	}
	// A large side module's first compile (the runtime's _ssl: 2.9 MB) is
	// reported where package installs are.
	h.Progress = func(msg string) {
		e.log.Info(msg)
		if e.opts.OnPackageProgress != nil {
			e.opts.OnPackageProgress(msg)
		}
	}
	e.log.Info("pyodide module ready", "took", time.Since(t))
	e.report("starting the Python interpreter", 60)
	e.runMu.Lock()
	defer e.runMu.Unlock()
	clear(e.snapKeys) // the keys name this host's artifacts
	// The SDK a Worker without its own gets (the artifacts' real one, else
	// the built-in one): what most runs restore.
	if _, err := e.snapshotFor(ctx, h, findSDK(WorkerSpec{}, e.art)); err != nil {
		h.Close(ctx)
		return nil, err
	}
	e.report("Python runtime ready", 100)
	return h, nil
}

func dirEmpty(dir string) bool {
	ents, err := os.ReadDir(dir)
	return err != nil || len(ents) == 0
}

// Close releases the runtime after the run in progress, if any, finishes.
func (e *Engine) Close() {
	for _, iso := range e.isolates.all() {
		iso.cancel(ErrIsolateStopped)
		<-iso.done
		e.isolates.remove(iso)
	}
	e.runMu.Lock()
	defer e.runMu.Unlock()
	e.stamps.close()
	e.warmMu.Lock()
	defer e.warmMu.Unlock()
	if e.host != nil {
		e.host.Close(context.Background())
		e.host = nil
	}
}

// ---- SDK selection and snapshots

type sdkSource struct {
	kind   string // "vendored" (the project's), "bundled" (the artifacts' real SDK) or "builtin"
	dir    string // host dir holding the `workers` package
	pkgDir string // host dir of the `workers` package itself
	stamp  string
}

func (s sdkSource) key() string { return s.kind + "|" + s.dir + "|" + s.stamp }

// findSDK picks the project's vendored workers-runtime-sdk, else the one
// shipped with the artifacts (unless the spec asks for the built-in one).
func findSDK(spec WorkerSpec, art *pyodide.Artifacts) sdkSource {
	if s, ok := vendoredSDKOf(spec.ProjectDir); ok {
		return s
	}
	if spec.SDK != "builtin" && art != nil && art.SDK != "" {
		pkg := filepath.Join(art.SDK, "workers")
		return sdkSource{kind: "bundled", dir: art.SDK, pkgDir: pkg, stamp: BundledSDKVersion}
	}
	return sdkSource{kind: "builtin"}
}

// vendoredSDKOf finds the workers package a project vendors.
func vendoredSDKOf(projectDir string) (sdkSource, bool) {
	if projectDir == "" {
		// No project (the engine's warm-up): "" would mean the working
		// directory, and `run` in a folder vendoring the SDK then took a
		// snapshot of it that no run used, in every process.
		return sdkSource{}, false
	}
	candidates := []string{filepath.Join(projectDir, "python_modules")}
	if ms, _ := filepath.Glob(filepath.Join(projectDir, ".venv-workers", "lib", "python3*", "site-packages")); len(ms) > 0 {
		sort.Strings(ms)
		candidates = append(candidates, ms...)
	}
	for _, c := range candidates {
		pkg := filepath.Join(c, "workers")
		if _, err := os.Stat(filepath.Join(pkg, "__init__.py")); err == nil {
			return sdkSource{kind: "vendored", dir: c, pkgDir: pkg, stamp: treeStamp(pkg)}, true
		}
	}
	return sdkSource{}, false
}

// treeStamp summarises names, sizes and mtimes of the .py files below dir.
func treeStamp(dir string) string {
	var b strings.Builder
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".py") {
			return nil
		}
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(&b, "%s:%d:%d;", p, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}

// mountSDK makes a vendored or bundled SDK importable as `workers`.
func mountSDK(fs *memfs.FS, sdk sdkSource) {
	if sdk.kind != "builtin" {
		fs.MountHost(vendoredSDK+"/workers", sdk.pkgDir)
	}
}

const vendoredSDK = "/lib/pyworkers/vendored"

func sdkImportSource(sdk sdkSource) string {
	dir := pyodide.BuiltinSDKDir
	if sdk.kind != "builtin" {
		dir = vendoredSDK
	}
	return "import sys\nsys.path.insert(2, " + pyodide.QuotePy(dir) + ")\nimport workers\n"
}

// snapshotFor returns the snapshot with sdk imported, creating it from the
// base snapshot (interpreter only) when needed. Caller holds runMu.
func (e *Engine) snapshotFor(ctx context.Context, h *pyodide.Host, sdk sdkSource) (*pyodide.Snapshot, error) {
	if s, ok := e.snaps[sdk.key()]; ok {
		return s, nil
	}
	persist := e.snapDir != ""
	var file string
	if persist {
		file = filepath.Join(e.snapDir, e.snapshotKey(sdk)+".snap")
		if sdk.kind == "vendored" {
			// One per project's SDK version (its stamp is in the key), so a
			// fresh `run` that must take the Worker's snapshot does not
			// import the SDK first; the least recently used are removed.
			file = filepath.Join(e.snapDir, "vendored-sdk", e.snapshotKey(sdk)+".snap")
		}
		if s, err := pyodide.ReadSnapshot(file); err == nil && e.usable(s) {
			e.snaps[sdk.key()] = s
			if sdk.kind == "vendored" {
				now := time.Now()
				_ = os.Chtimes(file, now, now)
			}
			return s, nil
		}
	}
	base, ok := e.snaps["base"]
	if !ok && e.snapDir != "" {
		if s, err := pyodide.ReadSnapshot(filepath.Join(e.snapDir, e.snapshotKey(sdkSource{kind: "base"})+".snap")); err == nil && e.usable(s) {
			base, ok = s, true
			e.snaps["base"] = s
		}
	}
	if !ok {
		t := time.Now()
		w := buildWorld(runSetup{flags: CompatFlags("", nil), console: func(string, string) {}})
		inst, err := h.Boot(ctx, w, h.NewFS(), DefaultMemory, "")
		if err != nil {
			return nil, fmt.Errorf("starting Python: %w", err)
		}
		base, err = inst.Capture()
		inst.Close()
		if err != nil {
			return nil, err
		}
		e.snaps["base"] = base
		e.log.Info("interpreter booted", "took", time.Since(t), "memory_mib", len(base.Memory)>>20)
		if e.snapDir != "" {
			if err := pyodide.WriteSnapshot(filepath.Join(e.snapDir, e.snapshotKey(sdkSource{kind: "base"})+".snap"), base); err != nil {
				e.log.Warn("cannot save the interpreter snapshot", "err", err)
			}
		}
	}
	t := time.Now()
	w := buildWorld(runSetup{flags: CompatFlags("", nil), console: func(string, string) {}})
	fs := h.NewFS()
	mountSDK(fs, sdk)
	inst, err := h.Restore(ctx, base, w, fs, DefaultMemory)
	if err != nil {
		return nil, err
	}
	defer inst.Close()
	var snap *pyodide.Snapshot
	err = inst.Protect(func() {
		if !inst.RunPython(sdkImportSource(sdk)) {
			panic(&pyodide.SetupError{Traceback: inst.StderrTail()})
		}
		var cerr error
		if snap, cerr = inst.Capture(); cerr != nil {
			panic(cerr)
		}
	})
	if err != nil {
		return nil, err
	}
	if len(e.snaps) > 8 { // bound memory: drop SDK snapshots, keep the base
		for k := range e.snaps {
			if k != "base" {
				delete(e.snaps, k)
			}
		}
	}
	e.snaps[sdk.key()] = snap
	if persist {
		if err := pyodide.WriteSnapshot(file, snap); err != nil {
			e.log.Warn("cannot save the SDK snapshot", "err", err)
		}
		if sdk.kind == "vendored" {
			pruneDedicated(filepath.Dir(file))
		}
	}
	e.log.Info("SDK snapshot taken", "sdk", sdk.kind, "took", time.Since(t))
	return snap, nil
}

// snapshotKey names the snapshot of sdk for this runtime build. It hashes the
// runtime's files and reads the artifacts' checksums, so it is computed once
// per SDK (every run keys its dedicated snapshot by it). Caller holds runMu.
func (e *Engine) snapshotKey(sdk sdkSource) string {
	k := sdk.key()
	if v, ok := e.snapKeys[k]; ok {
		return v
	}
	if len(e.snapKeys) > 64 {
		clear(e.snapKeys)
	}
	v := pyodide.SnapshotKey(e.art, k, hostFiles())
	e.snapKeys[k] = v
	return v
}

// usable checks a snapshot read from disk: a snapshot written by an older
// build may name JS objects this build lacks. The check recreates them in a
// fresh world, without restoring the interpreter.
func (e *Engine) usable(s *pyodide.Snapshot) bool {
	w := buildWorld(runSetup{flags: CompatFlags("", nil), console: func(string, string) {}})
	if err := s.Materializable(w); err != nil {
		e.log.Info("ignoring a stale interpreter snapshot", "err", err)
		return false
	}
	return true
}

// ---- runs

// RunFetch calls the Worker's fetch handler with req.
func (e *Engine) RunFetch(ctx context.Context, spec WorkerSpec, req HTTPRequest) (*RunResult, error) {
	if req.Method == "" {
		req.Method = "GET"
	}
	if req.URL == "" {
		req.URL = "http://localhost:8787/"
	}
	if u, err := url.Parse(req.URL); err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("request URL %q must be absolute (scheme and host)", req.URL)
	}
	return e.run(ctx, spec, runPlan{kind: "fetch", makeRequest: func(w *pyodide.World) Value { return fetchRequestObject(w, req) }})
}

// fetchRequestObject is the Request a fetch handler receives for req.
func fetchRequestObject(w *pyodide.World, req HTTPRequest) *Object {
	h := webapi.NewHeaderList()
	for _, kv := range req.Headers {
		h.Add(kv[0], kv[1])
	}
	b := &webapi.Body{Null: true}
	if len(req.Body) > 0 || (req.Method != "GET" && req.Method != "HEAD" && req.Body != nil) {
		b = &webapi.Body{Data: req.Body}
		// A client sending a body says its length, and the Worker sees
		// the header (WSGI apps read CONTENT_LENGTH).
		if _, ok := h.Get("content-length"); !ok {
			h.Add("content-length", strconv.Itoa(len(req.Body)))
		}
	}
	return w.NewRequestObject(&webapi.Request{Method: strings.ToUpper(req.Method), URL: req.URL, Headers: h, Body: b, CF: Undefined})
}

// RunScheduled calls the Worker's scheduled handler with a controller
// carrying cron and scheduledTime.
func (e *Engine) RunScheduled(ctx context.Context, spec WorkerSpec, cron string, scheduledTime time.Time) (*RunResult, error) {
	if scheduledTime.IsZero() {
		scheduledTime = time.Now()
	}
	return e.run(ctx, spec, runPlan{kind: "scheduled", makeController: func(w *pyodide.World) Value {
		return scheduledController(w, cron, scheduledTime)
	}})
}

// scheduledController is the controller a scheduled handler receives.
func scheduledController(w *pyodide.World, cron string, scheduledTime time.Time) *Object {
	c := w.NewHostObject("ScheduledController", w.ProtoOf("ScheduledController"), nil)
	c.Set("cron", cron)
	c.Set("scheduledTime", float64(scheduledTime.UnixMilli()))
	w.Method(c, "noRetry", func(Value, []Value) Value { return Undefined })
	return c
}

// runPlan says which handler a run calls and with what.
type runPlan struct {
	kind           string // "fetch", "scheduled", "queue", "call"
	makeRequest    func(*pyodide.World) Value
	makeController func(*pyodide.World) Value
	// makeCall builds the _pyworkers_host.call object of a "call" run.
	makeCall func(*pyodide.World) (Value, error)
	// fetchCall: a "call" run of a fetch method, so a raised exception
	// becomes a 500 response as for the fetch handler.
	fetchCall bool
}

func (e *Engine) run(ctx context.Context, spec WorkerSpec, plan runPlan) (*RunResult, error) {
	if parent := runFrom(ctx); parent != nil {
		// A run started by a binding while another run is going on (a
		// service binding, a Durable Object of another Worker): the outer
		// run holds runMu and waits between its tasks, so this one runs
		// now, on the same goroutine, in its own interpreter.
		if parent.depth >= maxNestedRuns {
			return nil, fmt.Errorf("calls between Workers nested more than %d deep", maxNestedRuns)
		}
		mainPath, modName, err := resolveMain(spec)
		if err != nil {
			return nil, err
		}
		return e.runLocked(ctx, parent.host, spec, plan, mainPath, modName, parent.depth+1)
	}
	h, err := e.warmHost(ctx)
	if err != nil {
		return nil, err
	}
	mainPath, modName, err := resolveMain(spec)
	if err != nil {
		return nil, err
	}
	e.runMu.Lock()
	defer e.runMu.Unlock()
	return e.runLocked(ctx, h, spec, plan, mainPath, modName, 0)
}

// warmHost warms the engine and returns its host.
func (e *Engine) warmHost(ctx context.Context) (*pyodide.Host, error) {
	if err := e.Warm(ctx, nil); err != nil {
		return nil, err
	}
	e.warmMu.Lock()
	h := e.host
	e.warmMu.Unlock()
	if h == nil {
		return nil, errors.New("pyworkers runtime: engine closed")
	}
	return h, nil
}

// resolveMain returns the absolute main path and its module name.
func resolveMain(spec WorkerSpec) (string, string, error) {
	if spec.Main == "" {
		return "", "", errors.New("the Worker has no main module (set `main` in the wrangler config)")
	}
	p := spec.Main
	if !filepath.IsAbs(p) {
		p = filepath.Join(spec.ProjectDir, p)
	}
	if filepath.Ext(p) != ".py" {
		return "", "", fmt.Errorf("main module %s needs to end with a .py file extension", spec.Main)
	}
	if info, err := os.Stat(p); err != nil || info.IsDir() {
		return "", "", fmt.Errorf("main module %s not found", p)
	}
	return p, strings.TrimSuffix(filepath.Base(p), ".py"), nil
}
