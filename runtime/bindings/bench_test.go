package bindings

import (
	"fmt"
	"sort"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

// BenchmarkKVRoundTrip: put + get of one key, N of each inside one handler
// run (warm engine), timed by the handler itself; reports ms per operation.
func BenchmarkKVRoundTrip(b *testing.B) {
	w := newWorker(b, "")
	const n = 500
	w.get(b, "/kv/bench?n=10") // warm: state opened, module imported once
	var per []float64
	for b.Loop() {
		out := w.get(b, "/kv/bench?n=500")
		ms, _ := out["ms"].(float64)
		per = append(per, ms/(2*n))
	}
	reportMedian(b, per, "ms/kv-op")
}

// BenchmarkD1Query1000Rows: SELECT * of 1,000 rows through .all() and into
// Python (len(results)), timed inside the handler.
// Under the real SDK its wrapper converts the rows to dicts.
func BenchmarkD1Query1000Rows(b *testing.B) {
	sdks := testtree.SDKs(b)
	for _, name := range []string{"builtin", "realsdk"} {
		b.Run(name, func(b *testing.B) {
			w := newWorker(b, sdks[name])
			var per []float64
			for b.Loop() {
				out := w.get(b, "/d1/bench?rows=1000&iters=5")
				if out["count"] != float64(1000) {
					b.Fatalf("count %v", out["count"])
				}
				for _, v := range out["ms"].([]any) {
					per = append(per, v.(float64))
				}
			}
			reportMedian(b, per, "ms/query")
		})
	}
}

func reportMedian(b *testing.B, xs []float64, unit string) {
	sort.Float64s(xs)
	if len(xs) == 0 {
		return
	}
	b.ReportMetric(xs[len(xs)/2], unit+"-p50")
	b.ReportMetric(xs[(len(xs)*99)/100], unit+"-p99")
}

// BenchmarkD1Bind: prepare().bind() n times in one run, statements kept
// alive (issue 17: was quadratic); reports ms per 1,000 statements.
func BenchmarkD1Bind(b *testing.B) {
	w := newWorker(b, "")
	w.get(b, "/d1/bind?n=100")
	for _, n := range []int{2500, 10000, 20000, 50000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var per []float64
			for b.Loop() {
				out := w.get(b, fmt.Sprintf("/d1/bind?n=%d&keep=1", n))
				per = append(per, out["ms"].(float64)*1000/float64(n))
			}
			reportMedian(b, per, "ms/1k-stmts")
		})
	}
}
