package runtime

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

// pyodideMirror is a folder laid out like Pyodide's CDN release folder
// (full/): a pyodide-lock.json and the package files it names.
type pyodideMirror struct {
	dir      string
	lockFile string
	mu       sync.Mutex
	requests []string
}

func sha256File(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func zipFiles(t *testing.T, dst string, files map[string]string) {
	t.Helper()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, src := range files {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(name)
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// newPyodideMirror serves, as lock packages: msgpack (its real Pyodide-ABI
// wheel from PyPI, with a C extension), sqlparse (a real pure-Python wheel),
// dlfix (the native fixture, packed as a wheel) depending on libdlhelper (a
// shared_library package, as Pyodide ships libopenssl), a file whose
// checksum is not the lock's, one listed but not served, and an `ssl`
// cpython_module entry whose file is not there either.
func newPyodideMirror(t *testing.T) *pyodideMirror {
	t.Helper()
	m := &pyodideMirror{dir: t.TempDir()}
	wheels := filepath.Join(filepath.Dir(testtree.PackagesDir(t)), "wheels")
	native := testtree.NativeDir(t)
	type entry struct {
		name, version, file, kind string
		imports, depends          []string
	}
	entries := []entry{
		{"msgpack", "1.2.4", "msgpack-1.2.4-cp313-cp313-pyemscripten_2025_0_wasm32.whl", "package", []string{"msgpack"}, nil},
		{"sqlparse", "0.6.1", "sqlparse-0.6.1-py3-none-any.whl", "package", []string{"sqlparse"}, nil},
		{"dlfix", "1.0.0", "dlfix-1.0.0-cp313-cp313-pyodide_2025_0_wasm32.whl", "package", []string{"dlfix"}, []string{"libdlhelper"}},
		{"libdlhelper", "1.0.0", "libdlhelper-1.0.0.zip", "shared_library", nil, nil},
		{"tampered", "1.0.0", "tampered-1.0.0-py3-none-any.whl", "package", []string{"tampered"}, nil},
		{"gone", "1.0.0", "gone-1.0.0-py3-none-any.whl", "package", []string{"gone"}, nil},
		{"ssl", "1.0.0", "ssl-1.0.0-cp313-cp313-pyodide_2025_0_wasm32.whl", "cpython_module", []string{"ssl", "_ssl"}, nil},
		{"undeclared", "1.0.0", "undeclared-1.0.0-py3-none-any.whl", "package", []string{"undeclared"}, nil},
	}
	for _, f := range []string{"msgpack-1.2.4-cp313-cp313-pyemscripten_2025_0_wasm32.whl", "sqlparse-0.6.1-py3-none-any.whl"} {
		testtree.Copy(t, filepath.Join(wheels, f), filepath.Join(m.dir, f))
	}
	zipFiles(t, filepath.Join(m.dir, entries[2].file), map[string]string{
		"dlfix.cpython-313-wasm32-emscripten.so": filepath.Join(native, "dlfix.cpython-313-wasm32-emscripten.so")})
	zipFiles(t, filepath.Join(m.dir, entries[3].file), map[string]string{
		"libdlhelper.so": filepath.Join(native, "dlfix.libs", "libdlhelper.so")})
	os.WriteFile(filepath.Join(m.dir, "tampered.py"), []byte("X = 1\n"), 0o644)
	zipFiles(t, filepath.Join(m.dir, entries[4].file), map[string]string{"tampered.py": filepath.Join(m.dir, "tampered.py")})
	zipFiles(t, filepath.Join(m.dir, entries[7].file), map[string]string{"undeclared.py": filepath.Join(m.dir, "tampered.py")})

	pkgs := map[string]any{}
	for _, e := range entries {
		sum := strings.Repeat("0", 64)
		if _, err := os.Stat(filepath.Join(m.dir, e.file)); err == nil && e.name != "tampered" {
			sum = sha256File(t, filepath.Join(m.dir, e.file))
		}
		pkgs[e.name] = map[string]any{"name": e.name, "version": e.version, "file_name": e.file, "sha256": sum,
			"imports": append([]string{}, e.imports...), "depends": append([]string{}, e.depends...), "package_type": e.kind}
	}
	lock, _ := json.MarshalIndent(map[string]any{"info": map[string]any{"version": "0.28.2", "python": "3.13.2",
		"abi_version": "2025_0", "arch": "wasm32", "platform": "emscripten_4_0_9"}, "packages": pkgs}, "", " ")
	m.lockFile = filepath.Join(m.dir, "pyodide-lock.json")
	os.WriteFile(m.lockFile, lock, 0o644)
	return m
}

func (m *pyodideMirror) serve(t *testing.T) *httptest.Server {
	files := http.FileServer(http.Dir(m.dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.requests = append(m.requests, r.URL.Path)
		m.mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (m *pyodideMirror) served() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.requests...)
}

const packagesWorker = `
import json
import msgpack
from msgpack import _cmsgpack
import sqlparse
import dlfix
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        name = request.url.rsplit("/", 1)[1]
        if name:
            try:
                __import__(name)
                return Response("imported " + name)
            except ImportError as e:
                return Response(json.dumps({"type": type(e).__name__, "message": str(e)}))
        return Response(json.dumps({
            "msgpack": msgpack.unpackb(msgpack.packb([1, "two"])),
            "packer": msgpack.Packer.__module__,
            "sql": sqlparse.format("select a,b from t where x=1", keyword_case="upper"),
            "scale": dlfix.scale(2),
            "dlfix_file": dlfix.__file__,
        }))
`

// Issue 11 part 2: lock packages a Worker imports without vendoring them
// are installed from a local server laid out like Pyodide's CDN, checked
// against the lock's sha256, cached for every later engine, and refused
// with an ImportError that says what and where when they cannot be had.
func TestPyodidePackagesFromMirror(t *testing.T) {
	m := newPyodideMirror(t)
	srv := m.serve(t)
	cache := t.TempDir()
	dir := t.TempDir()
	spec := writeWorker(t, dir, packagesWorker)
	// Lock packages are installed when the project declares them (the
	// cpython_module ones, like ssl, always).
	os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(`[project]
name = "w"
dependencies = ["msgpack", "sqlparse>=0.5", "dlfix", "tampered", "gone"]
`), 0o644)
	var progress []string
	newEngine := func(url string) *Engine {
		e := NewEngine(EngineOptions{PackagesURL: url, PackagesCacheDir: cache, PackageLock: m.lockFile,
			OnPackageProgress: func(msg string) { progress = append(progress, msg) }})
		t.Cleanup(func() { e.Close() })
		return e
	}
	run := func(e *Engine, path string) *RunResult {
		t.Helper()
		res, err := e.RunFetch(context.Background(), spec, HTTPRequest{URL: "http://localhost/" + path})
		if err != nil {
			t.Fatal(err)
		}
		wantOK(t, res)
		return res
	}
	want := `{"msgpack": [1, "two"], "packer": "msgpack._cmsgpack", "sql": "SELECT a,b FROM t WHERE x=1", "scale": 46, ` +
		`"dlfix_file": "/pyodide-packages/dlfix-1.0.0-cp313-cp313-pyodide_2025_0_wasm32/dlfix.cpython-313-wasm32-emscripten.so"}`

	e := newEngine(srv.URL)
	for i := 0; i < 2; i++ { // the second run restores the snapshot taken after the imports
		if res := run(e, ""); string(res.Body) != want {
			t.Fatalf("run %d: %s\nlogs: %v", i+1, res.Body, res.Logs)
		}
	}
	fetched := m.served()
	for _, f := range []string{"msgpack-1.2.4", "sqlparse-0.6.1", "dlfix-1.0.0", "libdlhelper-1.0.0.zip"} {
		if !strings.Contains(strings.Join(fetched, " "), f) {
			t.Errorf("%s was not downloaded: %v", f, fetched)
		}
	}
	if len(fetched) != 4 { // and never undeclared-1.0.0
		t.Errorf("downloads %v, want each of the 4 files once", fetched)
	}
	if !strings.Contains(strings.Join(progress, "\n"), "downloading dlfix-1.0.0-cp313-cp313-pyodide_2025_0_wasm32.whl from "+srv.URL) {
		t.Errorf("progress: %q", progress)
	}

	for name, wantMsg := range map[string][]string{
		"tampered": {"No module named 'tampered'", "tampered-1.0.0-py3-none-any.whl", "checksum mismatch", "was not cached"},
		"gone":     {"No module named 'gone'", srv.URL + "/gone-1.0.0-py3-none-any.whl", "HTTP 404", "PYWORKERS_PACKAGES_URL"},
		"ssl":      {"No module named 'ssl'", "ssl 1.0.0 (Pyodide's cpython_module package)", srv.URL + "/ssl-1.0.0-cp313-cp313-pyodide_2025_0_wasm32.whl"},
		// Not declared: not downloaded (libraries probe optional imports).
		"undeclared": {"No module named 'undeclared'", "the project does not declare it", "uv run pywrangler sync"},
	} {
		res := run(e, name)
		var got map[string]string
		wantType := map[bool]string{true: "ModuleNotFoundError", false: "ImportError"}[name == "undeclared"]
		if err := json.Unmarshal(res.Body, &got); err != nil || got["type"] != wantType {
			t.Fatalf("%s: %s (%v)", name, res.Body, err)
		}
		for _, w := range wantMsg {
			if !strings.Contains(got["message"], w) {
				t.Errorf("%s: %q lacks %q", name, got["message"], w)
			}
		}
	}
	if strings.Contains(strings.Join(m.served(), " "), "undeclared") {
		t.Errorf("an undeclared package was downloaded: %v", m.served())
	}
	if _, err := os.Stat(filepath.Join(cache, "tampered-1.0.0-py3-none-any")); !os.IsNotExist(err) {
		t.Errorf("the tampered package was cached (%v)", err)
	}
	// A name no package provides stays a plain ModuleNotFoundError.
	if res := run(e, "no_such_module_anywhere"); !strings.Contains(string(res.Body), `"type": "ModuleNotFoundError"`) {
		t.Errorf("unknown module: %s", res.Body)
	}

	// A new engine (a new process) with the server gone: all from the cache.
	srv.Close()
	before := len(m.served())
	e2 := newEngine(srv.URL)
	if res := run(e2, ""); string(res.Body) != want {
		t.Fatalf("offline from the cache: %s\nlogs: %v", res.Body, res.Logs)
	}
	if len(m.served()) != before {
		t.Errorf("the cached packages were downloaded again")
	}
}
