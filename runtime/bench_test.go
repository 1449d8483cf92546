package runtime

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

func helloSpec() WorkerSpec {
	return WorkerSpec{ProjectDir: "../testdata/runtime/hello", Main: "src/entry.py", CompatibilityDate: "2025-10-01",
		CompatibilityFlags: []string{"python_workers"}, Vars: map[string]any{"GREETING": "hello"}}
}

// BenchmarkRunFetchWarmEngine: one hello request in an already warm engine
// (fresh interpreter restored from the snapshot each time).
func BenchmarkRunFetchWarmEngine(b *testing.B) {
	e := engineForTest(b)
	var samples []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		res, err := e.RunFetch(context.Background(), helloSpec(), HTTPRequest{URL: "http://localhost/?name=bench"})
		if err != nil || res.Status != 200 {
			b.Fatalf("%v %+v", err, res)
		}
		samples = append(samples, time.Since(t))
	}
	reportPercentiles(b, samples)
}

// BenchmarkFreshProcessHello: a new process (warm compilation cache and
// snapshot on disk) from start to the hello response; also reports the
// child's peak RSS.
func BenchmarkFreshProcessHello(b *testing.B) {
	engineForTest(b) // make sure the caches exist
	var samples []time.Duration
	var rss []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		cmd := exec.Command(os.Args[0], "-test.run=^TestFreshProcessChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "PYWORKERS_BENCH_CHILD=1")
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		samples = append(samples, time.Since(t))
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(line, "peak-rss-kb "); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
				rss = append(rss, kb/1024)
			}
		}
	}
	reportPercentiles(b, samples)
	if len(rss) > 0 {
		sort.Float64s(rss)
		b.ReportMetric(rss[len(rss)/2], "peak-RSS-MB")
	}
}

// TestFreshProcessChild is the child of BenchmarkFreshProcessHello.
func TestFreshProcessChild(t *testing.T) {
	if os.Getenv("PYWORKERS_BENCH_CHILD") != "1" {
		t.Skip("helper for BenchmarkFreshProcessHello")
	}
	e := NewEngine(EngineOptions{})
	res, err := e.RunFetch(context.Background(), helloSpec(), HTTPRequest{URL: "http://localhost/?name=child"})
	if err != nil || res.Status != 200 || string(res.Body) != "hello child" {
		t.Fatalf("%v %+v", err, res)
	}
	fmt.Printf("peak-rss-kb %d\n", peakRSSKB())
}

func peakRSSKB() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

func reportPercentiles(b *testing.B, samples []time.Duration) {
	if len(samples) == 0 {
		return
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(samples[len(samples)/2]), "p50-ms")
	b.ReportMetric(ms(samples[min(len(samples)-1, len(samples)*99/100)]), "p99-ms")
}

// BenchmarkWarmRunImportHeavy: a warm run of a Worker that imports requests
// (and with it urllib3, idna, charset_normalizer, json, http.cookiejar …),
// restoring the snapshot taken after its top level ("dedicated") versus
// importing it each run ("import").
func BenchmarkWarmRunImportHeavy(b *testing.B) {
	dir := b.TempDir()
	spec := writeWorker(b, dir, `
import requests
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response(requests.__version__)
`)
	testtree.VendorPackages(b, dir, "requests", "urllib3", "idna", "certifi", "charset_normalizer")
	for _, mode := range []string{"dedicated", "import"} {
		b.Run(mode, func(b *testing.B) {
			e := NewEngine(EngineOptions{NoDedicatedSnapshots: mode == "import"})
			defer e.Close()
			run := func() time.Duration {
				t := time.Now()
				res, err := e.RunFetch(context.Background(), spec, HTTPRequest{URL: "http://localhost/"})
				if err != nil || res.Status != 200 {
					b.Fatalf("%v %+v", err, res)
				}
				return time.Since(t)
			}
			b.ReportMetric(float64(run().Microseconds())/1000, "first-ms")
			var samples []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				samples = append(samples, run())
			}
			reportPercentiles(b, samples)
		})
	}
}

// BenchmarkSyncHTTPClient: one request of a warm isolate (the dev server's
// path) whose handler calls a local server once: requests, httpx.Client
// (pyodide-httpx), the fetch calls of Pyodide's httpx transport, and
// workers.fetch awaited, the asynchronous baseline.
func BenchmarkSyncHTTPClient(b *testing.B) {
	srv, _ := upstream(b)
	spec := syncHTTPSpec(b, true, srv.URL)
	os.WriteFile(filepath.Join(spec.ProjectDir, "src", "bench.py"), []byte(`
import httpx
import pyodide_httpx
import requests
from entry import fetch_like_pyodide_httpx
from workers import Response, WorkerEntrypoint, fetch

pyodide_httpx.patch_httpx()
client = httpx.Client()

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        url = self.env.UPSTREAM + "/text"
        kind = request.url.rsplit("/", 1)[-1]
        if kind == "requests":
            body = requests.get(url).text
        elif kind == "httpx":
            body = client.get(url).text
        elif kind == "jsfetch":
            body = fetch_like_pyodide_httpx(url, timeout=10.0)["body"]
        else:
            body = await (await fetch(url)).text()
        return Response(body)
`), 0o644)
	spec.Main = "src/bench.py"
	e := NewEngine(EngineOptions{})
	defer e.Close()
	iso, err := e.StartIsolate(context.Background(), spec, IsolateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer iso.Close()
	for _, kind := range []string{"workers.fetch", "requests", "httpx", "jsfetch"} {
		b.Run(kind, func(b *testing.B) {
			run := func() time.Duration {
				t := time.Now()
				res, err := iso.Fetch(context.Background(), HTTPRequest{URL: "http://localhost/" + kind})
				if err != nil || res.Error != nil || string(res.Body) != "plain text" {
					b.Fatalf("%v %+v %s", err, res.Error, res.Body)
				}
				return time.Since(t)
			}
			run()
			var samples []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				samples = append(samples, run())
			}
			reportPercentiles(b, samples)
		})
	}
}
