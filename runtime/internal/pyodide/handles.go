package pyodide

// Releasing JS handles and bounding the JS world's memory (issue 17); the
// mechanism is described in internal/js/handles.go. This file supplies what
// only the Pyodide layer knows: which externrefs hiwire's tables hold, and
// the run's memory limit.

import (
	"errors"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
)

// ErrJSMemory stops a run whose JS objects, handles and timers, with the
// interpreter's linear memory, exceed the run's memory limit. The run is
// classified as Kind "memory" (MemLimitHit is set).
var ErrJSMemory = errors.New("the Worker's JS objects and timers exceed its memory limit")

// handleSweep is an instance's sweeping state.
type handleSweep struct {
	sweeping                 bool
	hiwireSize, immortalSize uint32 // known sizes of hiwire's tables (they only grow)
}

// installMemoryHooks makes the world call back when its handle table or
// timers grow.
func (inst *Instance) installMemoryHooks() {
	inst.World.OnPressure = inst.onPressure
}

// onPressure frees what wasm no longer holds and stops the run when the
// JS world and the linear memory together exceed the limit.
func (inst *Instance) onPressure() {
	if inst.mod == nil || inst.hs.sweeping {
		return
	}
	inst.hs.sweeping = true
	defer func() { inst.hs.sweeping = false }()
	inst.SweepHandles()
	if inst.memLimit > 0 && uint64(inst.World.Cost())+uint64(inst.mem.Size()) > inst.memLimit {
		inst.MemLimitHit = true
		panic(ErrJSMemory)
	}
}

// SweepHandles frees the handles hiwire's tables do not hold and that did
// not cross recently (see js.World.Sweep); it returns how many it freed.
// Recent handles are kept even between calls into wasm: the Go code that
// allocated one may not have passed it on yet.
func (inst *Instance) SweepHandles() int {
	return inst.World.Sweep(inst.markHiwire, true)
}

// markHiwire reports every externref of hiwire's heap and immortal tables.
func (inst *Instance) markHiwire(mark func(uint64)) {
	inst.hs.hiwireSize = inst.tableSize("_hiwire_get", inst.hs.hiwireSize)
	for i := uint32(0); i < inst.hs.hiwireSize; i++ {
		if h := inst.call("_hiwire_get", uint64(i)); h != js.HandleNull {
			mark(h)
		}
	}
	inst.hs.immortalSize = inst.tableSize("_hiwire_immortal_get", inst.hs.immortalSize)
	for i := uint32(0); i < inst.hs.immortalSize; i++ {
		if h := inst.call("_hiwire_immortal_get", uint64(i)); h != js.HandleNull {
			mark(h)
		}
	}
}

// tableSize finds the size of the table get reads (a get past the end
// traps), knowing it is at least known: tables only grow.
func (inst *Instance) tableSize(get string, known uint32) uint32 {
	ok := func(i uint32) bool {
		_, ok := inst.tryCall(get, uint64(i))
		return ok
	}
	if known > 0 && !ok(known-1) {
		known = 0
	}
	lo, step := known, uint32(1024)
	for ok(lo + step - 1) {
		lo += step
		step *= 2
	}
	hi := lo + step - 1 // lo is in the table's size range, hi-1 is not
	for lo < hi {
		mid := lo + (hi-lo)/2
		if ok(mid) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// SweepBetweenTasks frees every handle hiwire's tables do not hold, recent
// ones too, when no call into wasm is on the stack (between event-loop
// tasks): no C local or Go caller can then hold a handle it has not passed
// on. A long-lived interpreter (an isolate) sweeps so while it waits, which
// keeps its JS world at what Python really holds instead of two epochs of
// garbage. It returns how many handles it freed (0 when wasm is running).
func (inst *Instance) SweepBetweenTasks() int {
	if inst.mod == nil || inst.callDepth > 0 || inst.hs.sweeping {
		return 0
	}
	inst.hs.sweeping = true
	defer func() { inst.hs.sweeping = false }()
	return inst.World.Sweep(inst.markHiwire, false)
}
