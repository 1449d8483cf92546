// Package lsptest drives the built pyworkers-lsp binary as an LSP client
// would, over pipes, with the client side of go.lsp.dev/jsonrpc2 and the
// go.lsp.dev/protocol types — not with the server's own code. End-to-end
// tests in server/ (and the bench driver) use it.
package lsptest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// BuildBinary builds the server into dir and returns its path. Tests call it
// once from TestMain. With PYWORKERS_BIN set it returns that binary instead
// (`make coverage` passes one built with -cover).
func BuildBinary(dir string) (string, error) {
	if bin := os.Getenv("PYWORKERS_BIN"); bin != "" {
		return filepath.Abs(bin)
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	bin := filepath.Join(dir, "pyworkers-lsp")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// Client is one running server plus a client connection to it.
type Client struct {
	Cmd    *exec.Cmd
	Conn   jsonrpc2.Conn
	Stderr *safeBuffer

	stream      *clientStream
	mu          sync.Mutex
	diagnostics map[protocol.DocumentURI]*protocol.PublishDiagnosticsParams
	diagWaiters []chan struct{}
	logs        []string
	shown       []string
	// Settings answers workspace/configuration.
	Settings any
	// Registrations records client/registerCapability methods.
	Registrations []string
	// ShowDocuments records window/showDocument URIs.
	ShowDocuments []string
	// Progress records $/progress payloads.
	Progress []json.RawMessage
}

type safeBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// Start launches bin with args and connects to its stdio. The runtime
// warm-up is off (PYWORKERS_NO_WARMUP=1); StartWithRuntime keeps it.
func Start(t testing.TB, bin string, args ...string) *Client {
	t.Helper()
	return start(t, bin, []string{"PYWORKERS_TEST=1", "PYWORKERS_NO_WARMUP=1"}, args...)
}

// StartWithRuntime launches bin with the runtime warm-up on, as an editor
// would.
func StartWithRuntime(t testing.TB, bin string, args ...string) *Client {
	t.Helper()
	return start(t, bin, []string{"PYWORKERS_TEST=1"}, args...)
}

func start(t testing.TB, bin string, env []string, args ...string) *Client {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{Cmd: cmd, Stderr: &safeBuffer{}, diagnostics: map[protocol.DocumentURI]*protocol.PublishDiagnosticsParams{}}
	cmd.Stderr = c.Stderr
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c.stream = newClientStream(stdout, stdin)
	c.Conn = jsonrpc2.NewConn(c.stream)
	c.Conn.Go(context.Background(), c.handle)
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			c.stop()
		}
		c.Conn.Close()
	})
	return c
}

// stop ends a server the test left running: shutdown + exit, so that a
// binary built with -cover writes its counters (`make coverage`), and a kill
// when it does not exit within a few seconds.
func (c *Client) stop() {
	done := make(chan struct{})
	go func() { c.Cmd.Wait(); close(done) }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Conn.Call(ctx, "shutdown", nil, nil); err == nil {
		c.Conn.Notify(ctx, "exit", nil)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		c.Cmd.Process.Kill()
		<-done
	}
}

func (c *Client) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	switch req.Method() {
	case "textDocument/publishDiagnostics":
		var p protocol.PublishDiagnosticsParams
		if err := json.Unmarshal(req.Params(), &p); err == nil {
			c.mu.Lock()
			c.diagnostics[p.URI] = &p
			for _, w := range c.diagWaiters {
				select {
				case w <- struct{}{}:
				default:
				}
			}
			c.mu.Unlock()
		}
		return nil
	case "window/logMessage", "window/showMessage":
		var p protocol.LogMessageParams
		json.Unmarshal(req.Params(), &p)
		c.mu.Lock()
		if req.Method() == "window/showMessage" {
			c.shown = append(c.shown, p.Message)
		} else {
			c.logs = append(c.logs, p.Message)
		}
		c.mu.Unlock()
		return nil
	case "workspace/configuration":
		c.mu.Lock()
		s := c.Settings
		c.mu.Unlock()
		return reply(ctx, []any{s}, nil)
	case "client/registerCapability":
		var p struct {
			Registrations []struct {
				Method string `json:"method"`
			} `json:"registrations"`
		}
		json.Unmarshal(req.Params(), &p)
		c.mu.Lock()
		for _, r := range p.Registrations {
			c.Registrations = append(c.Registrations, r.Method)
		}
		c.mu.Unlock()
		return reply(ctx, nil, nil)
	case "window/showDocument":
		var p struct {
			URI string `json:"uri"`
		}
		json.Unmarshal(req.Params(), &p)
		c.mu.Lock()
		c.ShowDocuments = append(c.ShowDocuments, p.URI)
		c.mu.Unlock()
		return reply(ctx, map[string]any{"success": true}, nil)
	case "$/progress":
		c.mu.Lock()
		c.Progress = append(c.Progress, req.Params())
		c.mu.Unlock()
		return nil
	case "window/workDoneProgress/create", "workspace/codeLens/refresh":
		return reply(ctx, nil, nil)
	}
	if _, isCall := req.(*jsonrpc2.Call); isCall {
		return reply(ctx, nil, jsonrpc2.NewError(jsonrpc2.MethodNotFound, req.Method()))
	}
	return nil
}

// Call sends a request and decodes its result.
func (c *Client) Call(t testing.TB, method string, params, result any) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err := c.Conn.Call(ctx, method, params, result)
	return err
}

// Notify sends a notification.
func (c *Client) Notify(t testing.TB, method string, params any) {
	t.Helper()
	if err := c.Conn.Notify(context.Background(), method, params); err != nil {
		t.Fatalf("notify %s: %v", method, err)
	}
}

// Initialize runs initialize + initialized for a workspace folder.
func (c *Client) Initialize(t testing.TB, root string, initOptions any) *protocol.InitializeResult {
	t.Helper()
	params := map[string]any{
		"processId": os.Getpid(),
		"rootUri":   URI(root),
		"workspaceFolders": []map[string]any{
			{"uri": URI(root), "name": filepath.Base(root)},
		},
		"capabilities": map[string]any{
			"workspace": map[string]any{
				"configuration":         true,
				"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true},
				"codeLens":              map[string]any{"refreshSupport": true},
			},
			"window": map[string]any{
				"workDoneProgress": true,
				"showDocument":     map[string]any{"support": true},
			},
			"textDocument": map[string]any{
				"publishDiagnostics": map[string]any{"versionSupport": true},
				"completion":         map[string]any{"completionItem": map[string]any{"snippetSupport": true}},
			},
		},
		"initializationOptions": initOptions,
	}
	var res protocol.InitializeResult
	if err := c.Call(t, "initialize", params, &res); err != nil {
		t.Fatalf("initialize: %v\nstderr:\n%s", err, c.Stderr)
	}
	c.Notify(t, "initialized", map[string]any{})
	return &res
}

// Shutdown sends shutdown + exit and waits for the process; it returns the
// exit code.
func (c *Client) Shutdown(t testing.TB) int {
	t.Helper()
	if err := c.Call(t, "shutdown", nil, nil); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	c.Notify(t, "exit", nil)
	done := make(chan error, 1)
	go func() { done <- c.Cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("server did not exit after exit")
	}
	return c.Cmd.ProcessState.ExitCode()
}

// URI turns a path into a file URI.
func URI(path string) protocol.DocumentURI {
	abs, _ := filepath.Abs(path)
	return protocol.DocumentURI("file://" + filepath.ToSlash(abs))
}

// Open sends didOpen with the file's content from disk (or text if given).
func (c *Client) Open(t testing.TB, path, languageID string, text *string) string {
	t.Helper()
	var content string
	if text != nil {
		content = *text
	} else {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		content = string(b)
	}
	c.Notify(t, "textDocument/didOpen", map[string]any{
		"textDocument": map[string]any{"uri": URI(path), "languageId": languageID, "version": 1, "text": content},
	})
	return content
}

// Change sends one incremental change.
func (c *Client) Change(t testing.TB, path string, version int, rng protocol.Range, text string) {
	t.Helper()
	c.Notify(t, "textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": URI(path), "version": version},
		"contentChanges": []map[string]any{{"range": rng, "text": text}},
	})
}

// WaitDiagnostics waits until diagnostics for path satisfy ok.
func (c *Client) WaitDiagnostics(t testing.TB, path string, timeout time.Duration, ok func(*protocol.PublishDiagnosticsParams) bool) *protocol.PublishDiagnosticsParams {
	t.Helper()
	return c.WaitDiagnosticsURI(t, URI(path), timeout, ok)
}

// WaitDiagnosticsURI waits until diagnostics for the URI u (as the server
// publishes it) satisfy ok.
func (c *Client) WaitDiagnosticsURI(t testing.TB, u protocol.DocumentURI, timeout time.Duration, ok func(*protocol.PublishDiagnosticsParams) bool) *protocol.PublishDiagnosticsParams {
	t.Helper()
	w := make(chan struct{}, 1)
	c.mu.Lock()
	c.diagWaiters = append(c.diagWaiters, w)
	c.mu.Unlock()
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		p := c.diagnostics[u]
		c.mu.Unlock()
		if p != nil && ok(p) {
			return p
		}
		select {
		case <-w:
		case <-deadline:
			t.Fatalf("timed out waiting for diagnostics on %s; last: %+v\nstderr:\n%s", u, p, c.Stderr)
			return nil
		}
	}
}

// Diagnostics returns the last published diagnostics for path.
func (c *Client) Diagnostics(path string) *protocol.PublishDiagnosticsParams {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.diagnostics[URI(path)]
}

// Progress and window messages are recorded; ProgressCount returns how many
// $/progress notifications arrived.
func (c *Client) ProgressCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.Progress)
}

// RegisteredMethods returns the methods of client/registerCapability calls.
func (c *Client) RegisteredMethods() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.Registrations...)
}

// ShownDocuments returns the window/showDocument URIs so far.
func (c *Client) ShownDocuments() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.ShowDocuments...)
}

// Logs returns window/logMessage and window/showMessage texts so far.
func (c *Client) Logs() (logs, shown []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.logs...), append([]string(nil), c.shown...)
}

// ProgressText returns the $/progress payloads so far, one per line.
func (c *Client) ProgressText() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, p := range c.Progress {
		b.Write(p)
		b.WriteByte('\n')
	}
	return b.String()
}
