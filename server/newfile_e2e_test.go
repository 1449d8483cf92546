package server_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

// TestNewPythonFileOnDisk: a module created on disk (reported by the
// client's file watcher) joins the Worker — here it supplies the Durable
// Object class the config names, so PW006 goes away.
func TestNewPythonFileOnDisk(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "src"), 0o755)
	cfg := filepath.Join(root, "wrangler.jsonc")
	os.WriteFile(cfg, []byte(`{"name": "n", "main": "src/entry.py", "compatibility_date": "2025-11-01", "compatibility_flags": ["python_workers"],
  "durable_objects": { "bindings": [{ "name": "COUNTER", "class_name": "Counter" }] }}`), 0o644)
	os.WriteFile(filepath.Join(root, "src", "entry.py"), []byte(projectWorker), 0o644)

	c := lsptest.Start(t, binary)
	c.Initialize(t, root, nil)
	c.Open(t, cfg, "jsonc", nil)
	c.WaitDiagnostics(t, cfg, 10*time.Second, func(p *protocol.PublishDiagnosticsParams) bool { return hasCode(p, "PW006") })
	deadline := time.Now().Add(10 * time.Second)
	for len(c.RegisteredMethods()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // file watching is registered after initialized
	}

	mod := filepath.Join(root, "src", "counter.py")
	os.WriteFile(mod, []byte("from workers import DurableObject\n\n\nclass Counter(DurableObject):\n    async def fetch(self, request):\n        return None\n"), 0o644)
	c.Notify(t, "workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": lsptest.URI(mod), "type": 1}}})
	c.WaitDiagnostics(t, cfg, 10*time.Second, func(p *protocol.PublishDiagnosticsParams) bool { return !hasCode(p, "PW006") })
}
