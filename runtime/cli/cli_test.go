package cli

import (
	"bytes"
	"strings"
	"testing"
)

// These tests run the real runtime; they need `bash runtime/artifacts/build.sh`.

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &out, &errOut)
	if strings.Contains(errOut.String(), "no Python runtime") {
		t.Fatalf("runtime artifacts are missing; run `bash runtime/artifacts/build.sh`: %s", errOut.String())
	}
	return code, out.String(), errOut.String()
}

const appConfig = "../../testdata/runtime/app/wrangler.toml"

func TestRunPrintsResponseLikeCurl(t *testing.T) {
	code, out, errOut := runCLI(t, "--config", appConfig, "/json", "-d", `{"k": [1, 2]}`, "-H", "Content-Type: application/json")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	want := "HTTP/1.1 201 Created\ncontent-type: application/json\ncontent-length: 41\n\n" +
		`{"echo": {"k": [1, 2]}, "method": "POST"}`
	if out != want {
		t.Fatalf("stdout:\n%q\nwant:\n%q", out, want)
	}
}

// A response whose app set content-length prints it once.
func TestRunPrintsTheAppsContentLengthOnce(t *testing.T) {
	code, out, errOut := runCLI(t, "--config", "../../testdata/runtime/signatures/wrangler.jsonc", "/")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if n := strings.Count(strings.ToLower(out), "content-length:"); n != 1 {
		t.Fatalf("content-length printed %d times:\n%s", n, out)
	}
	if !strings.HasSuffix(out, "\n\nhello sig") {
		t.Fatalf("stdout %q", out)
	}
}

func TestRunVarsSecretsAndPrintGoToStderr(t *testing.T) {
	code, out, errOut := runCLI(t, "--config", "../../testdata/runtime/hello/wrangler.jsonc", "/?name=cli")
	if code != 0 || !strings.HasSuffix(out, "\n\nhello cli") {
		t.Fatalf("exit %d stdout %q stderr %q", code, out, errOut)
	}
	if errOut != "handling GET http://localhost:8787/?name=cli\n" {
		t.Fatalf("stderr %q", errOut)
	}
	code, out, _ = runCLI(t, "--config", appConfig, "/env")
	if code != 0 || !strings.Contains(out, `"token": "s3cr3t"`) || !strings.Contains(out, `"max": 3`) {
		t.Fatalf(".dev.vars secret or TOML var missing: exit %d %s", code, out)
	}
}

func TestRunExceptionExitsOneWithTraceback(t *testing.T) {
	code, out, errOut := runCLI(t, "--config", appConfig, "/error")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.HasPrefix(out, "HTTP/1.1 500 Internal Server Error\n") || !strings.Contains(out, "\n\nError: PythonError: Traceback") {
		t.Fatalf("stdout %q", out)
	}
	if !strings.Contains(errOut, "ValueError: boom from the handler") {
		t.Fatalf("stderr lacks the traceback: %q", errOut)
	}
}

func TestRunScheduled(t *testing.T) {
	code, out, errOut := runCLI(t, "--config", appConfig, "--scheduled", "0 * * * *")
	if code != 0 || out != "" || !strings.HasPrefix(errOut, "cron 0 * * * * at ") {
		t.Fatalf("exit %d stdout %q stderr %q", code, out, errOut)
	}
}

func TestRunUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--config", appConfig, "no-slash"},
		{"--config", appConfig, "-H", "bad header"},
		{"--config", "/nonexistent/wrangler.toml"},
		{"--bogus"},
		{"--config", appConfig, "--env", "staging"},
	} {
		if code, _, errOut := runCLI(t, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d stderr %q, want 2 and a message", args, code, errOut)
		}
	}
}

func TestRuntimeWarm(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := RuntimeMain([]string{"warm"}, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "runtime ready") {
		t.Fatalf("exit %d stderr %q", code, errOut.String())
	}
	if out.Len() != 0 {
		t.Fatalf("runtime warm wrote to stdout: %q", out.String())
	}
	if code := RuntimeMain([]string{"bogus"}, &out, &errOut); code != 2 {
		t.Fatalf("unknown subcommand: exit %d", code)
	}
}
