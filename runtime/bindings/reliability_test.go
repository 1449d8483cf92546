package bindings

import (
	"fmt"
	"testing"
)

// TestD1BindLinear (issue 17): prepare().bind() n times in one run grew
// quadratically (2.5k statements 0.9 s, 10k 8.8 s, 20k 34.6 s): every
// delete from hiwire's deduplication Map copied the whole Map. 20k
// statements, kept alive in a list, must cost about four times 5k.
func TestD1BindLinear(t *testing.T) {
	w := newWorker(t, "")
	ms := func(n int) float64 {
		out := w.get(t, fmt.Sprintf("/d1/bind?n=%d&keep=1", n))
		if out["last"] != float64(n-1) {
			t.Fatalf("n=%d: last = %v", n, out["last"])
		}
		return out["ms"].(float64)
	}
	ms(500) // warm: module imported, database opened
	n := 5000
	if raceEnabled {
		// Under -race the timings are not checked, and 20k statements
		// overran the run's 60 s limit on a slow VM.
		n = 1250
	}
	small, large := ms(n), ms(4*n)
	t.Logf("%d statements %.0f ms, %d: %.0f ms (ratio %.1f)", n, small, 4*n, large, large/small)
	if raceEnabled {
		return
	}
	if large > 8*small+1000 || large > 30000 {
		t.Errorf("20k statements took %.0f ms, 5k %.0f ms: not linear", large, small)
	}
}
