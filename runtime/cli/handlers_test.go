package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// actorsWorkspace copies testdata/actors so local state starts empty.
func actorsWorkspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.Walk("../../testdata/actors", func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("../../testdata/actors", p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "main", "wrangler.jsonc")
}

func mustRun(t *testing.T, wantCode int, args ...string) (string, string) {
	t.Helper()
	code, out, errOut := runCLI(t, args...)
	if code != wantCode {
		t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, wantCode, out, errOut)
	}
	return out, errOut
}

func TestRunQueueDurableObjectAndReset(t *testing.T) {
	cfg := actorsWorkspace(t)
	mustRun(t, 0, "--config", cfg, "/send")
	out, errOut := mustRun(t, 0, "--config", cfg, "--queue", "jobs")
	if !strings.Contains(out, "queue jobs: 2 delivered, 2 left") || strings.Count(out, " acked") != 1 || strings.Count(out, " retried") != 1 {
		t.Fatalf("queue stdout:\n%s", out)
	}
	if !strings.Contains(errOut, `queue jobs: {"i": 0} attempts=1`) {
		t.Fatalf("queue stderr:\n%s", errOut)
	}

	out, _ = mustRun(t, 0, "--config", cfg, "--do", "COUNTER", "--name", "a", "--method", "increment", "--args", "[5]")
	if out != "5\n" {
		t.Fatalf("RPC stdout %q", out)
	}
	out, _ = mustRun(t, 0, "--config", cfg, "--do", "Counter", "--name", "a", "/hello")
	if !strings.HasPrefix(out, "HTTP/1.1 200 OK\n") || !strings.HasSuffix(out, "\n\ncount=6 path=/hello") {
		t.Fatalf("fetch stdout %q", out)
	}
	out, _ = mustRun(t, 0, "--config", cfg, "--alarm")
	if out != "no alarms due\n" {
		t.Fatalf("alarm stdout %q", out)
	}

	_, errOut = mustRun(t, 0, "--config", cfg, "--reset-state")
	if !strings.Contains(errOut, "local state reset") {
		t.Fatalf("reset stderr %q", errOut)
	}
	out, _ = mustRun(t, 0, "--config", cfg, "--do", "COUNTER", "--name", "a", "--method", "increment")
	if out != "1\n" {
		t.Fatalf("after reset: %q", out)
	}
}

func TestRunWorkflowAndEvent(t *testing.T) {
	cfg := actorsWorkspace(t)
	out, errOut := mustRun(t, 0, "--config", cfg, "--workflow", "flow", "--params", `{"n": 2}`, "--id", "w1")
	if !strings.Contains(out, "workflow flow instance w1: waiting\n") || !strings.Contains(out, `--workflow-event w1 approve`) {
		t.Fatalf("start stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	out, errOut = mustRun(t, 0, "--config", cfg, "--workflow-event", "w1", "approve", `{"by": "cli"}`)
	if !strings.Contains(out, "instance w1: complete\n") || !strings.Contains(out, `output: {"approved_by":"cli","value":20}`) ||
		!strings.Contains(out, "replayed steps: load, flaky, nap") {
		t.Fatalf("event stdout:\n%s\nstderr:\n%s", out, errOut)
	}
}

func TestRunHandlerUsageErrors(t *testing.T) {
	cfg := actorsWorkspace(t)
	for _, args := range [][]string{
		{"--config", cfg, "--do", "COUNTER"},
		{"--config", cfg, "--queue", "jobs", "--workflow", "flow"},
		{"--config", cfg, "--workflow", "flow", "--params", "{bad"},
		{"--config", cfg, "--do", "COUNTER", "--name", "a", "--method", "m", "--args", `{"not": "a list"}`},
		{"--config", cfg, "--workflow-event", "w1"},
		{"--config", cfg, "--queue", "jobs", "/path"},
	} {
		if code, _, errOut := runCLI(t, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d stderr %q, want 2 and a message", args, code, errOut)
		}
	}
	// Unknown names are errors of the run (exit 1) with a clear message.
	if code, _, errOut := runCLI(t, "--config", cfg, "--queue", "nope"); code != 1 || !strings.Contains(errOut, `queue "nope": the Worker does not consume it`) {
		t.Errorf("unknown queue: exit %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "--config", cfg, "--workflow", "nope"); code != 1 || !strings.Contains(errOut, "is not a workflows binding") {
		t.Errorf("unknown workflow: exit %d %q", code, errOut)
	}
}
