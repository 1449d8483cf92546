package actors

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project/projecttest"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// FindWorker searches with the shared discovery walk: Workers in vendored
// or tool folders are not services of the workspace.
func TestFindWorkerUsesTheDiscoverySkipList(t *testing.T) {
	root := t.TempDir()
	write := func(p, name string) {
		cfg := `{"name": "` + name + `", "main": "entry.py", "compatibility_date": "2026-01-01", "compatibility_flags": ["python_workers"]}`
		projecttest.WriteTree(t, root, map[string]string{p: cfg})
	}
	// The workspace's root: the search stops here instead of climbing
	// into the temp folder, where other tests' Workers live.
	projecttest.WriteTree(t, root, map[string]string{".git/HEAD": "ref: refs/heads/main\n"})
	write("app/wrangler.jsonc", "app")
	write("svc/deep/wrangler.json", "svc")
	write("node_modules/pkg/wrangler.jsonc", "vendored")
	write(".pyworkers/x/wrangler.jsonc", "state")
	spec := runtime.WorkerSpec{Name: "app", ProjectDir: filepath.Join(root, "app")}
	got, err := FindWorker(spec, "svc")
	if err != nil || got.ProjectDir != filepath.Join(root, "svc", "deep") {
		t.Fatalf("svc: %+v, %v", got.ProjectDir, err)
	}
	for _, hidden := range []string{"vendored", "state"} {
		_, err := FindWorker(spec, hidden)
		if err == nil || !strings.Contains(err.Error(), "found: app, svc") {
			t.Errorf("%s: %v", hidden, err)
		}
	}
}
