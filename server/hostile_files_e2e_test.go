package server_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

// A Worker whose wrangler.jsonc is a FIFO and whose .dev.vars links to
// /dev/zero (issue 17): the server opens neither as a file to read, keeps
// answering, and shuts down cleanly — before, the FIFO blocked it for good
// and /dev/zero grew it past 3 GB.
func TestHostileProjectFilesKeepServing(t *testing.T) {
	root := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(root, "wrangler.jsonc"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(root, ".dev.vars")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(root, "pyproject.toml")); err != nil {
		t.Fatal(err)
	}
	src := "from workers import WorkerEntrypoint\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return self.env.\n"
	main := filepath.Join(root, "entry.py")
	if err := os.WriteFile(main, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	c := lsptest.Start(t, binary)
	done := make(chan int, 1)
	go func() {
		c.Initialize(t, root, nil)
		c.Open(t, main, "python", nil)
		var items any
		_ = c.Call(t, "textDocument/completion", map[string]any{
			"textDocument": map[string]any{"uri": lsptest.URI(main)},
			"position":     map[string]any{"line": 4, "character": 24},
		}, &items)
		done <- c.Shutdown(t)
	}()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit code %d", code)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the server stopped answering with a FIFO config and /dev/zero links in the workspace")
	}
}
