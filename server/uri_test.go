package server

import (
	"os"
	"path/filepath"
	"testing"

	"go.lsp.dev/protocol"
)

func TestWindowsURIs(t *testing.T) {
	for _, c := range []struct {
		uri  protocol.DocumentURI
		path string
	}{
		{"file:///C:/proj/src/entry.py", `C:\proj\src\entry.py`},
		{"file:///c%3A/proj/src/entry.py", `C:\proj\src\entry.py`}, // VS Code's form
		{"file:///c:/My%20Worker/src/entry.py", `C:\My Worker\src\entry.py`},
		{"file:///D:/caf%C3%A9/wrangler.jsonc", `D:\café\wrangler.jsonc`},
		{"file://server/share/w/entry.py", `\\server\share\w\entry.py`},
		{"untitled:Untitled-1", ""},
	} {
		if got := uriToPathOn("windows", c.uri); got != c.path {
			t.Errorf("uriToPathOn(windows, %q) = %q, want %q", c.uri, got, c.path)
		}
	}
	for _, c := range []struct {
		path string
		uri  protocol.DocumentURI
	}{
		{`C:\proj\src\entry.py`, "file:///C:/proj/src/entry.py"},
		{`c:\My Worker\x.py`, "file:///C:/My%20Worker/x.py"},
		{`\\server\share\w\entry.py`, "file://server/share/w/entry.py"},
	} {
		got := pathToURIOn("windows", c.path)
		if got != c.uri {
			t.Errorf("pathToURIOn(windows, %q) = %q, want %q", c.path, got, c.uri)
		}
		if back := uriToPathOn("windows", got); back != uriToPathOn("windows", c.uri) {
			t.Errorf("round trip of %q gave %q", c.path, back)
		}
	}
	// Elsewhere paths pass through unchanged.
	if got := uriToPathOn("linux", "file:///home/u/My%20Worker/entry.py"); got != "/home/u/My Worker/entry.py" {
		t.Errorf("linux: %q", got)
	}
	if got := pathToURIOn("darwin", "/Users/u/My Worker/entry.py"); got != "file:///Users/u/My%20Worker/entry.py" {
		t.Errorf("darwin: %q", got)
	}
}

// On macOS and Windows a document named in another case than the disk's is
// mapped to the disk's spelling, so the project walk and the editor agree.
func TestOnDiskCase(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "My Worker", "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "My Worker", "src", "Entry.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ in, want string }{
		{filepath.Join(root, "my worker", "SRC", "entry.py"), filepath.Join(root, "My Worker", "src", "Entry.py")},
		{filepath.Join(root, "My Worker", "src", "Entry.py"), filepath.Join(root, "My Worker", "src", "Entry.py")},
		// Not on disk yet: the existing part is fixed, the rest kept.
		{filepath.Join(root, "MY WORKER", "new", "Module.py"), filepath.Join(root, "My Worker", "new", "Module.py")},
	} {
		if got := onDiskCase(c.in, os.ReadDir); got != c.want {
			t.Errorf("onDiskCase(%s) = %s, want %s", c.in, got, c.want)
		}
	}
	// An exact match wins over a case-folded one (case-sensitive volumes).
	if err := os.MkdirAll(filepath.Join(root, "my worker"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := onDiskCase(filepath.Join(root, "my worker"), os.ReadDir); got != filepath.Join(root, "my worker") {
		t.Errorf("exact match: %s", got)
	}
	if !caseInsensitive("darwin") || !caseInsensitive("windows") || caseInsensitive("linux") {
		t.Error("caseInsensitive")
	}
}
