package server_test

import (
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/bench/workergen"
	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

// raceBuild reports whether this test binary was built with -race, under
// which timings mean nothing (the code runs 5–20× slower).
func raceBuild() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}

func median(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

// TestWireLatency measures, through the built binary over stdio, a
// keystroke in a 5,000-line module → its publishDiagnostics, and an edit →
// completion at `self.env.`. The answers are checked in every build; the
// medians are asserted only without -race (`make perf`), against limits
// about 10× above what docs/benchmarks.md records (≈5–7 ms and ≈1 ms), so
// that a real regression fails and noise on a shared machine does not.
func TestWireLatency(t *testing.T) {
	const (
		diagnosticsLimit = 80 * time.Millisecond
		completionLimit  = 25 * time.Millisecond
		rounds           = 40
	)
	root := copyFixture(t, "bindings-jsonc")
	c := lsptest.Start(t, binary)
	c.Initialize(t, root, nil)
	path := filepath.Join(root, "src", "big.py")
	text := "from pyodide.ffi import to_py\n" + workergen.Module(5000)
	c.Open(t, path, "python", &text)
	c.WaitDiagnostics(t, path, 30*time.Second, func(p *protocol.PublishDiagnosticsParams) bool { return hasCode(p, "PW008") })

	lines := strings.Split(text, "\n")
	mid := len(lines) / 2
	for !strings.Contains(lines[mid], `"""`) {
		mid++
	}
	col := uint32(strings.Index(lines[mid], `"""`) + 3) // inside the docstring
	env := strings.LastIndex(text, "self.env.") + len("self.env.")
	at := protocol.Position{Line: uint32(strings.Count(text[:env], "\n")), Character: uint32(env - strings.LastIndex(text[:env], "\n") - 1)}

	var diags, completions []time.Duration
	version := 1
	for i := 0; i < rounds; i++ {
		version++
		start := time.Now()
		if i%2 == 0 {
			c.Change(t, path, version, rng(uint32(mid), col, uint32(mid), col), "x")
		} else {
			c.Change(t, path, version, rng(uint32(mid), col, uint32(mid), col+1), "")
		}
		v := version
		c.WaitDiagnostics(t, path, 30*time.Second, func(p *protocol.PublishDiagnosticsParams) bool {
			return int(p.Version) == v && hasCode(p, "PW008")
		})
		diags = append(diags, time.Since(start))

		version++
		start = time.Now()
		if i%2 == 0 {
			c.Change(t, path, version, rng(uint32(mid), col, uint32(mid), col+1), "")
		} else {
			c.Change(t, path, version, rng(uint32(mid), col, uint32(mid), col), "x")
		}
		items := completeAt(t, c, path, at)
		completions = append(completions, time.Since(start))
		if findItem(items, "CACHE") == nil || findItem(items, "DB") == nil {
			t.Fatalf("completion at self.env. lacks CACHE or DB: %v", itemLabels(items))
		}
	}
	d, comp := median(diags), median(completions)
	t.Logf("over %d rounds on a %d-line module: keystroke → diagnostics median %v, edit → completion median %v", rounds, len(lines), d, comp)
	if raceBuild() {
		return
	}
	if d > diagnosticsLimit {
		t.Errorf("keystroke → diagnostics median %v exceeds %v", d, diagnosticsLimit)
	}
	if comp > completionLimit {
		t.Errorf("edit → completion median %v exceeds %v", comp, completionLimit)
	}
}
