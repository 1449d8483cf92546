package pyfacts

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/bench/workergen"
)

// BenchmarkParseIncrementalOneChar5000: the facts half of a keystroke in
// the middle of a 5,000-line module — ParseIncremental from the previous
// version's facts (target median ≤ 1.5 ms). The reparse (pysyntax Apply)
// is done outside the timed region.
func BenchmarkParseIncrementalOneChar5000(b *testing.B) {
	src := workergen.Module(5000)
	ctx := context.Background()
	f, err := pysyntax.Parse(ctx, src)
	if err != nil {
		b.Fatal(err)
	}
	prev := Parse("entry.py", f)
	at := strings.Index(src, "class Handler90(") + len("class Handler90(")
	b.ReportAllocs()
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// Type a character, then delete it, so the file stays the same size.
		e := pysyntax.Edit{Start: at, End: at, NewText: "x"}
		if i%2 == 1 {
			e = pysyntax.Edit{Start: at, End: at + 1}
		}
		if f, err = f.Apply(ctx, []pysyntax.Edit{e}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		prev = ParseIncremental("entry.py", f, prev)
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds()), "p99-µs")
}
