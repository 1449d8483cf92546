package runtime

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const importProbeWorker = `
import sys
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        name = request.url.rsplit("/", 1)[1]
        try:
            mod = __import__(name)
        except ImportError as e:
            return Response(type(e).__name__)
        return Response(f"{mod.WHERE} marker={getattr(sys, 'pth_marker', None)}")
`

// Issue 11 part 3: python_modules/ as Cloudflare reads it.
func TestPthFilesFromCompatibilityDate(t *testing.T) {
	for _, c := range []struct{ date, want string }{
		{"2026-06-01", "extra marker=1"},      // python_process_pth_files (2026-05-26) on
		{"2025-10-01", "ModuleNotFoundError"}, // before it: .pth files are not read
	} {
		dir := t.TempDir()
		spec := writeWorker(t, dir, importProbeWorker)
		spec.CompatibilityDate = c.date
		writeFiles(t, dir, map[string]string{
			"python_modules/extra.pth":           "extra_dir\nimport sys; sys.pth_marker = 1\n",
			"python_modules/extra_dir/pthmod.py": "WHERE = 'extra'\n",
		})
		for run := 1; run <= 2; run++ { // the second restores the dedicated snapshot
			res := fetch(t, spec, HTTPRequest{URL: "http://localhost/pthmod"})
			wantOK(t, res)
			if string(res.Body) != c.want {
				t.Errorf("%s run %d: %q, want %q", c.date, run, res.Body, c.want)
			}
		}
	}
}

func TestVenvWorkersWithoutPythonModules(t *testing.T) {
	dir := t.TempDir()
	spec := writeWorker(t, dir, importProbeWorker)
	writeFiles(t, dir, map[string]string{
		".venv-workers/pyodide-venv/lib/python3.13/site-packages/venvmod.py": "WHERE = 'pyodide-venv'\n",
	})
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/venvmod"})
	wantOK(t, res)
	if string(res.Body) != "pyodide-venv marker=None" {
		t.Fatalf("%q", res.Body)
	}
	// Once synced, python_modules/ is what counts.
	writeFiles(t, dir, map[string]string{"python_modules/venvmod.py": "WHERE = 'python_modules'\n"})
	if res := fetch(t, spec, HTTPRequest{URL: "http://localhost/venvmod"}); string(res.Body) != "python_modules marker=None" {
		t.Fatalf("after sync: %q", res.Body)
	}
}

func TestUnsyncedDependenciesWarn(t *testing.T) {
	dir := t.TempDir()
	spec := writeWorker(t, dir, importProbeWorker)
	writeFiles(t, dir, map[string]string{
		"pyproject.toml": `[project]
name = "w"
dependencies = ["msgpack>=1.0", "Requests[socks] ; python_version>='3.12'", "workers-py"]
`,
		"python_modules/msgpack-1.2.4.dist-info/METADATA": "Name: msgpack\n",
	})
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/x"})
	wantOK(t, res)
	got := strings.Join(res.Warnings, "\n")
	if !strings.Contains(got, "pyproject.toml lists Requests but python_modules/ does not have it: run `uv run pywrangler sync`") ||
		strings.Contains(got, "msgpack") || strings.Contains(got, "workers-py") {
		t.Fatalf("warnings: %q", res.Warnings)
	}
}
