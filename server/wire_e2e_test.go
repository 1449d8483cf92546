package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

func TestCancelRequest(t *testing.T) {
	c := lsptest.Start(t, binary)
	c.Initialize(t, t.TempDir(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		var out any
		// go.lsp.dev's client sends no $/cancelRequest itself; cancel by
		// hand once the call is in flight.
		_, err := c.Conn.Call(ctx, "workspace/executeCommand", map[string]any{"command": "pyworkers.internal.testSleep"}, &out)
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	// Request ids from this client start at 2 (initialize was 1).
	for id := 1; id <= 3; id++ {
		c.Notify(t, "$/cancelRequest", map[string]any{"id": id})
	}
	select {
	case err := <-done:
		var rpcErr *jsonrpc2.Error
		if !asRPC(err, &rpcErr) || rpcErr.Code != -32800 {
			t.Fatalf("want RequestCancelled (-32800), got %v", err)
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("cancellation took too long")
		}
	case <-ctx.Done():
		t.Fatal("the cancelled request never answered")
	}
}

func TestPanicBecomesErrorResponse(t *testing.T) {
	c := lsptest.Start(t, binary)
	c.Initialize(t, t.TempDir(), nil)
	err := c.Call(t, "workspace/executeCommand", map[string]any{"command": "pyworkers.internal.testPanic"}, nil)
	var rpcErr *jsonrpc2.Error
	if !asRPC(err, &rpcErr) || rpcErr.Code != jsonrpc2.InternalError || !strings.Contains(rpcErr.Message, "internal error") {
		t.Fatalf("want InternalError, got %v", err)
	}
	// Still alive.
	var out any
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": "pyworkers.internal.documentState", "arguments": []any{"file:///nope.py"}}, &out); err == nil || !strings.Contains(err.Error(), "not open") {
		t.Fatalf("server after a panic: %v", err)
	}
	if code := c.Shutdown(t); code != 0 {
		t.Fatalf("exit %d", code)
	}
}

func TestLogFileKeepsStdoutForJSONRPC(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "server.log")
	c := lsptest.Start(t, binary, "serve", "--stdio", "--log-file", logFile, "--log-level", "debug")
	c.Initialize(t, t.TempDir(), nil)
	// A failing notification is logged (warn) to the file, not stdout.
	c.Notify(t, "textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": "file:///not-open.py", "version": 2}, "contentChanges": []any{}})
	if code := c.Shutdown(t); code != 0 {
		t.Fatalf("exit %d", code)
	}
	b, err := os.ReadFile(logFile)
	if err != nil || !strings.Contains(string(b), "not open") {
		t.Fatalf("log file: %v\n%s", err, b)
	}
	if c.Stderr.String() != "" {
		t.Fatalf("with --log-file, stderr should stay empty: %q", c.Stderr.String())
	}
}

func TestServeOverTCP(t *testing.T) {
	cmd := exec.Command(binary, "serve", "--listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "PYWORKERS_NO_WARMUP=1")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	addrRe := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)
	sc := bufio.NewScanner(stderr)
	var addr string
	for sc.Scan() {
		if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if addr == "" {
		t.Fatal("no listen address printed")
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	rpc := jsonrpc2.NewConn(jsonrpc2.NewStream(conn))
	rpc.Go(context.Background(), func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		if _, ok := req.(*jsonrpc2.Call); ok {
			return reply(ctx, nil, nil)
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var res map[string]json.RawMessage
	if _, err := rpc.Call(ctx, "initialize", map[string]any{"processId": 1, "capabilities": map[string]any{}}, &res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res["serverInfo"]), "pyworkers-lsp") {
		t.Fatalf("initialize over TCP: %s", res["serverInfo"])
	}
	rpc.Call(ctx, "shutdown", nil, nil)
	rpc.Notify(ctx, "exit", nil)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not exit")
	}
}

func TestVersionAndUsage(t *testing.T) {
	out, err := exec.Command(binary, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "pyworkers-lsp ") {
		t.Fatalf("version: %q %v", out, err)
	}
	if out2, err := exec.Command(binary, "--version").Output(); err != nil || string(out2) != string(out) {
		t.Fatalf("--version: %q %v, want %q", out2, err, out)
	}
	cmd := exec.Command(binary, "frobnicate")
	if err := cmd.Run(); err == nil || cmd.ProcessState.ExitCode() != 2 {
		t.Fatalf("unknown command should exit 2, got %v", err)
	}
}

// `help`, `--help` and `-h` all print the general usage, naming every
// command, on stdout with exit code 0 (not the flags of serve).
func TestHelpListsEveryCommand(t *testing.T) {
	var first string
	for _, arg := range []string{"help", "--help", "-h"} {
		cmd := exec.Command(binary, arg)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\nstderr: %s", arg, err, stderr.String())
		}
		text := string(out)
		if !strings.HasPrefix(text, "pyworkers-lsp — ") {
			t.Errorf("%s does not print the general usage:\n%s", arg, text)
		}
		for _, c := range []string{"serve", "check", "run", "runtime warm", "version", "help"} {
			if !strings.Contains(text, "\n  pyworkers-lsp "+c) {
				t.Errorf("%s: usage lacks the command %q:\n%s", arg, c, text)
			}
		}
		if first == "" {
			first = text
		} else if text != first {
			t.Errorf("%s prints another usage than help:\n%s", arg, text)
		}
	}
}
