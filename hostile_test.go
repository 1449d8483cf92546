package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

// A hostile repository: each file `check` and `run` read is in turn a link
// to /dev/zero, a FIFO or a 3 GiB sparse file. The built binary fails fast
// (well within its timeout, under a 4 GB address-space limit) and names the
// file; before project.ReadFile it died of "out of memory" or hung.
func TestHostileProjectFiles(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("needs /dev/zero")
	}
	bin, err := lsptest.BuildBinary(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const cfg = `{"name": "w", "main": "main.py", "compatibility_date": "2025-09-01", "compatibility_flags": ["python_workers"]}`
	const main = "from workers import WorkerEntrypoint, Response\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return Response('ok')\n"
	for _, name := range []string{"wrangler.jsonc", "pyproject.toml", ".dev.vars", ".env", "requirements.txt", "main.py", "lib.py"} {
		for _, kind := range []string{"zero", "fifo", "sparse"} {
			t.Run(name+"/"+kind, func(t *testing.T) {
				dir := t.TempDir()
				files := map[string]string{"wrangler.jsonc": cfg, "main.py": main}
				delete(files, name)
				for n, text := range files {
					if err := os.WriteFile(filepath.Join(dir, n), []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				makeHostile(t, filepath.Join(dir, name), kind)
				want := name + " is not a regular file"
				if kind == "sparse" {
					want = name + " is larger than "
				}
				for _, cmd := range []string{"check", "run"} {
					code, out := runBounded(t, dir, bin, cmd)
					if code == 0 || !strings.Contains(out, want) {
						if len(out) > 400 {
							out = out[:400] + "…"
						}
						t.Errorf("%s: exit %d, want a failure saying %q; output:\n%s", cmd, code, want, out)
					}
				}
			})
		}
	}
}

func makeHostile(t *testing.T, path, kind string) {
	t.Helper()
	switch kind {
	case "zero":
		if err := os.Symlink("/dev/zero", path); err != nil {
			t.Fatal(err)
		}
	case "fifo":
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Skip("mkfifo:", err)
		}
	case "sparse":
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(3 << 30); err != nil {
			t.Skip("truncate:", err)
		}
	}
}

// runBounded runs the binary in dir with a 15 s timeout and a 4 GB
// address-space limit (so the old behaviour fails the test instead of the
// machine); it returns the exit code (-1 on timeout) and stdout+stderr.
func runBounded(t *testing.T, dir, bin string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", append([]string{"-c", `ulimit -v 4000000 && exec "$0" "$@"`, bin}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return -1, "timed out after " + time.Since(start).String() + "\n" + string(out)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("%v took %v", args, took)
	}
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		t.Fatal(err)
	}
	return 0, string(out)
}
