package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

// End-to-end tests of bindings intelligence (issue 3) against the built
// binary, on the workspace fixture of package completion: app-jsonc (every
// binding kind, env.staging), app-toml, and the auth Worker its service
// bindings target.

// copyWorkspace copies testdata/completion/workspace into a temp dir.
func copyWorkspace(t *testing.T) string {
	t.Helper()
	return copyTree(t, filepath.Join("..", "testdata", "completion", "workspace"))
}

// posOf is the position of needle in text (ASCII text), plus delta bytes.
func posOf(t *testing.T, text, needle string, delta int) protocol.Position {
	t.Helper()
	i := strings.Index(text, needle)
	if i < 0 {
		t.Fatalf("%q not found", needle)
	}
	i += delta
	line := strings.Count(text[:i], "\n")
	return protocol.Position{Line: uint32(line), Character: uint32(i - (strings.LastIndex(text[:i], "\n") + 1))}
}

func textDocPos(path string, pos protocol.Position) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": lsptest.URI(path)}, "position": pos}
}

func completeAt(t *testing.T, c *lsptest.Client, path string, pos protocol.Position) []protocol.CompletionItem {
	t.Helper()
	var list protocol.CompletionList
	if err := c.Call(t, "textDocument/completion", textDocPos(path, pos), &list); err != nil {
		t.Fatalf("completion: %v\n%s", err, c.Stderr)
	}
	return list.Items
}

func findItem(items []protocol.CompletionItem, label string) *protocol.CompletionItem {
	for i := range items {
		if items[i].Label == label {
			return &items[i]
		}
	}
	return nil
}

func itemLabels(items []protocol.CompletionItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

// startWorkspace starts the server on a copy of the workspace, with
// settings (nil for the defaults).
func startWorkspace(t *testing.T, settings map[string]any) (*lsptest.Client, string) {
	t.Helper()
	root := copyWorkspace(t)
	c := lsptest.Start(t, binary)
	if settings != nil {
		c.Settings = map[string]any{"pyworkers": settings}
	}
	res := c.Initialize(t, root, settings)
	caps, _ := json.Marshal(res.Capabilities)
	for _, want := range []string{`"completionProvider"`, `"hoverProvider":true`, `"signatureHelpProvider"`, `"definitionProvider":true`, `"referencesProvider":true`} {
		if !strings.Contains(string(caps), want) {
			t.Fatalf("capabilities lack %s: %s", want, caps)
		}
	}
	return c, root
}

func TestBindingsCompletionE2E(t *testing.T) {
	c, root := startWorkspace(t, nil)
	py := filepath.Join(root, "app-jsonc", "src", "entry.py")
	text := c.Open(t, py, "python", nil)

	// Type a new line `x = self.env.` inside Default.fetch, as an editor does.
	at := posOf(t, text, "        row = await", 0)
	c.Change(t, py, 2, protocol.Range{Start: at, End: at}, "        x = self.env.\n")
	items := completeAt(t, c, py, protocol.Position{Line: at.Line, Character: uint32(len("        x = self.env."))})
	for _, want := range []string{"CACHE", "DB", "BUCKET", "COUNTER", "AUTH", "API_HOST", "SESSION_SECRET", "STRIPE_KEY"} {
		if findItem(items, want) == nil {
			t.Fatalf("no %s in %v", want, itemLabels(items))
		}
	}
	kv := findItem(items, "CACHE")
	if kv.Kind != protocol.CompletionItemKindField || !strings.Contains(kv.Detail, "KV namespace") || kv.TextEdit == nil || kv.TextEdit.NewText != "CACHE" {
		t.Errorf("CACHE item %+v", kv)
	}
	if doc, _ := json.Marshal(kv.Documentation); !strings.Contains(string(doc), "markdown") || !strings.Contains(string(doc), "0f2ac74b498b48028cb68387c421e279") {
		t.Errorf("CACHE documentation %s", doc)
	}
	if s := findItem(items, "SESSION_SECRET"); strings.Contains(s.Detail, "do-not-show-me") {
		t.Errorf("a secret value is shown: %+v", s)
	}

	// Keep typing: the KV methods, as snippets.
	c.Change(t, py, 3, protocol.Range{Start: protocol.Position{Line: at.Line, Character: 21}, End: protocol.Position{Line: at.Line, Character: 21}}, "CACHE.")
	items = completeAt(t, c, py, protocol.Position{Line: at.Line, Character: 27})
	put := findItem(items, "put")
	if put == nil || put.InsertTextFormat != protocol.InsertTextFormatSnippet || !strings.Contains(put.TextEdit.NewText, "${1:key}") {
		t.Fatalf("put item %+v in %v", put, itemLabels(items))
	}

	// Durable Object stub: fetch plus the Counter class's RPC methods.
	c.Change(t, py, 4, protocol.Range{Start: protocol.Position{Line: at.Line, Character: 21}, End: protocol.Position{Line: at.Line, Character: 27}}, "COUNTER.getByName('a').")
	items = completeAt(t, c, py, protocol.Position{Line: at.Line, Character: uint32(21 + len("COUNTER.getByName('a')."))})
	if findItem(items, "increment") == nil || findItem(items, "fetch") == nil {
		t.Errorf("stub items %v", itemLabels(items))
	}

	// from workers import
	other := filepath.Join(root, "app-jsonc", "src", "new.py")
	src := "from workers import "
	c.Open(t, other, "python", &src)
	items = completeAt(t, c, other, protocol.Position{Line: 0, Character: uint32(len(src))})
	if findItem(items, "WorkerEntrypoint") == nil || findItem(items, "DurableObject") == nil {
		t.Errorf("SDK exports %v", itemLabels(items))
	}

	// The config: Python flags inside compatibility_flags.
	cfg := filepath.Join(root, "app-jsonc", "wrangler.jsonc")
	cfgText := c.Open(t, cfg, "jsonc", nil)
	flagsAt := posOf(t, cfgText, `["python_workers"],`, len(`["python_workers"`))
	c.Change(t, cfg, 2, protocol.Range{Start: flagsAt, End: flagsAt}, `, "`)
	items = completeAt(t, c, cfg, protocol.Position{Line: flagsAt.Line, Character: flagsAt.Character + 3})
	if findItem(items, "python_workflows") == nil || findItem(items, "python_workers") != nil {
		t.Errorf("flag items %v", itemLabels(items))
	}
	if code := c.Shutdown(t); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestBindingsStagingEnvironmentE2E(t *testing.T) {
	c, root := startWorkspace(t, map[string]any{"environment": "staging"})
	py := filepath.Join(root, "app-jsonc", "src", "scratch.py")
	src := "from workers import WorkerEntrypoint\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        self.env.\n"
	c.Open(t, py, "python", &src)
	items := completeAt(t, c, py, protocol.Position{Line: 4, Character: 17})
	if findItem(items, "STAGING_DB") == nil || findItem(items, "DB") != nil {
		t.Errorf("staging items %v", itemLabels(items))
	}
}

func TestBindingsHoverE2E(t *testing.T) {
	c, root := startWorkspace(t, nil)
	py := filepath.Join(root, "app-jsonc", "src", "entry.py")
	text := c.Open(t, py, "python", nil)
	hover := func(path string, pos protocol.Position) *protocol.Hover {
		t.Helper()
		var h *protocol.Hover
		if err := c.Call(t, "textDocument/hover", textDocPos(path, pos), &h); err != nil {
			t.Fatalf("hover: %v", err)
		}
		return h
	}
	pos := posOf(t, text, "self.env.CACHE.get", len("self.env.C"))
	h := hover(py, pos)
	if h == nil || !strings.Contains(h.Contents.Value, `"binding": "CACHE"`) || !strings.Contains(h.Contents.Value, "https://developers.cloudflare.com/kv/") {
		t.Fatalf("binding hover %+v", h)
	}
	if h.Range == nil || h.Range.Start.Character != pos.Character-1 || h.Range.End.Character != pos.Character+4 {
		t.Errorf("hover range %+v", h.Range)
	}
	h = hover(py, posOf(t, text, "self.env.CACHE.get", len("self.env.CACHE.g")))
	if h == nil || !strings.Contains(h.Contents.Value, "get(key: str | list[str]") {
		t.Errorf("method hover %+v", h)
	}
	cfg := filepath.Join(root, "app-jsonc", "wrangler.jsonc")
	cfgText := c.Open(t, cfg, "jsonc", nil)
	h = hover(cfg, posOf(t, cfgText, `"2025-11-01"`, 3))
	if h == nil || !strings.Contains(h.Contents.Value, "Python 3.13.2") || !strings.Contains(h.Contents.Value, "Pyodide 0.28.2") {
		t.Errorf("compatibility_date hover %+v", h)
	}
}

func TestBindingsSignatureHelpE2E(t *testing.T) {
	c, root := startWorkspace(t, nil)
	py := filepath.Join(root, "app-jsonc", "src", "entry.py")
	text := c.Open(t, py, "python", nil)
	at := posOf(t, text, "        row = await", 0)
	line := `        await self.env.CACHE.put("k", `
	c.Change(t, py, 2, protocol.Range{Start: at, End: at}, line+"\n")
	var raw json.RawMessage
	if err := c.Call(t, "textDocument/signatureHelp", textDocPos(py, protocol.Position{Line: at.Line, Character: uint32(len(line))}), &raw); err != nil {
		t.Fatal(err)
	}
	var help struct {
		Signatures []struct {
			Label      string
			Parameters []struct{ Label [2]int }
		}
		ActiveParameter int
	}
	if err := json.Unmarshal(raw, &help); err != nil || len(help.Signatures) != 1 {
		t.Fatalf("signature help %s: %v", raw, err)
	}
	sig := help.Signatures[0]
	if !strings.HasPrefix(sig.Label, "put(key: str, value:") || help.ActiveParameter != 1 {
		t.Fatalf("signature %s", raw)
	}
	p := sig.Parameters[help.ActiveParameter].Label
	if got := sig.Label[p[0]:p[1]]; !strings.HasPrefix(got, "value: ") {
		t.Errorf("active parameter label %q", got)
	}
}

func TestBindingsDefinitionAndReferencesE2E(t *testing.T) {
	c, root := startWorkspace(t, nil)
	py := filepath.Join(root, "app-jsonc", "src", "entry.py")
	cfg := filepath.Join(root, "app-jsonc", "wrangler.jsonc")
	cfgText, _ := os.ReadFile(cfg)
	text := c.Open(t, py, "python", nil)
	pos := posOf(t, text, "self.env.CACHE.get", len("self.env.CA"))

	var defs []protocol.Location
	if err := c.Call(t, "textDocument/definition", textDocPos(py, pos), &defs); err != nil {
		t.Fatal(err)
	}
	entry := `{ "binding": "CACHE", "id": "0f2ac74b498b48028cb68387c421e279" }`
	want := posOf(t, string(cfgText), entry, 0)
	if len(defs) != 1 || defs[0].URI != lsptest.URI(cfg) || defs[0].Range.Start != want ||
		defs[0].Range.End.Character != want.Character+uint32(len(entry)) {
		t.Fatalf("definition %+v, want %v", defs, want)
	}

	var refs []protocol.Location
	params := textDocPos(py, pos)
	params["context"] = map[string]any{"includeDeclaration": true}
	if err := c.Call(t, "textDocument/references", params, &refs); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range refs {
		got = append(got, filepath.Base(string(r.URI))+":"+itoa(int(r.Range.Start.Line)))
	}
	wantRefs := []string{"wrangler.jsonc:" + itoa(int(want.Line)),
		"entry.py:" + itoa(int(posOf(t, text, "self.env.CACHE.get", 0).Line)),
		"entry.py:" + itoa(int(posOf(t, text, "self.env.CACHE.delete", 0).Line)),
		"helpers.py:4"}
	if strings.Join(got, " ") != strings.Join(wantRefs, " ") {
		t.Errorf("references %v, want %v", got, wantRefs)
	}

	// From the config: class_name → the Python class; the entry → its uses.
	c.Open(t, cfg, "jsonc", nil)
	defs = nil
	if err := c.Call(t, "textDocument/definition", textDocPos(cfg, posOf(t, string(cfgText), `"class_name": "Counter"`, len(`"class_name": "Co`))), &defs); err != nil {
		t.Fatal(err)
	}
	if len(defs) != 1 || defs[0].URI != lsptest.URI(py) || defs[0].Range.Start != posOf(t, text, "class Counter", len("class ")) {
		t.Errorf("class_name definition %+v", defs)
	}
	refs = nil
	params = textDocPos(cfg, posOf(t, string(cfgText), entry, 5))
	params["context"] = map[string]any{"includeDeclaration": false}
	if err := c.Call(t, "textDocument/references", params, &refs); err != nil {
		t.Fatal(err)
	}
	if len(refs) != 3 {
		t.Errorf("references from the config entry: %+v", refs)
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
