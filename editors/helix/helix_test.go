// Package helix_test checks editors/helix/languages.toml: it parses the
// snippet as Helix would, checks that pyworkers-lsp is added next to Helix's
// default servers, and runs the built binary with the snippet's command and
// args (resolved on PATH, as Helix does) through an LSP initialize, a
// completion after `self.env.` and the PWxxx diagnostics of the editors
// fixture, with the snippet's config as initializationOptions and as the
// answer to workspace/configuration.
//
// The binary is $PYWORKERS_BIN when set, else built into a temp dir.
package helix_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"
	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/server"
	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

// helixDefaults are the language-servers of Helix's own languages.toml
// (helix-editor/helix master, July 2026) for the languages the snippet
// overrides; a user's list replaces Helix's, so the snippet must repeat them.
var helixDefaults = map[string][]string{
	"python": {"ty", "ruff", "jedi", "pylsp", "zuban"},
	"json":   {"vscode-json-language-server"},
	"jsonc":  {"vscode-json-language-server"},
	"toml":   {"taplo", "tombi"},
}

var rootMarkers = []string{"wrangler.jsonc", "wrangler.json", "wrangler.toml"}

type languageServer struct {
	Command              string         `toml:"command"`
	Args                 []string       `toml:"args"`
	Config               map[string]any `toml:"config"`
	RequiredRootPatterns []string       `toml:"required-root-patterns"`
}

type language struct {
	Name            string   `toml:"name"`
	Roots           []string `toml:"roots"`
	LanguageServers []any    `toml:"language-servers"` // names or {name = ...} tables
}

type snippet struct {
	LanguageServer map[string]languageServer `toml:"language-server"`
	Language       []language                `toml:"language"`
}

func load(t *testing.T) snippet {
	t.Helper()
	b, err := os.ReadFile("languages.toml")
	if err != nil {
		t.Fatal(err)
	}
	var s snippet
	dec := toml.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("languages.toml: %v", err)
	}
	return s
}

func serverNames(l language) []string {
	var out []string
	for _, s := range l.LanguageServers {
		switch v := s.(type) {
		case string:
			out = append(out, v)
		case map[string]any:
			name, _ := v["name"].(string)
			out = append(out, name)
		}
	}
	return out
}

func TestSnippetAddsPyworkersNextToDefaults(t *testing.T) {
	s := load(t)
	ls, ok := s.LanguageServer["pyworkers"]
	if !ok {
		t.Fatal("no [language-server.pyworkers]")
	}
	if ls.Command != "pyworkers-lsp" {
		t.Errorf("command = %q, want pyworkers-lsp", ls.Command)
	}
	if !slices.Equal(ls.RequiredRootPatterns, rootMarkers) {
		t.Errorf("required-root-patterns = %v, want %v", ls.RequiredRootPatterns, rootMarkers)
	}
	seen := map[string]bool{}
	for _, l := range s.Language {
		defaults, ok := helixDefaults[l.Name]
		if !ok {
			t.Errorf("unexpected language %q", l.Name)
			continue
		}
		seen[l.Name] = true
		names := serverNames(l)
		if !slices.Contains(names, "pyworkers") {
			t.Errorf("%s: pyworkers missing from %v", l.Name, names)
		}
		for _, d := range defaults {
			if !slices.Contains(names, d) {
				t.Errorf("%s: Helix's default server %q dropped: %v", l.Name, d, names)
			}
		}
		for _, m := range rootMarkers {
			if !slices.Contains(l.Roots, m) {
				t.Errorf("%s: root marker %s missing from %v", l.Name, m, l.Roots)
			}
		}
	}
	for name := range helixDefaults {
		if !seen[name] {
			t.Errorf("no [[language]] entry for %s", name)
		}
	}
}

// TestConfigKeysAreServerSettings checks every key under config.pyworkers
// against the server's Settings (its JSON names).
func TestConfigKeysAreServerSettings(t *testing.T) {
	ls := load(t).LanguageServer["pyworkers"]
	section, ok := ls.Config["pyworkers"].(map[string]any)
	if !ok {
		t.Fatalf("config has no pyworkers table: %v", ls.Config)
	}
	known := map[string]bool{}
	st := reflect.TypeOf(server.Settings{})
	for i := 0; i < st.NumField(); i++ {
		name, _, _ := strings.Cut(st.Field(i).Tag.Get("json"), ",")
		known[name] = true
	}
	for key := range section {
		if !known[key] {
			t.Errorf("config.pyworkers.%s is not a server setting (known: %v)", key, known)
		}
	}
}

func binary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("PYWORKERS_BIN"); bin != "" {
		return bin
	}
	bin, err := lsptest.BuildBinary(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestSnippetCommandSpeaksLSP runs the snippet's command line for real.
func TestSnippetCommandSpeaksLSP(t *testing.T) {
	ls := load(t).LanguageServer["pyworkers"]
	bin := binary(t)

	// Helix finds the command on PATH: put the binary there under the
	// snippet's command name.
	pathDir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(pathDir, ls.Command)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", pathDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	resolved, err := exec.LookPath(ls.Command)
	if err != nil {
		t.Fatal(err)
	}

	root, err := filepath.Abs(filepath.Join("..", "testdata", "worker"))
	if err != nil {
		t.Fatal(err)
	}
	// First a quick look: with the snippet's args the process must read
	// LSP from stdin; an exit notification without shutdown ends it with
	// code 1 (LSP spec). Unknown flags exit with 2 and usage instead.
	exitMsg := `{"jsonrpc":"2.0","method":"exit"}`
	pre := exec.Command(resolved, ls.Args...)
	pre.Stdin = strings.NewReader(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(exitMsg), exitMsg))
	var preErr strings.Builder
	pre.Stderr = &preErr
	if err := pre.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- pre.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		pre.Process.Kill()
		t.Fatalf("%s %v did not exit after an LSP exit notification", ls.Command, ls.Args)
	}
	if code := pre.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("%s %v: exit code %d after an LSP exit notification, want 1; stderr:\n%s", ls.Command, ls.Args, code, preErr.String())
	}

	c := lsptest.Start(t, resolved, ls.Args...)
	c.Settings = ls.Config["pyworkers"] // Helix answers workspace/configuration from config
	res := c.Initialize(t, root, ls.Config)
	if res.ServerInfo == nil || res.ServerInfo.Name != "pyworkers-lsp" {
		t.Fatalf("serverInfo %+v; stderr:\n%s", res.ServerInfo, c.Stderr)
	}
	if res.Capabilities.CompletionProvider == nil {
		t.Fatalf("no completionProvider")
	}

	entry := filepath.Join(root, "src", "entry.py")
	text := c.Open(t, entry, "python", nil)
	i := strings.Index(text, "self.env.")
	if i < 0 {
		t.Fatal("no self.env. in the fixture")
	}
	i += len("self.env.")
	pos := protocol.Position{Line: uint32(strings.Count(text[:i], "\n")), Character: uint32(i - strings.LastIndex(text[:i], "\n") - 1)}
	var list protocol.CompletionList
	params := map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(entry)}, "position": pos}
	if err := c.Call(t, "textDocument/completion", params, &list); err != nil {
		t.Fatalf("completion: %v", err)
	}
	var labels []string
	for _, it := range list.Items {
		labels = append(labels, it.Label)
	}
	for _, want := range []string{"API_HOST", "CACHE", "DB"} {
		if !slices.Contains(labels, want) {
			t.Errorf("completion after self.env. lacks %s: %v", want, labels)
		}
	}

	d := c.WaitDiagnostics(t, entry, 15*time.Second, func(p *protocol.PublishDiagnosticsParams) bool {
		for _, d := range p.Diagnostics {
			if d.Code == "PW008" {
				return true
			}
		}
		return false
	})
	if d == nil {
		t.Errorf("no PW008 diagnostic for %s (got %+v)", entry, c.Diagnostics(entry))
	}
	if code := c.Shutdown(t); code != 0 {
		t.Errorf("exit code %d after shutdown+exit", code)
	}
}
