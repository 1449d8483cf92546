package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

func sqliteSpec() WorkerSpec {
	return WorkerSpec{ProjectDir: "../testdata/runtime/sqlite", Main: "src/entry.py",
		CompatibilityDate: "2025-10-01", CompatibilityFlags: []string{"python_workers"}}
}

// Issue 11: `import sqlite3` with nothing vendored installs the runtime's
// own build of Pyodide's sqlite3 package (CPython 3.13.5's _sqlite and
// SQLite compiled by runtime/artifacts/cpython/build.sh) from the
// artifacts, offline, and it works: a file database, FTS5, JSON, serialize.
func TestSQLite3BuiltFromSource(t *testing.T) {
	var progress []string
	e := NewEngine(EngineOptions{PackagesCacheDir: t.TempDir(), OnPackageProgress: func(m string) { progress = append(progress, m) }})
	t.Cleanup(e.Close)
	t.Setenv(EnvPackagesURL, "")
	ctx := context.Background()
	res, err := e.RunFetch(ctx, sqliteSpec(), HTTPRequest{URL: "http://localhost/"})
	if err != nil {
		t.Fatal(err)
	}
	wantOK(t, res)
	var got struct {
		SQLite, Installed, FTS5, JSON, Serialized string
		Rows                                      [][]any
	}
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatalf("%v: %s", err, res.Body)
	}
	if got.SQLite != "3.51.1" || !strings.HasSuffix(got.Installed, ".pyworkers-build") || got.FTS5 != "the quick brown fox" ||
		got.JSON != `{"n":3,"pi":3.142}` || got.Serialized != "SQLite format 3\x00" || fmt.Sprint(got.Rows) != "[[1 héllo 5] [2 wörld 5] [3 中文 2]]" {
		t.Fatalf("body %s", res.Body)
	}
	if len(progress) != 1 || !strings.Contains(progress[0], "sqlite3-1.0.0-cp313-cp313-pyodide_2025_0_wasm32.whl (built from CPython's sources") {
		t.Fatalf("progress %q", progress)
	}
}

// CPython's own test suite of sqlite3 (Lib/test/test_sqlite3 of the same
// CPython 3.13.5 source), run inside a Worker against the built module:
// every test passes or is skipped by the suite itself.
func TestCPythonSQLiteSuite(t *testing.T) {
	dir := t.TempDir()
	spec := writeWorker(t, dir, `
import io, unittest
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        out = io.StringIO()
        suite = unittest.defaultTestLoader.loadTestsFromName("test.test_sqlite3")
        r = unittest.TextTestRunner(stream=out, verbosity=1).run(suite)
        return Response.json({"run": r.testsRun, "failures": len(r.failures), "errors": len(r.errors),
                              "skipped": len(r.skipped), "report": out.getvalue()[-6000:]})
`)
	testtree.Copy(t, filepath.Join(testtree.CPythonTestsDir(t), "test"), filepath.Join(dir, "python_modules", "test"))
	spec.Limits.WallClock = 5 * time.Minute
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	var got struct {
		Run, Failures, Errors, Skipped int
		Report                         string
	}
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatalf("%v: %s", err, res.Body)
	}
	t.Logf("test_sqlite3: %d run, %d skipped", got.Run, got.Skipped)
	if got.Run < 450 || got.Failures != 0 || got.Errors != 0 {
		t.Fatalf("test_sqlite3: %d run, %d failures, %d errors\n%s", got.Run, got.Failures, got.Errors, got.Report)
	}
}
