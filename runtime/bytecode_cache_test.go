package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The bytecode cache: a run saves the .pyc files of the modules it
// compiled; after an edit of the Worker, the next run compiles only the
// edited file (the vendored package's .pyc files are not rewritten), and
// an edited package module is compiled again, never run from a stale .pyc,
// even when the edit keeps its size and falls in the same second.
func TestBytecodeCache(t *testing.T) {
	dir := t.TempDir()
	anHourAgo := time.Now().Add(-time.Hour)
	age := func(paths ...string) {
		for _, p := range paths {
			os.Chtimes(p, anHourAgo, anHourAgo)
		}
	}
	pkg := filepath.Join(dir, "python_modules", "bigpkg")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	var imports []string
	for i := range 20 {
		var b strings.Builder
		for j := range 100 {
			fmt.Fprintf(&b, "def f%d(x):\n    return x + %d\n\n", j, j)
		}
		fmt.Fprintf(&b, "VALUE = %d\n", i)
		os.WriteFile(filepath.Join(pkg, fmt.Sprintf("m%d.py", i)), []byte(b.String()), 0o644)
		imports = append(imports, fmt.Sprintf("m%d", i))
	}
	os.WriteFile(filepath.Join(pkg, "__init__.py"), []byte("from . import "+strings.Join(imports, ", ")+"\n"), 0o644)
	ents, _ := os.ReadDir(pkg)
	for _, e := range ents {
		age(filepath.Join(pkg, e.Name()))
	}
	worker := func(tag string) string {
		return `
import bigpkg
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response("` + tag + ` %d" % sum(getattr(bigpkg, "m%d" % i).VALUE for i in range(20)))
`
	}
	spec := writeWorker(t, dir, worker("v1"))
	age(filepath.Join(dir, "src", "entry.py"))
	if res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"}); string(res.Body) != "v1 190" {
		t.Fatalf("first run: %s %+v", res.Body, res.Error)
	}
	cache := engineForTest(t).pycacheDir(spec)
	pycs := map[string]time.Time{}
	filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".pyc") {
			info, _ := d.Info()
			pycs[p] = info.ModTime()
		}
		return nil
	})
	pkgPyc := filepath.Join(cache, "session", "python_modules", "bigpkg", "m3.cpython-313.pyc")
	workerPyc := filepath.Join(cache, "session", "metadata", "entry.cpython-313.pyc")
	if _, ok := pycs[pkgPyc]; !ok || len(pycs) < 22 {
		t.Fatalf("saved .pyc files: %d, %s missing", len(pycs), pkgPyc)
	}
	if _, ok := pycs[workerPyc]; !ok {
		t.Fatalf("the Worker's own .pyc was not saved")
	}

	spec = writeWorker(t, dir, worker("v2")) // same size, modified now
	if res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"}); string(res.Body) != "v2 190" {
		t.Fatalf("after editing the Worker: %s %+v", res.Body, res.Error)
	}
	for p, before := range pycs {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		// A package module compiled again would have been saved again (its
		// source is old); the edited Worker's is not saved (modified now).
		if !info.ModTime().Equal(before) {
			t.Errorf("%s rewritten: its module was compiled again", p)
		}
	}

	// Edited again at once (same size, same second): the new code runs, since
	// a .pyc of a source that fresh was not kept; so does an edited package
	// module (same size).
	m3 := filepath.Join(pkg, "m3.py")
	src, _ := os.ReadFile(m3)
	os.WriteFile(m3, []byte(strings.Replace(string(src), "VALUE = 3", "VALUE = 4", 1)), 0o644)
	spec = writeWorker(t, dir, worker("v3"))
	if res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"}); string(res.Body) != "v3 191" {
		t.Fatalf("after editing the Worker and a package module: %s %+v", res.Body, res.Error)
	}
	spec = writeWorker(t, dir, worker("v4"))
	if res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"}); string(res.Body) != "v4 191" {
		t.Fatalf("after a third edit in the same second: %s %+v", res.Body, res.Error)
	}
}
