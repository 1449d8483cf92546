package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

const projectWorker = `from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        value = await self.env.CACHE.get("k")
        return Response(value or "")
`

func waitLabels(t *testing.T, c *lsptest.Client, py string, pos protocol.Position, ok func([]string) bool) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		labels := itemLabels(completeAt(t, c, py, pos))
		if ok(labels) {
			return labels
		}
		if time.Now().After(deadline) {
			t.Fatalf("completion never matched; last %v", labels)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func has(labels []string, want string) bool {
	for _, l := range labels {
		if l == want {
			return true
		}
	}
	return false
}

// TestConfigChangeOnDiskAndEnvironmentSetting: the project model follows a
// wrangler.jsonc changed on disk (watched-files notification), .dev.vars,
// and the environment chosen in settings.
func TestConfigChangeOnDiskAndEnvironmentSetting(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "src"), 0o755)
	cfg := filepath.Join(root, "wrangler.jsonc")
	write := func(text string) {
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`{
  "name": "p", "main": "src/entry.py", "compatibility_date": "2025-11-01", "compatibility_flags": ["python_workers"],
  "kv_namespaces": [{ "binding": "CACHE", "id": "a" }],
  "env": { "staging": { "kv_namespaces": [{ "binding": "STAGING_CACHE", "id": "b" }] } }
}`)
	py := filepath.Join(root, "src", "entry.py")
	os.WriteFile(py, []byte(projectWorker), 0o644)

	c := lsptest.Start(t, binary)
	c.Initialize(t, root, nil)
	c.Open(t, py, "python", nil)
	pos := posOf(t, projectWorker, "self.env.", len("self.env."))
	waitLabels(t, c, py, pos, func(l []string) bool { return has(l, "CACHE") && !has(l, "SESSIONS") })

	// A binding added on disk shows up after the watched-files notification.
	write(`{
  "name": "p", "main": "src/entry.py", "compatibility_date": "2025-11-01", "compatibility_flags": ["python_workers"],
  "kv_namespaces": [{ "binding": "CACHE", "id": "a" }, { "binding": "SESSIONS", "id": "c" }],
  "env": { "staging": { "kv_namespaces": [{ "binding": "STAGING_CACHE", "id": "b" }] } }
}`)
	c.Notify(t, "workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": lsptest.URI(cfg), "type": 2}}})
	waitLabels(t, c, py, pos, func(l []string) bool { return has(l, "SESSIONS") })

	// A secret in .dev.vars appears by name.
	os.WriteFile(filepath.Join(root, ".dev.vars"), []byte("API_TOKEN=s3cret\n"), 0o644)
	c.Notify(t, "workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": lsptest.URI(filepath.Join(root, ".dev.vars")), "type": 1}}})
	labels := waitLabels(t, c, py, pos, func(l []string) bool { return has(l, "API_TOKEN") })
	for _, it := range completeAt(t, c, py, pos) {
		if strings.Contains(it.Detail, "s3cret") || strings.Contains(string(mustJSON(t, it.Documentation)), "s3cret") {
			t.Fatalf("a secret value leaked into completion: %+v", it)
		}
	}
	_ = labels

	// Switching the environment in settings switches the bindings.
	c.Notify(t, "workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"pyworkers": map[string]any{"environment": "staging"}}})
	waitLabels(t, c, py, pos, func(l []string) bool { return has(l, "STAGING_CACHE") && !has(l, "SESSIONS") })

	// And in staging, CACHE is an unknown binding (PW004) in the editor.
	c.Change(t, py, 2, rng(0, 0, 0, 0), "")
	c.WaitDiagnostics(t, py, 10*time.Second, func(p *protocol.PublishDiagnosticsParams) bool { return hasCode(p, "PW004") })
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
