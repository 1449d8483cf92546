package runtime

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/memfs"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/webapi"
)

// outcome is what the Python runner reports through _pyworkers_host.
type outcome struct {
	settled  bool
	response Value // the fetch handler's Response, or a class call's result
	excType  string
	message  string
	trace    string
	failed   bool
}

// runLocked runs one handler: prepare the interpreter (SDK snapshot), build
// the run's world, restore the snapshot into it, drive the runner until the
// handler settles, and turn what it returned into a RunResult.
func (e *Engine) runLocked(ctx context.Context, h *pyodide.Host, spec WorkerSpec, plan runPlan, mainPath, modName string, depth int) (*RunResult, error) {
	start := time.Now()
	limits := withDefaults(spec.Limits)
	res := &RunResult{}
	flags := CompatFlags(spec.CompatibilityDate, spec.CompatibilityFlags)
	sdk := findSDK(spec, e.art)
	res.Warnings = append(res.Warnings, runWarnings(spec, flags, sdk)...)
	sdkSnap := sync.OnceValues(func() (*pyodide.Snapshot, error) { return e.snapshotFor(ctx, h, sdk) })

	// Restore the interpreter as it was after the Worker's top level ran,
	// when that could be snapshotted (dedicated.go); else import it below.
	var primeLogs []LogLine
	var snap *pyodide.Snapshot
	d, fresh, why := e.dedicatedFor(ctx, h, spec, flags, sdk, sdkSnap, mainPath, modName, limits)
	if d != nil {
		snap = d.snap
		if fresh {
			primeLogs = d.logs
		}
	} else {
		if why != "" && !strings.HasPrefix(why, topLevelRaised) {
			res.Warnings = append(res.Warnings, "no snapshot after the top level: "+why+"; the Worker is imported on every run")
		}
		var err error
		if snap, err = sdkSnap(); err != nil {
			var se *pyodide.SetupError
			if errors.As(err, &se) {
				res.Error = &RunError{Kind: "setup", Message: "importing the workers SDK from " + sdk.dir + " failed", Traceback: se.Traceback}
				res.Duration = time.Since(start)
				return res, nil
			}
			return nil, err
		}
	}

	logs := &logSink{res: res}
	for _, l := range primeLogs {
		logs.add(l.Stream, l.Text)
	}
	console := func(level, line string) { logs.add("console."+level, line) }
	runCtx, cancel := context.WithTimeout(ctx, limits.WallClock)
	defer cancel()
	ri := &runInfo{engine: e, host: h, spec: spec, depth: depth, log: logs.add}
	runCtx = context.WithValue(runCtx, runKey{}, ri)
	ri.ctx = runCtx
	w := buildWorld(runSetup{run: ri, spec: spec, flags: flags, console: console, bindings: e.opts.Bindings})
	out := &outcome{}
	hostMod := w.Roots.Get("_pyworkers_host").(*Object)
	if err := wireHostModule(w, hostMod, ri, out, plan, modName); err != nil {
		res.Error = &RunError{Kind: "setup", Message: err.Error()}
		res.Duration = time.Since(start)
		return res, nil
	}

	tRestore := time.Now()
	fs := e.workerFS(h, sdk, spec, mainPath)
	defer e.savePycache(fs, spec)
	inst, err := h.Restore(runCtx, snap, w, fs, limits.Memory)
	if err != nil {
		if e.staleDedicated(d, err) {
			cancel()
			return e.runLocked(ctx, h, spec, plan, mainPath, modName, depth) // takes a new one
		}
		return nil, err
	}
	e.log.Debug("restored", "took", time.Since(tRestore))
	defer inst.Close()
	inst.OnOutput = logs.add

	respObj, err := e.driveHandler(runCtx, inst, w, plan.kind, out, res, start)
	if err == nil {
		err = awaitWaitUntil(runCtx, inst, hostMod)
	}
	inst.FlushOutput()
	res.Duration = time.Since(start)
	if inst.SocketTried != "" {
		res.Warnings = append(res.Warnings, socketWarning(inst.SocketTried))
	}

	switch {
	case err != nil:
		res.Error = classify(err, runCtx, inst, limits)
	case out.failed:
		failedResult(res, out, inst.MemLimitHit, limits, plan)
	case respObj != nil:
		resp := w.ResponseOf(respObj)
		responseResult(res, resp)
		if webapi.WebSocketOfResponse(resp) != nil {
			res.Warnings = append(res.Warnings, "the handler accepted a WebSocket (101): a single run cannot hold the connection; connect a client through `pyworkers-lsp dev`")
		}
	}
	return res, nil
}

// socketWarning explains a socket call that failed: the clients that work
// go through fetch (docs/rules/PW010.md).
func socketWarning(call string) string {
	return "the Worker tried to open a network socket (" + call + "), which Python Workers on Pyodide " + pyodide.PyodideVersion +
		" do not have, here or on Cloudflare: send HTTP through fetch (workers.fetch, httpx.AsyncClient, requests, urllib3, or httpx.Client " +
		"from Pyodide's httpx build or after pyodide_httpx.patch_httpx(); PyPI's httpx alone opens sockets)"
}

// withDefaults fills the limits a spec left at zero.
func withDefaults(limits Limits) Limits {
	if limits.WallClock <= 0 {
		limits.WallClock = DefaultWallClock
	}
	if limits.Memory == 0 {
		limits.Memory = DefaultMemory
	}
	return limits
}

// runWarnings are what a run says about the Worker's set-up before it starts.
func runWarnings(spec WorkerSpec, flags map[string]bool, sdk sdkSource) []string {
	var warns []string
	if warn := pythonVersionWarning(spec.CompatibilityDate, flags); warn != "" {
		warns = append(warns, warn)
	}
	if sdk.kind != "vendored" && flags["enable_python_external_sdk"] {
		warns = append(warns, "no workers-runtime-sdk in python_modules/ or .venv-workers: running with the runtime's own copy, "+
			"but from compatibility date 2026-04-21 Cloudflare's runtime fails with \"No module named 'workers'\" (add workers-runtime-sdk to the project)")
	}
	if missing := unvendoredDependencies(spec.ProjectDir); len(missing) > 0 {
		warns = append(warns, "pyproject.toml lists "+strings.Join(missing, ", ")+" but python_modules/ does not have "+
			map[bool]string{true: "it", false: "them"}[len(missing) == 1]+": run `uv run pywrangler sync` to vendor the dependencies")
	}
	return warns
}

// wireHostModule gives the Python runner its side of the run: what to call
// (kind, main module, request/controller/call) and where to report.
func wireHostModule(w *pyodide.World, hostMod *Object, ri *runInfo, out *outcome, plan runPlan, modName string) error {
	w.Method(hostMod, "resolve", func(_ Value, a []Value) Value {
		if out.settled {
			return Undefined
		}
		out.settled = true
		out.response = js.Arg(a, 0)
		return Undefined
	})
	ri.finish = func(v Value) {
		if !out.settled {
			out.settled = true
			out.response = v
		}
	}
	w.Method(hostMod, "reject", func(_ Value, a []Value) Value {
		if out.settled {
			return Undefined
		}
		out.settled, out.failed = true, true
		out.excType, out.message, out.trace = js.ToString(js.Arg(a, 0)), js.ToString(js.Arg(a, 1)), js.ToString(js.Arg(a, 2))
		return Undefined
	})
	hostMod.Set("kind", plan.kind)
	hostMod.Set("main", modName)
	if plan.makeRequest != nil {
		hostMod.Set("request", plan.makeRequest(w))
	}
	if plan.makeController != nil {
		hostMod.Set("controller", plan.makeController(w))
	}
	if plan.makeCall != nil {
		call, err := plan.makeCall(w)
		if err != nil {
			return err
		}
		hostMod.Set("call", call)
	}
	return nil
}

// workerFS is the interpreter's file system for one run: the SDK, the
// Worker's folder and its python_modules, read-only.
func (e *Engine) workerFS(h *pyodide.Host, sdk sdkSource, spec WorkerSpec, mainPath string) *memfs.FS {
	fs := h.NewFS()
	e.mountInstalledPackages(fs)
	mountSDK(fs, sdk)
	fs.MountHost(pyodide.WorkerRoot, filepath.Dir(mainPath))
	if pm := pythonModulesOf(spec.ProjectDir); pm != "" {
		fs.MountHost(pyodide.PythonModulesDir, pm)
	}
	e.mountPycache(fs, spec)
	return fs
}

// driveHandler starts the runner and drives the event loop until the
// handler settles; for a fetch it also reads a streamed body to the end.
// It returns the Response object, if the handler gave one.
func (e *Engine) driveHandler(runCtx context.Context, inst *pyodide.Instance, w *pyodide.World, kind string, out *outcome, res *RunResult, start time.Time) (*Object, error) {
	var respObj *Object
	err := inst.Protect(func() {
		if !inst.RunPython("import _pyworkers_runner\n_pyworkers_runner.start()\n") {
			panic(fmt.Errorf("the runner failed to start: %s", inst.StderrTail()))
		}
		e.log.Debug("started", "at", time.Since(start))
		if derr := inst.Drive(runCtx, func() bool { return out.settled }); derr != nil {
			panic(derr)
		}
		if out.failed {
			return
		}
		ro, _ := out.response.(*Object)
		if _, isResponse := hostOf[*webapi.Response](ro); !isResponse || (kind != "fetch" && kind != "call") {
			if kind == "call" {
				res.Value = (&Realm{w: w}).ToGo(out.response)
			}
			return
		}
		respObj = ro
		r := w.ResponseOf(respObj)
		if !r.Body.Null && (r.Body.Stream != nil) {
			p := w.ReadAll(r.Body)
			if derr := inst.Drive(runCtx, func() bool { return p.Promise.Status != js.PromisePending }); derr != nil {
				panic(derr)
			}
			if p.Promise.Status == js.PromiseRejected {
				panic(&js.Throw{Value: p.Promise.Value})
			}
			r.Body = &webapi.Body{Data: p.Promise.Value.(*Object).Bytes()}
		}
	})
	return respObj, err
}

// awaitWaitUntil lets ctx.waitUntil work finish after the response, within
// the run's limit.
func awaitWaitUntil(runCtx context.Context, inst *pyodide.Instance, hostMod *Object) error {
	ec, ok := hostMod.Get("ctx").(*Object).Host.(*execContext)
	if !ok || len(ec.waitUntil) == 0 {
		return nil
	}
	return inst.Protect(func() {
		_ = inst.Drive(runCtx, func() bool {
			for _, p := range ec.waitUntil {
				if p.Promise.Status == js.PromisePending {
					return false
				}
			}
			return true
		})
	})
}

// failedResult records an exception the handler raised; fetch-like runs
// answer 500 as Cloudflare's runtime does.
func failedResult(res *RunResult, out *outcome, memLimitHit bool, limits Limits, plan runPlan) {
	res.Error = &RunError{Kind: "exception", Type: out.excType, Message: out.message, Traceback: out.trace}
	if memLimitHit && out.excType == "MemoryError" {
		res.Error.Kind = "memory"
		res.Error.Message = fmt.Sprintf("the Worker ran out of memory (limit %d MiB)", limits.Memory>>20)
	}
	if plan.kind == "fetch" || (plan.kind == "call" && plan.fetchCall) {
		res.Status, res.StatusText = 500, "Internal Server Error"
		text := out.trace
		if text == "" {
			text = out.excType + ": " + out.message
		}
		res.Headers = []Header{{"content-type", "text/plain;charset=UTF-8"}}
		res.Body = []byte("Error: PythonError: " + text)
	}
}

// responseResult copies the handler's Response into the result.
func responseResult(res *RunResult, r *webapi.Response) {
	res.Status, res.StatusText = r.Status, r.StatusText
	if res.StatusText == "" {
		res.StatusText = statusText(r.Status)
	}
	for _, kv := range r.Headers.Sorted() {
		res.Headers = append(res.Headers, Header{kv[0], kv[1]})
	}
	res.Body = r.Body.Data
}

// classify turns an interrupted run into a RunError.
func classify(err error, ctx context.Context, inst *pyodide.Instance, limits Limits) *RunError {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &RunError{Kind: "timeout", Message: fmt.Sprintf("the Worker exceeded its wall-clock limit of %s and was stopped", limits.WallClock)}
	case errors.Is(ctx.Err(), context.Canceled):
		return &RunError{Kind: "canceled", Message: "the run was canceled"}
	case inst.MemLimitHit:
		return &RunError{Kind: "memory", Message: fmt.Sprintf("the Worker exceeded its memory limit of %d MiB and was stopped", limits.Memory>>20)}
	case errors.Is(err, pyodide.ErrStalled):
		return &RunError{Kind: "stalled", Message: err.Error()}
	}
	var ex *pyodide.ExitError
	if errors.As(err, &ex) {
		return &RunError{Kind: "exit", Message: fmt.Sprintf("the Worker stopped the interpreter (sys.exit/os._exit with code %d); Cloudflare's runtime would fail the request", ex.Code)}
	}
	var th *js.Throw
	if errors.As(err, &th) {
		return &RunError{Kind: "exception", Type: "JsException", Message: js.DescribeError(th.Value)}
	}
	return &RunError{Kind: "internal", Message: err.Error(), Traceback: inst.StderrTail()}
}

func statusText(code int) string {
	if t := httpStatusText(code); t != "" {
		return t
	}
	return strings.TrimSpace(fmt.Sprint(code))
}

// Output limits per run: a handler printing in a loop must not exhaust the
// host's memory before the wall-clock limit stops it.
const (
	maxLogLines = 10000
	maxLogBytes = 4 << 20
)

type logSink struct {
	res       *RunResult
	bytes     int
	truncated bool
}

func (l *logSink) add(stream, line string) {
	if l.truncated {
		return
	}
	if len(l.res.Logs) >= maxLogLines || l.bytes+len(line) > maxLogBytes {
		l.truncated = true
		l.res.Logs = append(l.res.Logs, LogLine{Stream: "stderr", Text: "pyworkers runtime: output truncated (more than 10000 lines or 4 MiB)"})
		return
	}
	l.bytes += len(line)
	l.res.Logs = append(l.res.Logs, LogLine{Stream: stream, Text: line})
}

// pythonModulesOf is the folder of the Worker's vendored packages, as
// Cloudflare reads it: python_modules/, else (not synced yet) the
// site-packages of pywrangler's Pyodide venv in .venv-workers.
func pythonModulesOf(projectDir string) string {
	if pm := filepath.Join(projectDir, "python_modules"); isDir(pm) {
		return pm
	}
	for _, pattern := range []string{
		filepath.Join(projectDir, ".venv-workers", "pyodide-venv", "lib", "python3*", "site-packages"),
		filepath.Join(projectDir, ".venv-workers", "lib", "python3*", "site-packages"),
	} {
		if ms, _ := filepath.Glob(pattern); len(ms) > 0 {
			sort.Strings(ms)
			return ms[len(ms)-1]
		}
	}
	return ""
}

// HostPaths rewrites the interpreter's paths of the Worker's files
// (/session/metadata/..., /session/python_modules/...) in tracebacks and
// output to the files on disk, so terminals and editors can open them.
func HostPaths(spec WorkerSpec) *strings.Replacer {
	var pairs []string
	if mainPath, _, err := resolveMain(spec); err == nil {
		if abs, err := filepath.Abs(mainPath); err == nil {
			mainPath = abs
		}
		pairs = append(pairs, pyodide.WorkerRoot+"/", filepath.Dir(mainPath)+string(filepath.Separator))
	}
	if pm := pythonModulesOf(spec.ProjectDir); pm != "" {
		pairs = append(pairs, pyodide.PythonModulesDir+"/", pm+string(filepath.Separator))
	}
	return strings.NewReplacer(pairs...)
}
