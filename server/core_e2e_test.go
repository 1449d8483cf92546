package server_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/server"
	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		os.Exit(m.Run()) // fuzzing needs no binary (make fuzz)
	}
	dir, err := os.MkdirTemp("", "pyworkers-e2e")
	if err != nil {
		panic(err)
	}
	binary, err = lsptest.BuildBinary(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// copyFixture copies a testdata project into a temp dir, so tests can edit
// files on disk.
func copyFixture(t testing.TB, name string) string {
	t.Helper()
	return copyTree(t, filepath.Join("..", "testdata", "projects", name))
}

// copyTree copies the folder src into a new temp dir.
func copyTree(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func rng(l1, c1, l2, c2 uint32) protocol.Range {
	return protocol.Range{Start: protocol.Position{Line: l1, Character: c1}, End: protocol.Position{Line: l2, Character: c2}}
}

func TestLifecycleAndIncrementalSync(t *testing.T) {
	root := copyFixture(t, "bindings-jsonc")
	c := lsptest.Start(t, binary)

	// Requests before initialize are refused with ServerNotInitialized.
	err := c.Call(t, "textDocument/hover", map[string]any{
		"textDocument": map[string]any{"uri": lsptest.URI(filepath.Join(root, "src", "entry.py"))},
		"position":     map[string]any{"line": 0, "character": 0},
	}, nil)
	var rpcErr *jsonrpc2.Error
	if err == nil || !asRPC(err, &rpcErr) || rpcErr.Code != -32002 {
		t.Fatalf("request before initialize: %v", err)
	}

	res := c.Initialize(t, root, nil)
	sync, _ := json.Marshal(res.Capabilities.TextDocumentSync)
	if !strings.Contains(string(sync), `"change":2`) {
		t.Fatalf("text sync must be incremental: %s", sync)
	}
	if res.ServerInfo == nil || res.ServerInfo.Name != "pyworkers-lsp" {
		t.Fatalf("server info: %+v", res.ServerInfo)
	}

	// A document with é, 中文 and an emoji; edits after them must land by
	// UTF-16 columns.
	py := filepath.Join(root, "src", "unicode.py")
	text := "s = \"é中😀\"\nx = 1\n"
	c.Open(t, py, "python", &text)
	// Replace the `1`... after the emoji on line 0 insert "!" at UTF-16
	// column 9 (s = " é 中 😀(2 units)) → after the emoji.
	c.Change(t, py, 2, rng(0, 9, 0, 9), "!")
	c.Change(t, py, 3, rng(1, 4, 1, 5), "42")
	c.Change(t, py, 4, rng(1, 6, 1, 6), "\ny = self.env.")

	st := documentState(t, c, py)
	want := "s = \"é中😀!\"\nx = 42\ny = self.env.\n"
	if st.Text != want || st.Version != 4 {
		t.Fatalf("text after edits = %q (version %d), want %q", st.Text, st.Version, want)
	}
	if !st.TreeMatchesFreshParse {
		t.Fatalf("incremental tree differs from a fresh parse: %s", st.Tree)
	}

	if code := c.Shutdown(t); code != 0 {
		t.Fatalf("exit code after shutdown+exit = %d, want 0", code)
	}
}

func asRPC(err error, target **jsonrpc2.Error) bool {
	e, ok := err.(*jsonrpc2.Error)
	if ok {
		*target = e
	}
	return ok
}

// documentState asks the server for its copy of a document, so tests check
// what the server really holds.
func documentState(t *testing.T, c *lsptest.Client, path string) server.DocumentState {
	t.Helper()
	var st server.DocumentState
	err := c.Call(t, "workspace/executeCommand", map[string]any{
		"command":   server.CommandDocumentState,
		"arguments": []any{lsptest.URI(path)},
	}, &st)
	if err != nil {
		t.Fatalf("documentState: %v", err)
	}
	return st
}

// TestBadInputKeepsServing sends what a broken client or a user's worst file
// looks like; after each the server must still answer.
func TestBadInputKeepsServing(t *testing.T) {
	root := copyFixture(t, "bindings-jsonc")
	c := lsptest.Start(t, binary)
	c.Initialize(t, root, nil)
	alive := func(step string) {
		t.Helper()
		py := filepath.Join(root, "src", "entry.py")
		var st server.DocumentState
		if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": server.CommandDocumentState, "arguments": []any{lsptest.URI(py)}}, &st); err != nil {
			t.Fatalf("after %s the server stopped answering: %v\nstderr:\n%s", step, err, c.Stderr)
		}
	}
	c.Open(t, filepath.Join(root, "src", "entry.py"), "python", nil)
	alive("open")

	// A 10 MB file.
	big := strings.Repeat("x = 'padding padding padding padding'\n", 10<<20/38)
	c.Open(t, filepath.Join(root, "src", "big.py"), "python", &big)
	alive("a 10 MB file")

	// Invalid UTF-8 and NUL bytes (JSON carries them as \ufffd and \u0000).
	weird := "x = '\xff\xfe'\x00\nclass A:\n    pass\n"
	c.Open(t, filepath.Join(root, "src", "weird.py"), "python", &weird)
	c.Change(t, filepath.Join(root, "src", "weird.py"), 2, rng(1, 0, 1, 0), "# é\n")
	alive("invalid UTF-8 and NUL bytes")

	// A didChange whose range is past the end of the document.
	c.Change(t, filepath.Join(root, "src", "weird.py"), 3, rng(99, 0, 120, 4), "boom")
	alive("an out-of-range didChange")
	if st := documentState(t, c, filepath.Join(root, "src", "weird.py")); st.Version != 2 {
		t.Fatalf("a rejected change must keep the last good version, got %d", st.Version)
	}

	// A wrangler config that is not JSON at all: a diagnostic at the spot.
	cfg := filepath.Join(root, "wrangler.jsonc")
	notJSON := "this is not JSON"
	c.Open(t, cfg, "jsonc", &notJSON)
	p := c.WaitDiagnostics(t, cfg, 10*time.Second, func(p *protocol.PublishDiagnosticsParams) bool { return hasCode(p, "PW100") })
	for _, d := range p.Diagnostics {
		if d.Code == "PW100" && (d.Range.Start.Line != 0 || !strings.Contains(d.Message, "JSON")) {
			t.Fatalf("config syntax diagnostic: %+v", d)
		}
	}
	alive("a config that is not JSON")

	// A message that is not JSON, written straight on the pipe: the server
	// answers with a ParseError (id null) and reads on.
	c.WriteRaw(t, []byte("Content-Length: 9\r\n\r\n{not json"))
	if e := c.WaitParseError(t, 1, 10*time.Second); e.Code != jsonrpc2.ParseError || !strings.Contains(e.Message, "not valid JSON-RPC") {
		t.Fatalf("answer to a message that is not JSON: %+v", e)
	}
	alive("a message that is not JSON")

	// JSON that is not a JSON-RPC message (no method, no id).
	c.WriteRaw(t, []byte("Content-Length: 2\r\n\r\n{}"))
	if e := c.WaitParseError(t, 2, 10*time.Second); e.Code != jsonrpc2.ParseError {
		t.Fatalf("answer to JSON that is not JSON-RPC: %+v", e)
	}
	alive("JSON that is not JSON-RPC")

	// A header block without Content-Length is skipped, and the message
	// after it is read.
	c.WriteRaw(t, []byte("Content-Type: application/json\r\n\r\n"))
	alive("a header without Content-Length")

	// A request whose params are the wrong shape: InvalidParams, not a
	// dropped connection.
	var out any
	err := c.Call(t, "workspace/executeCommand", "not an object", &out)
	var rpcErr *jsonrpc2.Error
	if err == nil || !asRPC(err, &rpcErr) || rpcErr.Code != jsonrpc2.InvalidParams {
		t.Fatalf("wrong-shaped params: got %v, want an InvalidParams error", err)
	}
	alive("wrong-shaped params")

	if code := c.Shutdown(t); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestExitWithoutShutdownIsOne(t *testing.T) {
	c := lsptest.Start(t, binary)
	c.Initialize(t, t.TempDir(), nil)
	c.Notify(t, "exit", nil)
	done := make(chan struct{})
	go func() { c.Cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("no exit")
	}
	if code := c.Cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("exit without shutdown: code %d, want 1", code)
	}
}

// TestProjectModelFollowsConfigEdits: editing wrangler.jsonc in the editor
// (unsaved) and changing it on disk both rebuild the model.
func TestProjectModelFollowsConfigEdits(t *testing.T) {
	root := copyFixture(t, "bindings-jsonc")
	c := lsptest.Start(t, binary)
	c.Initialize(t, root, nil)
	cfg := filepath.Join(root, "wrangler.jsonc")
	text := c.Open(t, cfg, "jsonc", nil)
	// Break the config in the buffer: an error appears.
	i := strings.Index(text, `"main"`)
	lines := strings.Split(text[:i], "\n")
	line := uint32(len(lines) - 1)
	col := uint32(len(lines[len(lines)-1]))
	c.Change(t, cfg, 2, rng(line, col, line, col), "}}}")
	c.WaitDiagnostics(t, cfg, 10*time.Second, func(p *protocol.PublishDiagnosticsParams) bool { return hasCode(p, "PW100") && p.Version == 2 })
	// Fix it again: the error clears.
	c.Change(t, cfg, 3, rng(line, col, line, col+3), "")
	c.WaitDiagnostics(t, cfg, 10*time.Second, func(p *protocol.PublishDiagnosticsParams) bool { return !hasCode(p, "PW100") && p.Version == 3 })

	// The client registered file watching for the project files.
	time.Sleep(200 * time.Millisecond)
	found := false
	for _, r := range c.RegisteredMethods() {
		found = found || r == "workspace/didChangeWatchedFiles"
	}
	if !found {
		t.Fatalf("no didChangeWatchedFiles registration: %v", c.RegisteredMethods())
	}
}

func hasCode(p *protocol.PublishDiagnosticsParams, code string) bool {
	for _, d := range p.Diagnostics {
		if d.Code == code {
			return true
		}
	}
	return false
}
