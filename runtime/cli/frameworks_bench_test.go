package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

// BenchmarkFrameworkWorkers (issues 11, 12): Django on D1 and FastAPI +
// Jinja2, vendored from PyPI, measured as a user meets them:
//   - fresh: a new `pyworkers-lsp run` process (the built binary) with the
//     Worker's snapshot on disk, start to response, and its peak RSS;
//   - edited: the same after touching the Worker's file (a new version: its
//     top level runs again, with the bytecode cache);
//   - warm: a run in a warm engine, as the language server and its lenses
//     run it (restores the snapshot after the top level each time).
//
// Needs `make build` (bin/pyworkers-lsp).
func BenchmarkFrameworkWorkers(b *testing.B) {
	bin, err := filepath.Abs("../../bin/pyworkers-lsp")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		b.Fatalf("%s is missing: run `make build` first", bin)
	}
	workers := []struct {
		name, fixture, path string
		packages            []string
		want                string
	}{
		{"django", "django", "/", []string{"django", "django_cf", "asgiref", "sqlparse"}, "hello from django"},
		{"fastapi", "fastapi", "/items/none", []string{"fastapi", "starlette", "pydantic", "anyio", "typing_extensions",
			"annotated_doc", "jinja2", "markupsafe", "idna"}, `"detail":"no item none"`},
	}
	for _, w := range workers {
		config := vendoredWorker(b, w.fixture, w.packages...)
		main := filepath.Join(filepath.Dir(config), "src", "worker.py")
		runBin := func() (time.Duration, int64) {
			start := time.Now()
			cmd := exec.Command(bin, "run", "--config", config, w.path)
			out, err := cmd.Output()
			took := time.Since(start)
			if err != nil || !strings.Contains(string(out), w.want) {
				b.Fatalf("%s: %v\n%s", w.name, err, out)
			}
			return took, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
		}
		runBin() // the snapshot after the top level, on disk
		b.Run(w.name+"/fresh", func(b *testing.B) {
			var samples []time.Duration
			var rss []int64
			for i := 0; i < b.N; i++ {
				d, kb := runBin()
				samples = append(samples, d)
				rss = append(rss, kb)
			}
			reportLatency(b, samples)
			sort.Slice(rss, func(i, j int) bool { return rss[i] < rss[j] })
			b.ReportMetric(float64(rss[len(rss)/2])/1024, "peak-RSS-MB")
		})
		b.Run(w.name+"/edited", func(b *testing.B) {
			var samples []time.Duration
			for i := 0; i < b.N; i++ {
				now := time.Now().Add(time.Duration(i+1) * time.Second)
				os.Chtimes(main, now, now)
				d, _ := runBin()
				samples = append(samples, d)
			}
			reportLatency(b, samples)
		})
		b.Run(w.name+"/warm", func(b *testing.B) {
			spec, err := workerspec.Load(config, "")
			if err != nil {
				b.Fatal(err)
			}
			e := actors.NewEngine(runtime.EngineOptions{}) // with the local bindings, as the server has them
			defer e.Close()
			run := func() time.Duration {
				start := time.Now()
				res, err := e.RunFetch(context.Background(), spec, runtime.HTTPRequest{URL: "http://localhost" + w.path})
				if err != nil || !strings.Contains(string(res.Body), w.want) {
					b.Fatalf("%v %+v", err, res)
				}
				return time.Since(start)
			}
			for range 3 { // the snapshot, then the watch of python_modules/ (tree_stamp.go)
				run()
			}
			var samples []time.Duration
			for i := 0; i < b.N; i++ {
				samples = append(samples, run())
			}
			reportLatency(b, samples)
		})
	}
}

func reportLatency(b *testing.B, samples []time.Duration) {
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(samples[len(samples)/2]), "p50-ms")
	b.ReportMetric(ms(samples[min(len(samples)-1, len(samples)*99/100)]), "p99-ms")
}
