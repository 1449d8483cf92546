package server_test

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

// Issue 13 from the editor: pyworkers.applyD1Migrations migrates the
// Worker's database, pyworkers.startDevServer serves the Worker of the
// current file over real HTTP (its output in the server's log), and
// pyworkers.stopDevServer stops it.
func TestDevServerAndMigrationsFromTheEditor(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Python runtime")
	}
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("../testdata/dev/app")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(root, ".pyworkers"))
	py := filepath.Join(root, "src", "entry.py")
	c := lsptest.StartWithRuntime(t, binary)
	c.Initialize(t, root, nil)
	c.Open(t, py, "python", nil)

	// The lens on a migration file applies its database's migrations.
	sqlFile := filepath.Join(root, "migrations", "0001_create_notes.sql")
	c.Open(t, sqlFile, "sql", nil)
	var lenses []protocol.CodeLens
	if err := c.Call(t, "textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(sqlFile)}}, &lenses); err != nil ||
		len(lenses) != 1 || lenses[0].Command.Title != "▶ Apply D1 migrations (DB)" {
		t.Fatalf("migration lenses %+v: %v", lenses, err)
	}
	var mig map[string]any
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": lenses[0].Command.Command,
		"arguments": lenses[0].Command.Arguments}, &mig); err != nil {
		t.Fatalf("applyD1Migrations: %v\n%s", err, c.Stderr)
	}
	if out, _ := mig["output"].(string); !strings.Contains(out, "0002_add_author.sql applied") {
		t.Fatalf("migrations: %v", mig)
	}

	var st struct {
		Running bool   `json:"running"`
		URL     string `json:"url"`
	}
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": "pyworkers.startDevServer",
		"arguments": []any{map[string]any{"uri": lsptest.URI(py), "port": freePort(t)}}}, &st); err != nil || !st.Running {
		t.Fatalf("startDevServer: %v %+v\n%s", err, st, c.Stderr)
	}
	resp, err := http.Get(st.URL + "/notes")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "[]" {
		t.Fatalf("GET /notes through the editor's dev server: %d %q", resp.StatusCode, body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		logs, shown := c.Logs()
		if strings.Contains(strings.Join(logs, "\n"), "dev: [pyworkers] GET /notes 200 OK") &&
			strings.Contains(strings.Join(shown, "\n"), "dev server for") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no request line in the log:\n%s\nshown: %v", strings.Join(logs, "\n"), shown)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": "pyworkers.stopDevServer", "arguments": []any{}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(st.URL + "/"); err == nil {
		t.Fatal("the dev server still answers after stopDevServer")
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Static assets through a ▶ Run lens: a `# pyworkers: GET /about` directive
// answers from the assets directory before the Worker, as on Cloudflare.
func TestLensServesStaticAssets(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Python runtime")
	}
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("../testdata/assets/worker")); err != nil {
		t.Fatal(err)
	}
	py := filepath.Join(root, "src", "entry.py")
	src, _ := os.ReadFile(py)
	withDirective := strings.Replace(string(src), "    async def fetch(self, request):", "    # pyworkers: GET /about\n    async def fetch(self, request):", 1)
	os.WriteFile(py, []byte(withDirective), 0o644)
	c := lsptest.StartWithRuntime(t, binary)
	c.Initialize(t, root, nil)
	c.Open(t, py, "python", nil)
	var lenses []protocol.CodeLens
	if err := c.Call(t, "textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(py)}}, &lenses); err != nil || len(lenses) != 1 {
		t.Fatalf("lenses %+v: %v", lenses, err)
	}
	var out map[string]any
	if err := c.Call(t, "workspace/executeCommand", map[string]any{"command": lenses[0].Command.Command, "arguments": lenses[0].Command.Arguments}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, c.Stderr)
	}
	report, err := os.ReadFile(out["resultFile"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(report), "HTTP/1.1 200 OK") || !strings.Contains(string(report), "text/html; charset=utf-8") || !strings.Contains(string(report), "<h1>About</h1>") {
		t.Fatalf("the lens did not serve the asset:\n%s", report)
	}
}
