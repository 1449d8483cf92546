package runtime

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

// Issue 11: native extension modules (Emscripten side modules) load, link
// against the interpreter and each other, and survive snapshots.

const nativeWorker = `
import json
print("top level ran")
import dlfix
BUMPED_AT_IMPORT = dlfix.bump()
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        if request.url.endswith("/missing"):
            try:
                import dlmissing
            except ImportError as e:
                return Response(json.dumps({"error": type(e).__name__, "message": str(e)}))
            return Response("imported", status=500)
        return Response(json.dumps({
            "names": [dlfix.name_at(i) for i in range(3)],
            "at_import": BUMPED_AT_IMPORT,
            "bump": dlfix.bump(),
            "scale": dlfix.scale(2),
            "greeting": dlfix.greeting(),
            "set_base": dlfix.set_base(100),
            "scale_after": dlfix.scale(2),
            "shares_main_pointers": dlfix.shares_main_pointers(),
            "file": dlfix.__file__,
        }))
`

func nativeWorkerDir(t *testing.T) WorkerSpec {
	t.Helper()
	dir := t.TempDir()
	spec := writeWorker(t, dir, nativeWorker)
	testtree.Copy(t, testtree.NativeDir(t), filepath.Join(dir, "python_modules"))
	return spec
}

func TestNativeModuleLinks(t *testing.T) {
	spec := nativeWorkerDir(t)
	want := map[string]any{
		"names":                []any{"alpha", "beta", "gamma"},
		"at_import":            1.0,
		"bump":                 2.0, // the counter the top level bumped, in every run
		"scale":                46.0,
		"greeting":             "hello from libdlhelper",
		"set_base":             100.0,
		"scale_after":          106.0, // the library's datum, written from the module, read by the library
		"file":                 "/session/metadata/python_modules/dlfix.cpython-313-wasm32-emscripten.so",
		"shares_main_pointers": true,
	}
	for run := 1; run <= 3; run++ {
		res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
		wantOK(t, res)
		var got map[string]any
		if err := json.Unmarshal(res.Body, &got); err != nil {
			t.Fatalf("run %d: %s: %v\nlogs: %v", run, res.Body, err, res.Logs)
		}
		for k, v := range want {
			if k == "file" {
				if !strings.HasSuffix(got[k].(string), "/python_modules/dlfix.cpython-313-wasm32-emscripten.so") {
					t.Errorf("run %d: __file__ = %v", run, got[k])
				}
				continue
			}
			if jsonOf(got[k]) != jsonOf(v) {
				t.Errorf("run %d: %s = %v, want %v", run, k, got[k], v)
			}
		}
		// Later runs restore the snapshot taken after the top level, with
		// the libraries put back at the same bases.
		if ran := strings.Contains(logsOf(res), "top level ran"); ran != (run == 1) {
			t.Errorf("run %d: top level ran = %v", run, ran)
		}
	}
}

func TestNativeModuleMissingSymbol(t *testing.T) {
	spec := nativeWorkerDir(t)
	for run := 1; run <= 2; run++ {
		res := fetch(t, spec, HTTPRequest{URL: "http://localhost/missing"})
		wantOK(t, res)
		var got map[string]string
		if err := json.Unmarshal(res.Body, &got); err != nil {
			t.Fatalf("%s: %v", res.Body, err)
		}
		if got["error"] != "ImportError" || !strings.Contains(got["message"], "dlmissing.cpython-313-wasm32-emscripten.so") ||
			!strings.Contains(got["message"], "undefined symbol: pyworkers_no_such_function") {
			t.Fatalf("run %d: %v", run, got)
		}
	}
	// The interpreter lives on: the good module still works in the same Worker.
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	if !strings.Contains(string(res.Body), `"greeting": "hello from libdlhelper"`) {
		t.Fatalf("after the failed import: %s", res.Body)
	}
}

// Broken files named like extension modules give an ImportError naming the
// file and the reason, never a crash.
func TestNativeModuleBadFiles(t *testing.T) {
	dir := t.TempDir()
	spec := writeWorker(t, dir, `
import json
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        out = {}
        for name in ["notwasm", "truncated", "plainwasm", "needsmissing", "dlctorfail", "dlctorfail"]:
            try:
                __import__(name)
                out[name] = "imported"
            except ImportError as e:
                out[name] = str(e)
        return Response(json.dumps(out))
`)
	pm := filepath.Join(dir, "python_modules")
	if err := os.MkdirAll(pm, 0o755); err != nil {
		t.Fatal(err)
	}
	const ext = ".cpython-313-wasm32-emscripten.so"
	good, err := os.ReadFile(filepath.Join(testtree.NativeDir(t), "dlfix"+ext))
	if err != nil {
		t.Fatal(err)
	}
	ctorFail, err := os.ReadFile(filepath.Join(testtree.NativeDir(t), "dlctorfail"+ext))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"dlctorfail":   ctorFail, // imported twice: the second time fails too
		"notwasm":      []byte("#!/bin/sh\necho not a module\n"),
		"truncated":    good[:len(good)/2],
		"plainwasm":    []byte("\x00asm\x01\x00\x00\x00"),
		"needsmissing": good, // its libdlhelper.so is not next to it
	} {
		if err := os.WriteFile(filepath.Join(pm, name+ext), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	var got map[string]string
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatalf("%s: %v", res.Body, err)
	}
	for name, want := range map[string]string{
		"notwasm":      "not a wasm binary",
		"truncated":    "truncated",
		"plainwasm":    "no dylink.0 section",
		"needsmissing": "needed library libdlhelper.so not found",
		"dlctorfail":   "__wasm_call_ctors",
	} {
		if !strings.Contains(got[name], name+ext) || !strings.Contains(got[name], want) {
			t.Errorf("%s: %q, want the file and %q", name, got[name], want)
		}
	}
	t.Logf("%v in %s", got, time.Since(start))
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// BenchmarkNativeImport: importing an extension module inside a handler (so
// each run loads it afresh, after its first compile): dlfix (2 kB, one
// needed library) and msgpack's _cmsgpack (a 104 kB Cython module from a
// real Pyodide-ABI wheel). Reports the import time Python measured.
func BenchmarkNativeImport(b *testing.B) {
	dir := b.TempDir()
	spec := writeWorker(b, dir, `
import time
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        name = request.url.rsplit("/", 1)[1]
        t = time.perf_counter()
        __import__(name)
        return Response(str((time.perf_counter() - t) * 1000))
`)
	testtree.Copy(b, testtree.NativeDir(b), filepath.Join(dir, "python_modules"))
	testtree.VendorPackages(b, dir, "msgpack")
	e := engineForTest(b)
	for _, mod := range []string{"dlfix", "msgpack._cmsgpack"} {
		b.Run(mod, func(b *testing.B) {
			var samples []time.Duration
			for i := 0; i < b.N+1; i++ {
				res, err := e.RunFetch(context.Background(), spec, HTTPRequest{URL: "http://localhost/" + mod})
				if err != nil || res.Status != 200 {
					b.Fatalf("%v %+v", err, res)
				}
				ms, err := strconv.ParseFloat(string(res.Body), 64)
				if err != nil {
					b.Fatalf("%s: %v", res.Body, err)
				}
				if i > 0 { // the first run compiles the module
					samples = append(samples, time.Duration(ms*float64(time.Millisecond)))
				}
			}
			reportPercentiles(b, samples)
		})
	}
}
