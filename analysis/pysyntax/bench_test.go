package pysyntax

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/bench/workergen"
)

// BenchmarkOneCharEdit5000Lines: a keystroke in the middle of a 5,000-line
// module — tree.Edit plus incremental reparse (target p99 ≤ 2 ms).
func BenchmarkOneCharEdit5000Lines(b *testing.B) {
	src := workergen.Module(5000)
	ctx := context.Background()
	f, err := Parse(ctx, src)
	if err != nil {
		b.Fatal(err)
	}
	at := strings.Index(src, "class Handler90(") + len("class Handler90(")
	b.ReportAllocs()
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		// Type a character, then delete it, so the file stays the same size.
		var e Edit
		if i%2 == 0 {
			e = Edit{Start: at, End: at, NewText: "x"}
		} else {
			e = Edit{Start: at, End: at + 1}
		}
		if f, err = f.Apply(ctx, []Edit{e}); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds()), "p99-µs")
}

func BenchmarkFreshParse5000Lines(b *testing.B) {
	src := workergen.Module(5000)
	for i := 0; i < b.N; i++ {
		if _, err := Parse(context.Background(), src); err != nil {
			b.Fatal(err)
		}
	}
}
