package runtime

// Dedicated snapshots: like Cloudflare's python_dedicated_snapshot, the
// interpreter is captured after the Worker's module top level ran (its
// imports, vendored packages, app set-up), so later runs restore it instead
// of importing the Worker again. A snapshot is keyed by everything the top
// level could have seen; the first run after a change pays the import once.

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"
)

const (
	// maxStampFiles bounds the walk that keys a dedicated snapshot; a
	// Worker folder with more files runs without one (and says so).
	maxStampFiles = 50000
	// dedicatedInMemory is how many dedicated snapshots an engine keeps.
	dedicatedInMemory = 3
	// dedicatedOnDisk is how many the snapshot folder keeps (oldest removed).
	dedicatedOnDisk = 16
)

// dedicatedCache is the engine's in-memory snapshots by key, least recently
// used last, and the keys whose top level cannot be snapshotted (with why).
type dedicatedCache struct {
	order   *list.List // of *dedicatedEntry, most recent first
	byKey   map[string]*list.Element
	refused map[string]string
}

type dedicatedEntry struct {
	key  string
	snap *pyodide.Snapshot
	logs []LogLine // what the top level printed when it ran
}

func newDedicatedCache() *dedicatedCache {
	return &dedicatedCache{order: list.New(), byKey: map[string]*list.Element{}, refused: map[string]string{}}
}

func (c *dedicatedCache) get(key string) *dedicatedEntry {
	el, ok := c.byKey[key]
	if !ok {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(*dedicatedEntry)
}

func (c *dedicatedCache) remove(key string) {
	if el, ok := c.byKey[key]; ok {
		c.order.Remove(el)
		delete(c.byKey, key)
	}
}

// staleDedicated tells whether err, from restoring d, means d is stale: a
// native module it had loaded is gone or changed (say the packages cache
// was emptied). It is then forgotten, in memory and on disk, so that the
// caller's retry takes a new one. Caller holds runMu.
func (e *Engine) staleDedicated(d *dedicatedEntry, err error) bool {
	var ne *pyodide.SnapshotNativeError
	if d == nil || !errors.As(err, &ne) {
		return false
	}
	e.log.Info("dropping a stale dedicated snapshot", "err", err)
	e.dedicated.remove(d.key)
	if e.snapDir != "" {
		os.Remove(filepath.Join(e.snapDir, "workers", d.key+".snap"))
	}
	return true
}

func (c *dedicatedCache) put(e *dedicatedEntry) {
	if el, ok := c.byKey[e.key]; ok {
		c.order.Remove(el)
	}
	c.byKey[e.key] = c.order.PushFront(e)
	for c.order.Len() > dedicatedInMemory {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*dedicatedEntry).key)
	}
	if len(c.refused) > 256 {
		clear(c.refused)
	}
}

// dedicatedKey names what a Worker's top level could depend on: the
// runtime build and SDK (baseKey), the Worker's files and vendored packages,
// its compatibility settings, vars, secrets and bindings.
func (e *Engine) dedicatedKey(baseKey string, spec WorkerSpec, mainPath string) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, "dedicated-2", baseKey, mainPath, spec.CompatibilityDate)
	flags := slices.Clone(spec.CompatibilityFlags)
	sort.Strings(flags)
	fmt.Fprintln(h, strings.Join(flags, ","))
	settings, err := json.Marshal(struct {
		Vars     map[string]any
		Secrets  map[string]string
		Bindings []Binding
		AllowNet bool
	}{spec.Vars, spec.Secrets, spec.Bindings, spec.AllowNet})
	if err != nil {
		return "", err
	}
	h.Write(settings)
	// The Worker's own folder is walked every run: it is small, and an edit
	// saved just before a run must count even if its watch event is late.
	// python_modules/ is large and changes rarely (`pywrangler sync`): its
	// stamp is kept while a watch sees no change (tree_stamp.go).
	stamp, n, err := walkStamp(filepath.Dir(mainPath), maxStampFiles, nil)
	if err != nil {
		return "", err
	}
	fmt.Fprintln(h, filepath.Dir(mainPath), stamp)
	if pm := pythonModulesOf(spec.ProjectDir); pm != "" {
		stamp, _, err := e.stamps.stamp(pm, maxStampFiles-n)
		if err != nil {
			return "", err
		}
		fmt.Fprintln(h, pm, stamp)
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

var errTooManyFiles = fmt.Errorf("the Worker's folders hold more than %d files", maxStampFiles)

// dedicatedFor returns the Worker's dedicated snapshot, taking it when
// needed, or nil and the reason there is none (the run then imports the
// Worker itself). Caller holds runMu.
// sdkSnap is called only when the snapshot must be taken: a run that finds
// it in memory or on disk never imports the SDK (a vendored SDK's snapshot
// is not kept on disk, and taking it costs a fresh process ~0.5 s). Its
// error is left to the caller, which calls sdkSnap again to report it.
func (e *Engine) dedicatedFor(ctx context.Context, h *pyodide.Host, spec WorkerSpec, flags map[string]bool, sdk sdkSource,
	sdkSnap func() (*pyodide.Snapshot, error), mainPath, modName string, limits Limits) (d *dedicatedEntry, fresh bool, why string) {
	if e.opts.NoDedicatedSnapshots || os.Getenv("PYWORKERS_NO_DEDICATED_SNAPSHOTS") == "1" {
		return nil, false, ""
	}
	key, err := e.dedicatedKey(e.snapshotKey(sdk), spec, mainPath)
	if err != nil {
		return nil, false, err.Error()
	}
	if d := e.dedicated.get(key); d != nil {
		return d, false, ""
	}
	if why, ok := e.dedicated.refused[key]; ok {
		return nil, false, why
	}
	file := ""
	if e.snapDir != "" {
		file = filepath.Join(e.snapDir, "workers", key+".snap")
		if s, err := pyodide.ReadSnapshot(file); err == nil {
			d := &dedicatedEntry{key: key, snap: s}
			e.dedicated.put(d)
			now := time.Now()
			_ = os.Chtimes(file, now, now) // recently used: kept by pruneDedicated
			return d, false, ""
		}
	}
	base, err := sdkSnap()
	if err != nil {
		return nil, false, ""
	}
	t := time.Now()
	d, err = e.primeWorker(ctx, h, spec, flags, sdk, base, mainPath, modName, limits)
	if err != nil {
		why := err.Error()
		var refused *notSnapshottable
		if errors.As(err, &refused) {
			e.dedicated.refused[key] = why
		}
		return nil, false, why
	}
	d.key = key
	e.dedicated.put(d)
	e.log.Info("dedicated snapshot taken", "worker", mainPath, "took", time.Since(t), "memory_mib", len(d.snap.Memory)>>20)
	if file != "" {
		if err := pyodide.WriteSnapshot(file, d.snap); err != nil {
			e.log.Warn("cannot save the dedicated snapshot", "err", err)
		}
		pruneDedicated(filepath.Dir(file))
	}
	return d, true, ""
}

// topLevelRaised starts the reason when the import itself failed: the run
// then imports the Worker and reports the error, so no warning is added.
const topLevelRaised = "the Worker's top level raised"

// notSnapshottable: the top level ran, but left state a snapshot cannot
// hold (pending tasks or timers, JS objects a new world cannot recreate),
// or raised. Runs of the same Worker version then import it each time.
type notSnapshottable struct{ reason string }

func (e *notSnapshottable) Error() string { return e.reason }

// primeWorker restores the SDK snapshot, imports the Worker's main module
// and captures the interpreter.
func (e *Engine) primeWorker(ctx context.Context, h *pyodide.Host, spec WorkerSpec, flags map[string]bool, sdk sdkSource,
	sdkSnap *pyodide.Snapshot, mainPath, modName string, limits Limits) (*dedicatedEntry, error) {
	d := &dedicatedEntry{}
	logs := func(stream, line string) { d.logs = append(d.logs, LogLine{Stream: stream, Text: line}) }
	primeCtx, cancel := context.WithTimeout(ctx, limits.WallClock)
	defer cancel()
	ri := &runInfo{engine: e, host: h, spec: spec, log: logs}
	primeCtx = context.WithValue(primeCtx, runKey{}, ri)
	ri.ctx = primeCtx
	w := buildWorld(runSetup{run: ri, spec: spec, flags: flags, bindings: e.opts.Bindings,
		console: func(level, line string) { logs("console."+level, line) }})
	hostMod := w.Roots.Get("_pyworkers_host").(*Object)
	hostMod.Set("kind", "prime")
	hostMod.Set("main", modName)
	fs := e.workerFS(h, sdk, spec, mainPath)
	defer e.savePycache(fs, spec)
	inst, err := h.Restore(primeCtx, sdkSnap, w, fs, limits.Memory)
	if err != nil {
		return nil, err
	}
	defer inst.Close()
	inst.OnOutput = logs
	err = inst.Protect(func() {
		if !inst.RunPython("import _pyworkers_runner\n_pyworkers_runner.prime()\n") {
			panic(&notSnapshottable{topLevelRaised + ":\n" + inst.StderrTail()})
		}
		// Let what the import queued as microtasks finish; timers or I/O
		// still pending mean the top level started work a snapshot cannot
		// carry.
		for len(w.Loop.Micro) > 0 {
			f := w.Loop.Micro[0]
			w.Loop.Micro = w.Loop.Micro[1:]
			inst.RunTask(f)
		}
		if w.Loop.Pending() || w.Loop.ExtPending > 0 {
			panic(&notSnapshottable{"the Worker's top level left tasks, timers or I/O running"})
		}
		s, cerr := inst.Capture()
		if cerr != nil {
			panic(&notSnapshottable{"the Worker's top level holds state a snapshot cannot carry (" + cerr.Error() + ")"})
		}
		d.snap = s
	})
	inst.FlushOutput()
	if err != nil {
		var ns *notSnapshottable
		if errors.As(err, &ns) {
			return nil, ns
		}
		var th *js.Throw
		if errors.As(err, &th) {
			return nil, &notSnapshottable{"the Worker's top level threw " + js.DescribeError(th.Value)}
		}
		return nil, err
	}
	return d, nil
}

// pruneDedicated keeps the most recently used dedicated snapshots on disk.
func pruneDedicated(dir string) {
	pruneLeastRecent(dir, dedicatedOnDisk, func(e os.DirEntry) bool { return strings.HasSuffix(e.Name(), ".snap") })
}

// pruneLeastRecent keeps the keep most recently used (by mtime, which
// users of a cache entry touch) entries of dir that match, removing the rest.
func pruneLeastRecent(dir string, keep int, match func(os.DirEntry) bool) {
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) <= keep {
		return
	}
	type entry struct {
		path string
		used time.Time
	}
	var found []entry
	for _, e := range ents {
		if info, err := e.Info(); err == nil && match(e) {
			found = append(found, entry{filepath.Join(dir, e.Name()), info.ModTime()})
		}
	}
	if len(found) <= keep {
		return
	}
	sort.Slice(found, func(i, j int) bool { return found[i].used.After(found[j].used) })
	for _, f := range found[keep:] {
		_ = os.RemoveAll(f.path)
	}
}
