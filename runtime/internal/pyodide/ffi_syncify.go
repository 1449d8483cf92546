// This file ports behaviour of Pyodide's JavaScript to Go: the EM_JS bodies
// of the stack-switching imports (src/core/stack_switching/suspenders.c and
// suspenders.mjs) that let synchronous Python wait for a JS promise
// (pyodide.ffi.run_sync, and what builds on it: time.sleep, urllib3's
// Emscripten backend, the SDK's WSGI adapter).
//
// Pyodide is Copyright (c) Pyodide contributors and is distributed under the
// Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/). This file, as a
// port of that code, is likewise available under the MPL-2.0.

package pyodide

import (
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

// Pyodide suspends the wasm stack with JSPI and lets the JS event loop run.
// wazero has no stack switching, so the blocked import runs the event loop
// itself, on top of the current stack: timers, I/O completions and
// microtasks — and with them re-entrant calls into Python for callbacks and
// other asyncio tasks — until the promise settles. The state save/restore
// around it is kept from Pyodide (captureThreadState leaves the current
// asyncio task and swaps in a fresh PyThreadState), so nested Python code
// runs as it would after a real suspension. Only the C-stack copy
// (StackState) is not needed: nested code runs below the current stack
// pointer and never overwrites the suspended frames.

// ffiSyncifyImports: FFI imports for run_sync.
func ffiSyncifyImports() map[string]hostFunc {
	return map[string]hostFunc{
		"can_run_sync_js": func(inst *Instance, s []uint64) { s[0] = 1 },
		"saveState": func(inst *Instance, s []uint64) {
			ts := uint32(inst.call("captureThreadState"))
			s[0] = inst.World.Handle(inst.World.NewObjectFrom("threadState", float64(ts)))
		},
		"restoreState": func(inst *Instance, s []uint64) {
			state, _ := jsv(inst, s[0]).(*Object)
			if state == nil {
				return
			}
			inst.call("restoreThreadState", uint64(uint32(js.ToNumber(state.Get("threadState")))))
		},
		"get_suspender": func(inst *Instance, s []uint64) { s[0] = js.HandleNull },
		"set_suspender": func(inst *Instance, s []uint64) {},
		"syncifyHandler": func(inst *Instance, s []uint64) {
			awaited := jsv(inst, s[0])
			if awaited == nil || awaited == js.Undefined {
				awaited = jsv(inst, s[1])
			}
			v, rejected := inst.awaitSync(awaited)
			if rejected {
				inst.syncifyError = v
				s[0] = js.HandleError
				return
			}
			s[0] = inst.World.Handle(v)
		},
		"JsvPromise_Syncify_handleError": func(inst *Instance, s []uint64) {
			if inst.syncifyError == nil {
				return
			}
			err := inst.syncifyError
			inst.syncifyError = nil
			inst.handleJSError(err)
		},
	}
}

// awaitSync drives the event loop until v (a promise, a thenable or a plain
// value) settles, and returns its value or its rejection reason. A wait that
// can never end stops the run as an unresolved await does (ErrStalled), and
// the run's wall-clock limit still applies.
func (inst *Instance) awaitSync(v Value) (result Value, rejected bool) {
	w := inst.World
	p := w.PromiseResolve(v)
	if err := inst.Drive(inst.ctx, func() bool { return p.Promise.Status != js.PromisePending }); err != nil {
		panic(err)
	}
	return p.Promise.Value, p.Promise.Status == js.PromiseRejected
}
