package server_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

// TestConfigReReadOnSaveWithoutFileWatching: a client that cannot register
// file watchers still gets a fresh project model when it saves the config.
func TestConfigReReadOnSaveWithoutFileWatching(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "src"), 0o755)
	cfg := filepath.Join(root, "wrangler.jsonc")
	os.WriteFile(cfg, []byte(`{"name": "s", "main": "src/entry.py", "compatibility_date": "2025-11-01", "compatibility_flags": ["python_workers"],
  "kv_namespaces": [{ "binding": "CACHE", "id": "a" }]}`), 0o644)
	py := filepath.Join(root, "src", "entry.py")
	os.WriteFile(py, []byte(projectWorker), 0o644)

	c := lsptest.Start(t, binary)
	var res map[string]any
	if err := c.Call(t, "initialize", map[string]any{
		"processId": os.Getpid(), "rootUri": lsptest.URI(root),
		"capabilities": map[string]any{}, // no dynamic registration, no configuration pull
	}, &res); err != nil {
		t.Fatal(err)
	}
	c.Notify(t, "initialized", map[string]any{})
	c.Open(t, py, "python", nil)
	pos := posOf(t, projectWorker, "self.env.", len("self.env."))
	waitLabels(t, c, py, pos, func(l []string) bool { return has(l, "CACHE") && !has(l, "SESSIONS") })

	if len(c.RegisteredMethods()) != 0 {
		t.Fatalf("registered %v with a client that cannot", c.RegisteredMethods())
	}
	os.WriteFile(cfg, []byte(`{"name": "s", "main": "src/entry.py", "compatibility_date": "2025-11-01", "compatibility_flags": ["python_workers"],
  "kv_namespaces": [{ "binding": "CACHE", "id": "a" }, { "binding": "SESSIONS", "id": "b" }]}`), 0o644)
	c.Notify(t, "textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(cfg)}})
	waitLabels(t, c, py, pos, func(l []string) bool { return has(l, "SESSIONS") })
}
