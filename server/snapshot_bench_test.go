package server

import (
	"io"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/bench/workergen"
)

// BenchmarkSnapshotOneCharEdit5000Lines measures what a didChange costs the
// server: applying a one-character incremental change to a 5,000-line
// Worker module (tree.Edit + incremental reparse) and publishing the new
// immutable snapshot.
func BenchmarkSnapshotOneCharEdit5000Lines(b *testing.B) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil)), snap: firstSnapshot()}
	src := workergen.Module(5000)
	uri := protocol.DocumentURI("file:///bench/src/entry.py")
	doc := newDocument(uri, 1, "python", src)
	doc.Py()
	s.update(false, func(next *Snapshot) error { next.docs[uri] = doc; next.byPath[doc.Path] = doc; return nil })
	line := uint32(strings.Count(src[:strings.Index(src, "class Handler90(")], "\n"))
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		ch := contentChange{Range: &protocol.Range{Start: protocol.Position{Line: line, Character: 6}, End: protocol.Position{Line: line, Character: 6}}, Text: "x"}
		if i%2 == 1 {
			ch = contentChange{Range: &protocol.Range{Start: protocol.Position{Line: line, Character: 6}, End: protocol.Position{Line: line, Character: 7}}}
		}
		_, err := s.update(false, func(next *Snapshot) error {
			old := next.docs[uri]
			d, err := applyChanges(old, int32(i+2), []contentChange{ch})
			if err != nil {
				return err
			}
			d.Py() // the tree, as the keystroke's diagnostics build it
			next.docs[uri] = d
			next.byPath[d.Path] = d
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkEditTreeFacts5000Lines is the server side of bench/lspdriver's
// "edit, then completion" loop without the wire: a "#" typed at the start
// of the middle line of a 5,000-line module, then the tree and the facts a
// completion needs (issue 17 item 10: these are most of its latency).
func BenchmarkEditTreeFacts5000Lines(b *testing.B) {
	src := workergen.Module(5000)
	uri := protocol.DocumentURI("file:///bench/src/entry.py")
	doc := newDocument(uri, 1, "python", src)
	facts := newFactsCache()
	facts.get(doc.Path, doc.Py())
	line := uint32(strings.Count(src, "\n") / 2)
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		ch := contentChange{Range: &protocol.Range{Start: protocol.Position{Line: line}, End: protocol.Position{Line: line}}, Text: "#"}
		d, err := applyChanges(doc, int32(i+2), []contentChange{ch})
		if err != nil {
			b.Fatal(err)
		}
		if m := facts.get(d.Path, d.Py()); m.Root == nil {
			b.Fatal("no tree")
		}
		doc = d
		durations = append(durations, time.Since(start))
	}
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds()), "p99-µs")
}
