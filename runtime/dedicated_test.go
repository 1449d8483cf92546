package runtime

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

func writeWorker(t testing.TB, dir, src string) WorkerSpec {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "entry.py"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return WorkerSpec{ProjectDir: dir, Main: "src/entry.py", CompatibilityDate: "2025-10-01", CompatibilityFlags: []string{"python_workers"}}
}

const topLevelWorker = `
import json
print("top level ran")
CONFIG = {"greeting": "hi"}
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        CONFIG["calls"] = CONFIG.get("calls", 0) + 1
        return Response(json.dumps(CONFIG))
`

// The Worker's top level runs once per version: later runs restore the
// interpreter as it was after it (python_dedicated_snapshot); an edit runs
// it again. Module state is the top level's in every run.
func TestTopLevelRunsOncePerVersion(t *testing.T) {
	dir := t.TempDir()
	spec := writeWorker(t, dir, topLevelWorker)
	ran := func(res *RunResult) bool { return strings.Contains(logsOf(res), "top level ran") }

	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	if !ran(res) || string(res.Body) != `{"greeting": "hi", "calls": 1}` {
		t.Fatalf("first run: body %s, logs %q", res.Body, logsOf(res))
	}
	for i := 0; i < 2; i++ {
		res = fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
		wantOK(t, res)
		if ran(res) {
			t.Fatalf("run %d ran the top level again", i+2)
		}
		if string(res.Body) != `{"greeting": "hi", "calls": 1}` {
			t.Fatalf("run %d saw another run's module state: %s", i+2, res.Body)
		}
		if len(res.Warnings) != 0 {
			t.Fatalf("warnings %v", res.Warnings)
		}
	}
	// An edit (a new mtime and size) is a new version.
	time.Sleep(10 * time.Millisecond)
	spec = writeWorker(t, dir, strings.Replace(topLevelWorker, `"hi"`, `"hello"`, 1))
	res = fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	if !ran(res) || string(res.Body) != `{"greeting": "hello", "calls": 1}` {
		t.Fatalf("after the edit: body %s, logs %q", res.Body, logsOf(res))
	}
	// So is a change of vars (the top level could read them).
	spec.Vars = map[string]any{"X": "1"}
	if res = fetch(t, spec, HTTPRequest{URL: "http://localhost/"}); !ran(res) {
		t.Fatalf("a vars change did not run the top level again: %q", logsOf(res))
	}
}

// A top level that leaves state a snapshot cannot carry (a JS object made
// at import time) still works: it is imported on every run, and the run
// says why.
func TestTopLevelThatCannotBeSnapshotted(t *testing.T) {
	spec := writeWorker(t, t.TempDir(), `
from js import Object
HOLDER = Object.new()
HOLDER.n = 1
print("top level ran")
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response(str(HOLDER.n))
`)
	for i := 0; i < 2; i++ {
		res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
		wantOK(t, res)
		if string(res.Body) != "1" || !strings.Contains(logsOf(res), "top level ran") {
			t.Fatalf("run %d: body %s logs %q", i+1, res.Body, logsOf(res))
		}
		if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "cannot carry") {
			t.Fatalf("run %d: warnings %v", i+1, res.Warnings)
		}
	}
}

// A top level that raises is reported by the run as before (no warning).
func TestTopLevelThatRaises(t *testing.T) {
	spec := writeWorker(t, t.TempDir(), "raise ValueError('broken at import')\n")
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	if res.Error == nil || !strings.Contains(res.Error.Message, "broken at import") || len(res.Warnings) != 0 {
		t.Fatalf("error %+v warnings %v", res.Error, res.Warnings)
	}
}

// sdkSnapshotsTaken lists the SDK snapshots e holds (taken or read), by kind.
func sdkSnapshotsTaken(e *Engine) []string {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	var kinds []string
	for k := range e.snaps {
		kinds = append(kinds, strings.SplitN(k, "|", 2)[0])
	}
	return kinds
}

// TestFreshProcessSkipsTheSDKSnapshot: a new engine (what each `run`
// process is) finding a Worker's dedicated snapshot on disk restores it
// without importing the Worker's vendored SDK first; and warming up in a
// folder that vendors the SDK does not snapshot that SDK (a warm-up has no
// project: the working directory was taken for one). Both cost every fresh
// `run` of a Django Worker ~0.5 s.
func TestFreshProcessSkipsTheSDKSnapshot(t *testing.T) {
	dir := t.TempDir()
	spec := writeWorker(t, dir, topLevelWorker)
	testtree.VendorSDK(t, testtree.RealSDK(t), dir)
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"}) // takes and saves the dedicated snapshot
	wantOK(t, res)

	t.Chdir(dir)
	e := NewEngine(EngineOptions{})
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := e.Warm(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if kinds := sdkSnapshotsTaken(e); slices.Contains(kinds, "vendored") {
		t.Fatalf("warming up in a folder with python_modules/workers took its snapshot: %v", kinds)
	}
	res, err := e.RunFetch(ctx, spec, HTTPRequest{URL: "http://localhost/"})
	if err != nil {
		t.Fatal(err)
	}
	wantOK(t, res)
	if strings.Contains(logsOf(res), "top level ran") || string(res.Body) != `{"greeting": "hi", "calls": 1}` {
		t.Fatalf("the dedicated snapshot on disk was not used: body %s, logs %q", res.Body, logsOf(res))
	}
	if kinds := sdkSnapshotsTaken(e); slices.Contains(kinds, "vendored") {
		t.Fatalf("the run imported the vendored SDK although the Worker's snapshot was on disk: %v", kinds)
	}
}
