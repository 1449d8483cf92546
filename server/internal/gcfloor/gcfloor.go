// Package gcfloor keeps the garbage collector's heap goal at least a fixed
// amount above the live heap.
//
// The language server's live heap is small (8 MB with a 5,000-line module
// open) while every keystroke allocates about 1 MB: at the default GOGC of
// 100 the collector ran every few keystrokes, took a third of the CPU and,
// on two cores, ran beside the completion an editor asks for right after the
// keystroke. With a floor the goal is max(2 × live, live + floor): a large
// heap (the runtime loaded, hundreds of files open) is collected as before.
// The garbage a burst of work leaves below the goal is collected, and its
// memory returned to the OS, once the process has been quiet for a moment
// (Active).
package gcfloor

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// MaxPercent bounds the GOGC the floor sets, so a nearly empty heap does
// not get an unbounded percentage.
const MaxPercent = 2000

var once sync.Once

// Start keeps the heap goal at least floor bytes above the live heap, from
// now until the process ends, re-deciding after each collection. It does
// nothing when the user set GOGC, or after its first call.
func Start(floor uint64) {
	once.Do(func() {
		if os.Getenv("GOGC") != "" {
			return
		}
		t := &tuner{floor: floor, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}, percent: 100}
		t.adjust()
		t.arm()
	})
}

type tuner struct {
	floor   uint64
	sample  []metrics.Sample
	percent int
}

// sentinel is garbage from birth: its finalizer runs after the next
// collection, adjusts, and arms a new one.
type sentinel struct{ _ [16]byte }

func (t *tuner) arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		t.adjust()
		t.arm()
	})
}

func (t *tuner) adjust() {
	metrics.Read(t.sample)
	live := uint64(0)
	if t.sample[0].Value.Kind() == metrics.KindUint64 {
		live = t.sample[0].Value.Uint64()
	}
	if p := Percent(live, t.floor); p != t.percent {
		t.percent = p
		debug.SetGCPercent(p)
	}
}

// Percent is the GOGC that puts the goal at max(2 × live, live + floor),
// rounded up to a multiple of 25 so small changes of the live heap do not
// reset it after every collection.
func Percent(live, floor uint64) int {
	if live == 0 {
		return MaxPercent
	}
	p := int((floor*100 + live - 1) / live)
	p = (p + 24) / 25 * 25
	return min(max(p, 100), MaxPercent)
}

// Quiet is how long after the last Active the idle collection runs.
const Quiet = time.Second

var (
	idleMu    sync.Mutex
	idleTimer *time.Timer
)

// Active notes that the process is working; Quiet after the last call its
// garbage is collected and the freed memory handed back to the OS, so an
// editor's idle server does not keep a burst's garbage resident.
func Active() {
	idleMu.Lock()
	defer idleMu.Unlock()
	if idleTimer == nil {
		idleTimer = time.AfterFunc(Quiet, debug.FreeOSMemory)
		return
	}
	idleTimer.Reset(Quiet)
}
