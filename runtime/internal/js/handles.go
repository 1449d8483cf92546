package js

// Releasing externref handles and accounting for the JS world's memory
// (issue 17).
//
// Wasm never reports that it dropped an externref, so the handle table
// would only grow within a run. Pyodide keeps every externref it holds
// beyond one FFI call in hiwire's two wasm tables; the Pyodide layer lists
// what they hold and Sweep frees every other handle that did not cross into
// wasm (or back) in this epoch or the previous one: a C function of the FFI
// may hold one in a local between two imports, and Go code may hold one it
// has not passed on yet. An epoch ends at each sweep, every PressureStep new
// handles, so a handle must sit unused in a local across tens of thousands
// of new ones before it could be freed under it. Freed values stay alive in Go as
// long as Go references them; when one crosses again it gets a new handle.
// A handle stays the same while wasm holds it.
//
// The cost model is approximate, what the Go heap holds per entry
// (measured with runtime.ReadMemStats over a million of each):
//
//	a live handle (its value, the Object behind it, the maps)  HandleCost
//	a pending timer (Timer, closure, the callback it keeps)    TimerCost

import "maps"

// Approximate bytes of Go heap per live handle and per pending timer.
const (
	HandleCost = 1024
	TimerCost  = 512
)

// PressureStep: OnPressure is called each time this many handles (or
// timers) were added since the last call.
const PressureStep = 1 << 15

// Handles is the number of live handles (fixed ones included).
func (w *World) Handles() int { return len(w.refs) }

// Cost is the approximate Go heap the world holds in handles and timers.
func (w *World) Cost() int64 {
	return int64(len(w.refs))*HandleCost + int64(w.Loop.Timers())*TimerCost
}

// touch marks h as crossing in this epoch.
func (w *World) touch(h uint64) {
	if r, ok := w.refs[h]; ok && r.epoch != w.epoch {
		r.epoch = w.epoch
		w.refs[h] = r
	}
}

func (w *World) checkPressure() {
	if w.OnPressure == nil {
		return
	}
	if n := len(w.refs) + w.Loop.Timers(); n >= w.nextCheck {
		w.nextCheck = n + PressureStep
		w.OnPressure()
		// After a sweep the next check comes when the table has grown by a
		// step again, from wherever it now is.
		w.nextCheck = len(w.refs) + w.Loop.Timers() + PressureStep
	}
}

// LoopGrew is the event loop's OnGrow: a timer counts like a handle.
func (w *World) LoopGrew() { w.checkPressure() }

// Sweep frees every handle not reported by held (the handles wasm's tables
// hold) and, when keepRecent, not crossed in this epoch or the previous one.
// It returns how many handles it freed.
func (w *World) Sweep(held func(mark func(h uint64)), keepRecent bool) int {
	keep := make(map[uint64]struct{}, 1024)
	held(func(h uint64) { keep[h] = struct{}{} })
	freed := 0
	for h, r := range w.refs {
		if h < firstFree {
			continue
		}
		if _, ok := keep[h]; ok {
			continue
		}
		if keepRecent && w.epoch-r.epoch <= 1 {
			continue
		}
		delete(w.refs, h)
		switch x := r.v.(type) {
		case *Object:
			if w.objHandle[x] == h {
				delete(w.objHandle, x)
			}
		case string:
			if w.strHandle[x] == h {
				delete(w.strHandle, x)
			}
		case float64:
			if w.numHandle[x] == h {
				delete(w.numHandle, x)
			}
		}
		freed++
	}
	w.epoch++
	if freed > 0 && freed > len(w.refs) {
		// Go maps do not shrink: copy the survivors into fresh ones.
		w.refs = maps.Clone(w.refs)
		w.objHandle = maps.Clone(w.objHandle)
		w.strHandle = maps.Clone(w.strHandle)
		w.numHandle = maps.Clone(w.numHandle)
	}
	return freed
}
