package gcfloor

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		live, floor uint64
		want        int
	}{
		{8 * mb, 64 * mb, 800},
		{9 * mb, 64 * mb, 725}, // 711 rounded up to a multiple of 25
		{64 * mb, 64 * mb, 100},
		{500 * mb, 64 * mb, 100}, // a large heap keeps the default
		{1 * mb, 64 * mb, MaxPercent},
		{0, 64 * mb, MaxPercent},
	} {
		if got := Percent(c.live, c.floor); got != c.want {
			t.Errorf("Percent(%d MB, %d MB) = %d, want %d", c.live/mb, c.floor/mb, got, c.want)
		}
	}
}

// After Start and a collection, GOGC is the one the live heap calls for.
func TestStartSetsPercentAfterCollections(t *testing.T) {
	t.Setenv("GOGC", "")
	defer debug.SetGCPercent(100)
	Start(64 << 20)
	runtime.GC()
	runtime.GC() // the finalizer of the first collection's sentinel has run
	got := debug.SetGCPercent(100)
	debug.SetGCPercent(got)
	if got <= 100 {
		t.Fatalf("GOGC after collections with a small heap: %d, want above 100", got)
	}
}

// Quiet after the last Active, a collection has run.
func TestActiveCollectsWhenQuiet(t *testing.T) {
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	Active()
	Active()
	time.Sleep(Quiet + 500*time.Millisecond)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if after.NumForcedGC <= before.NumForcedGC {
		t.Fatalf("forced collections: %d before, %d after", before.NumForcedGC, after.NumForcedGC)
	}
}
