package completion

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/catalog"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
)

// configRequest builds a request for an edited config text (one cursor
// marker) of fixture Worker dir; the Worker model is built from the
// edited text, as the server does through its overlay.
func configRequest(t *testing.T, dir, name, src string) *ConfigRequest {
	t.Helper()
	ws := loadWorkspace(t)
	base := ws[dir]
	off := strings.Index(src, cursor)
	if off < 0 {
		t.Fatal("no cursor marker")
	}
	src = src[:off] + src[off+len(cursor):]
	path := filepath.Join(base.Dir, name)
	w := project.Load(overlay{path: path, text: src}, path)
	return &ConfigRequest{Doc: config.Parse(path, []byte(src)), Worker: w, Offset: off,
		Workers: allWorkers(ws), PythonFilesOf: pythonFilesOf}
}

type overlay struct{ path, text string }

func (o overlay) ReadFile(p string) ([]byte, error) {
	if p == o.path {
		return []byte(o.text), nil
	}
	return project.OSFS{}.ReadFile(p)
}

func (o overlay) ReadDir(p string) ([]fs.DirEntry, error) { return project.OSFS{}.ReadDir(p) }

// fixtureConfigWithCursor returns a fixture config with the cursor put
// at the first occurrence of marker (replaced by the marker's text with
// the cursor inside at the "|").
func fixtureConfigWithCursor(t *testing.T, rel, find, replace string) string {
	t.Helper()
	text := readFixture(t, rel)
	if !strings.Contains(text, find) {
		t.Fatalf("%s lacks %q", rel, find)
	}
	return strings.Replace(text, find, strings.Replace(replace, "|", cursor, 1), 1)
}

func TestCompleteConfigFlags(t *testing.T) {
	allFlags := func(except ...string) []string {
		var out []string
		for _, f := range catalog.PythonFlags() {
			if !contains(except, f.Name) {
				out = append(out, f.Name)
			}
		}
		return out
	}
	cases := []struct {
		name, dir, file, find, replace string
		inString                       bool
	}{
		{"JSONC in a new string", "app-jsonc", "wrangler.jsonc", `["python_workers"],`, `["python_workers", "|"],`, true},
		{"JSONC partial string", "app-jsonc", "wrangler.jsonc", `["python_workers"],`, `["python_workers", "python_w|"],`, true},
		{"JSONC bare position", "app-jsonc", "wrangler.jsonc", `["python_workers"],`, `["python_workers", |],`, false},
		{"JSONC env block", "app-jsonc", "wrangler.jsonc", `["python_workers", "python_workers_20260610"]`, `["python_workers", "python_workers_20260610", "|"]`, true},
		{"TOML", "app-toml", "wrangler.toml", `compatibility_flags = ["python_workers"]`, `compatibility_flags = ["python_workers", "|"]`, true},
		{"TOML multi-line", "app-toml", "wrangler.toml", `compatibility_flags = ["python_workers"]`, "compatibility_flags = [\n  \"python_workers\",\n  |\n]", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := fixtureConfigWithCursor(t, tc.dir+"/"+tc.file, tc.find, tc.replace)
			items := CompleteConfig(context.Background(), configRequest(t, tc.dir, tc.file, src))
			unwanted := []string{"python_workers", "name", "kv_namespaces"}
			if tc.name == "JSONC env block" {
				unwanted = append(unwanted, "python_workers_20260610")
			}
			checkLabels(t, items, allFlags("python_workers", "python_workers_20260610"), unwanted)
			it, _ := itemNamed(items, "python_workflows")
			if tc.inString != (it.InsertText == "python_workflows") || it.Documentation == "" || !strings.Contains(it.Detail, "2025-09-20") {
				t.Errorf("item %+v", it)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestCompleteConfigKeys(t *testing.T) {
	cases := []struct {
		name, dir, file, find, replace string
		want, unwanted                 []string
	}{
		{"JSONC top level", "app-jsonc", "wrangler.jsonc", `"name": "app",`, "\"name\": \"app\",\n  \"|\n", []string{"triggers", "migrations", "observability"}, []string{"name", "main", "kv_namespaces", "d1_databases", "id"}},
		{"TOML top level", "app-toml", "wrangler.toml", "[vars]", "|\n[vars]", []string{"vectorize", "hyperdrive", "triggers", "browser"}, []string{"name", "main", "kv_namespaces"}},
		{"JSONC KV entry", "app-jsonc", "wrangler.jsonc", `{ "binding": "CACHE", "id": "0f2ac74b498b48028cb68387c421e279" }`, `{ "binding": "CACHE", | }`, []string{"id", "preview_id"}, []string{"binding", "name", "database_name"}},
		{"JSONC DO entry", "app-jsonc", "wrangler.jsonc", `{ "name": "COUNTER", "class_name": "Counter" }`, `{ "name": "COUNTER", "| }`, []string{"class_name", "script_name"}, []string{"name", "binding"}},
		{"JSONC env entry", "app-jsonc", "wrangler.jsonc", `{ "binding": "STAGING_DB", "database_name": "staging-db", "database_id": "x" }`, `{ "binding": "STAGING_DB", | }`, []string{"database_name", "database_id", "migrations_dir"}, []string{"binding"}},
		{"JSONC env block keys", "app-jsonc", "wrangler.jsonc", `"vars": { "API_HOST": "staging.example.com" },`, "\"vars\": { \"API_HOST\": \"staging.example.com\" },\n      |", []string{"r2_buckets", "ai", "name"}, []string{"vars", "kv_namespaces", "env", "migrations"}},
		{"JSONC ai object", "app-jsonc", "wrangler.jsonc", `"ai": { "binding": "AI" }`, `"ai": { | }`, []string{"binding"}, []string{"id"}},
		{"JSONC half-typed entry", "app-jsonc", "wrangler.jsonc", `"r2_buckets": [{ "binding": "BUCKET", "bucket_name": "uploads" }],`, `"r2_buckets": [{ "binding": "BUCKET", "|`, []string{"bucket_name", "jurisdiction"}, []string{"binding", "id"}},
		{"TOML KV table", "app-toml", "wrangler.toml", "binding = \"CACHE\"\n", "binding = \"CACHE\"\n|\n", []string{"preview_id"}, []string{"binding", "id"}},
		{"TOML DO table", "app-toml", "wrangler.toml", "name = \"COUNTER\"\n", "name = \"COUNTER\"\n|\n", []string{"script_name"}, []string{"name", "class_name"}},
		{"TOML header", "app-toml", "wrangler.toml", "[[r2_buckets]]", "[[r2|", []string{"[[r2_buckets]]", "[ai]", "[[env.staging.kv_namespaces]]", "[[durable_objects.bindings]]"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := fixtureConfigWithCursor(t, tc.dir+"/"+tc.file, tc.find, tc.replace)
			items := CompleteConfig(context.Background(), configRequest(t, tc.dir, tc.file, src))
			checkLabels(t, items, tc.want, tc.unwanted)
		})
	}
}

func TestCompleteConfigKeyInsertText(t *testing.T) {
	src := fixtureConfigWithCursor(t, "app-jsonc/wrangler.jsonc", `"name": "app",`, "\"name\": \"app\",\n  \"|\n")
	items := CompleteConfig(context.Background(), configRequest(t, "app-jsonc", "wrangler.jsonc", src))
	it, ok := itemNamed(items, "triggers")
	if !ok || it.InsertText != `"triggers": $1` || it.FilterText != `"triggers"` {
		t.Errorf("triggers item %+v", it)
	}
	// a new binding kind gets a skeleton entry with its name field
	src = fixtureConfigWithCursor(t, "app-toml/wrangler.toml", "[vars]", "|\n[vars]")
	items = CompleteConfig(context.Background(), configRequest(t, "app-toml", "wrangler.toml", src))
	it, _ = itemNamed(items, "vectorize")
	if it.InsertText != `vectorize = [{ binding = "$1", index_name = "$2" }]` || !it.IsSnippet {
		t.Errorf("vectorize item %+v", it)
	}
	src = fixtureConfigWithCursor(t, "app-toml/wrangler.toml", "[vars]", "|\n[vars]")
	items = CompleteConfig(context.Background(), configRequest(t, "app-toml", "wrangler.toml", src))
	if it, _ := itemNamed(items, "hyperdrive"); !strings.Contains(it.Documentation, "https://developers.cloudflare.com/hyperdrive/") {
		t.Errorf("hyperdrive docs %q", it.Documentation)
	}
}

func TestHoverConfigCompat(t *testing.T) {
	cases := []struct {
		name, dir, file, find, replace string
		want                           []string
	}{
		{"JSONC date", "app-jsonc", "wrangler.jsonc", `"compatibility_date": "2025-11-01"`, `"compatibility_date": "2025-1|1-01"`, []string{"Python 3.13.2", "Pyodide 0.28.2", "0.28.3", "2025-11-01", "python_no_global_handlers", "env.staging selects Python 3.14.2"}},
		{"JSONC flags key", "app-jsonc", "wrangler.jsonc", `"compatibility_flags": ["python_workers"],`, `"compatibility_fl|ags": ["python_workers"],`, []string{"Python 3.13.2", "top level"}},
		{"JSONC env flag", "app-jsonc", "wrangler.jsonc", `"python_workers_20260610"`, `"python_workers_2026|0610"`, []string{"Python 3.14.2", "314.0.4", "flag python_workers_20260610", "env.staging", "Selects Python 3.14"}},
		{"TOML date", "app-toml", "wrangler.toml", `compatibility_date = "2026-03-01"`, `compatibility_date = "2026-0|3-01"`, []string{"Python 3.13.2", "python_workflows_implicit_dependencies", "env.staging selects Python 3.12.1"}},
		{"TOML env date", "app-toml", "wrangler.toml", `compatibility_date = "2025-06-01"`, `compatibility_date = "2025-0|6-01"`, []string{"Python 3.12.1", "0.26.0a2", "env.staging"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := fixtureConfigWithCursor(t, tc.dir+"/"+tc.file, tc.find, tc.replace)
			h := HoverConfig(context.Background(), configRequest(t, tc.dir, tc.file, src))
			if h == nil {
				t.Fatal("no hover")
			}
			for _, w := range tc.want {
				if !strings.Contains(h.Markdown, w) {
					t.Errorf("hover lacks %q:\n%s", w, h.Markdown)
				}
			}
		})
	}
	src := fixtureConfigWithCursor(t, "app-jsonc/wrangler.jsonc", `"bucket_name": "uploads"`, `"bucket_name": "upl|oads"`)
	h := HoverConfig(context.Background(), configRequest(t, "app-jsonc", "wrangler.jsonc", src))
	if h == nil || !strings.Contains(h.Markdown, "R2 bucket") {
		t.Errorf("binding entry hover %+v", h)
	}
}

func TestDefinitionConfig(t *testing.T) {
	ws := loadWorkspace(t)
	entry := readFixture(t, "app-jsonc/src/entry.py")
	src := fixtureConfigWithCursor(t, "app-jsonc/wrangler.jsonc", `"class_name": "Counter" }]`, `"class_name": "Cou|nter" }]`)
	locs := DefinitionConfig(context.Background(), configRequest(t, "app-jsonc", "wrangler.jsonc", src))
	if len(locs) != 1 || filepath.Base(locs[0].Path) != "entry.py" || locs[0].StartPos.Line != lineOf(entry, "class Counter") || entry[locs[0].Start:locs[0].End] != "Counter" {
		t.Errorf("class_name definition %+v", locs)
	}
	src = fixtureConfigWithCursor(t, "app-jsonc/wrangler.jsonc", `"class_name": "Pipeline"`, `"class_name": "Pipe|line"`)
	locs = DefinitionConfig(context.Background(), configRequest(t, "app-jsonc", "wrangler.jsonc", src))
	if len(locs) != 1 || locs[0].StartPos.Line != lineOf(entry, "class Pipeline") {
		t.Errorf("workflow class_name definition %+v", locs)
	}
	src = fixtureConfigWithCursor(t, "app-toml/wrangler.toml", `class_name = "Counter"`, `class_name = "Cou|nter"`)
	locs = DefinitionConfig(context.Background(), configRequest(t, "app-toml", "wrangler.toml", src))
	if len(locs) != 1 || locs[0].StartPos.Line != lineOf(entry, "class Counter") {
		t.Errorf("TOML class_name definition %+v", locs)
	}
	src = fixtureConfigWithCursor(t, "app-jsonc/wrangler.jsonc", `"main": "src/entry.py"`, `"main": "src/en|try.py"`)
	locs = DefinitionConfig(context.Background(), configRequest(t, "app-jsonc", "wrangler.jsonc", src))
	if len(locs) != 1 || locs[0].Path != filepath.Join(ws["app-jsonc"].Dir, "src", "entry.py") {
		t.Errorf("main definition %+v", locs)
	}
	src = fixtureConfigWithCursor(t, "app-jsonc/wrangler.jsonc", `"service": "auth-worker", "entrypoint": "Admin"`, `"service": "auth-wo|rker", "entrypoint": "Admin"`)
	locs = DefinitionConfig(context.Background(), configRequest(t, "app-jsonc", "wrangler.jsonc", src))
	auth := readFixture(t, "auth/src/entry.py")
	if len(locs) != 1 || locs[0].StartPos.Line != lineOf(auth, "class Admin") {
		t.Errorf("service definition %+v", locs)
	}
	src = fixtureConfigWithCursor(t, "app-jsonc/wrangler.jsonc", `"binding": "BUCKET"`, `"binding": "BUC|KET"`)
	if locs := DefinitionConfig(context.Background(), configRequest(t, "app-jsonc", "wrangler.jsonc", src)); len(locs) != 0 {
		t.Errorf("definition on a binding name: %+v", locs)
	}
}

func TestReferencesConfig(t *testing.T) {
	entry := readFixture(t, "app-jsonc/src/entry.py")
	src := fixtureConfigWithCursor(t, "app-jsonc/wrangler.jsonc", `{ "binding": "CACHE", "id": "0f2a`, `{ "binding": "CA|CHE", "id": "0f2a`)
	locs := ReferencesConfig(context.Background(), configRequest(t, "app-jsonc", "wrangler.jsonc", src), true)
	var got []string
	for _, l := range locs {
		got = append(got, filepath.Base(l.Path)+":"+strconv.Itoa(l.StartPos.Line))
	}
	want := []string{"wrangler.jsonc:" + strconv.Itoa(lineOf(src, `"binding": "CA`)),
		"entry.py:" + strconv.Itoa(lineOf(entry, "self.env.CACHE.get")), "entry.py:" + strconv.Itoa(lineOf(entry, "self.env.CACHE.delete")), "helpers.py:4"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v want %v", got, want)
	}
	// the staging entry of the same name: the same uses, seen from staging
	src = fixtureConfigWithCursor(t, "app-jsonc/wrangler.jsonc", `"id": "staging-kv"`, `"id": "stag|ing-kv"`)
	if locs := ReferencesConfig(context.Background(), configRequest(t, "app-jsonc", "wrangler.jsonc", src), false); len(locs) != 3 {
		t.Errorf("staging references %+v", locs)
	}
}

// Every field offered for a binding entry must exist in wrangler's own
// config schema (analysis/catalog/wranglerschema/config-schema.json).
func TestEntryFieldsExistInWranglerSchema(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "analysis", "catalog", "wranglerschema", "config-schema.json"))
	if err != nil {
		t.Skip("no wrangler schema:", err)
	}
	var schema struct {
		Definitions map[string]json.RawMessage `json:"definitions"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	type node struct {
		Ref        string                     `json:"$ref"`
		Items      json.RawMessage            `json:"items"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	resolve := func(raw json.RawMessage) node {
		var n node
		json.Unmarshal(raw, &n)
		for n.Ref != "" {
			name := strings.TrimPrefix(n.Ref, "#/definitions/")
			n = node{}
			json.Unmarshal(schema.Definitions[name], &n)
		}
		return n
	}
	env := resolve(schema.Definitions["RawEnvironment"])
	for _, k := range project.BindingKinds {
		if k.Shape == project.KeyedValues {
			continue
		}
		n := env
		for _, p := range k.Path {
			n = resolve(n.Properties[p])
		}
		if n.Items != nil {
			n = resolve(n.Items)
		}
		if len(n.Properties) == 0 {
			t.Errorf("%s: no properties in the schema", k.Key())
			continue
		}
		for _, f := range append([]string{k.NameField}, entryFields[k.Key()]...) {
			if _, ok := n.Properties[f]; !ok {
				t.Errorf("%s: field %q is not in wrangler's schema", k.Key(), f)
			}
		}
	}
}
