package localdata

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/bindings"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

// copyApp copies the dev-server fixture's app (config, migrations, seed).
func copyApp(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	src := "../../testdata/dev/app"
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if d.Name() == ".pyworkers" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

type result struct {
	code           int
	stdout, stderr string
}

func cmd(t *testing.T, dir string, name string, args ...string) result {
	t.Helper()
	var out, errb strings.Builder
	code := Main(name, append(args, "-c", filepath.Join(dir, "wrangler.jsonc")), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func TestD1MigrationsSeedAndTheWorkerSeesThem(t *testing.T) {
	dir := copyApp(t)
	r := cmd(t, dir, "d1", "migrations", "list", "DB")
	if r.code != 0 || !strings.Contains(r.stdout, "0001_create_notes.sql\n  0002_add_author.sql") {
		t.Fatalf("list: %+v", r)
	}
	if r = cmd(t, dir, "d1", "migrations", "apply", "notes-db"); r.code != 0 || strings.Count(r.stdout, "applied") != 2 {
		t.Fatalf("apply: %+v", r)
	}
	if r = cmd(t, dir, "d1", "migrations", "apply", "DB"); r.code != 0 || !strings.Contains(r.stdout, "No migrations to apply") {
		t.Fatalf("apply again: %+v", r)
	}
	if r = cmd(t, dir, "d1", "execute", "DB", "--file", filepath.Join(dir, "seed.sql")); r.code != 0 || !strings.Contains(r.stdout, "Executed 2 command(s)") {
		t.Fatalf("seed: %+v", r)
	}
	r = cmd(t, dir, "d1", "execute", "DB", "--command", "SELECT author, body FROM notes ORDER BY id", "--json")
	var got []struct {
		Results []map[string]any `json:"results"`
		Success bool             `json:"success"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 1 || len(got[0].Results) != 2 ||
		got[0].Results[1]["body"] != "second; with a semicolon" || got[0].Results[0]["author"] != "ada" {
		t.Fatalf("select --json: %v %+v", err, r)
	}
	// wrangler's migrations table, readable by wrangler's own tooling.
	r = cmd(t, dir, "d1", "execute", "DB", "--command", "SELECT name FROM d1_migrations ORDER BY id")
	if !strings.Contains(r.stdout, "0001_create_notes.sql\n0002_add_author.sql") {
		t.Fatalf("d1_migrations: %+v", r)
	}

	// The Worker reads the same database.
	spec, err := workerspec.Load(filepath.Join(dir, "wrangler.jsonc"), "")
	if err != nil {
		t.Fatal(err)
	}
	eng := actors.NewEngine(runtime.EngineOptions{})
	defer eng.Close()
	res, err := eng.RunFetch(context.Background(), spec, runtime.HTTPRequest{URL: "http://localhost/notes"})
	if err != nil || res.Error != nil {
		t.Fatalf("run: %v %+v", err, res)
	}
	if want := `[{"body": "first note", "author": "ada"}, {"body": "second; with a semicolon", "author": "grace"}]`; string(res.Body) != want {
		t.Fatalf("the Worker saw %s, want %s", res.Body, want)
	}
}

// A failing script names the statement's line, exits 1 and changes nothing.
func TestD1FailedScriptChangesNothing(t *testing.T) {
	dir := copyApp(t)
	cmd(t, dir, "d1", "migrations", "apply", "DB")
	bad := filepath.Join(dir, "bad.sql")
	os.WriteFile(bad, []byte("INSERT INTO notes (body) VALUES ('kept?');\n\n-- then\nINSERT INTO nowhere VALUES (1);\n"), 0o644)
	r := cmd(t, dir, "d1", "execute", "DB", "--file", bad)
	if r.code != 1 || !strings.Contains(r.stderr, "line 4") || !strings.Contains(r.stderr, "no such table: nowhere") || !strings.Contains(r.stderr, "nothing was changed") {
		t.Fatalf("bad script: %+v", r)
	}
	r = cmd(t, dir, "d1", "execute", "DB", "--command", "SELECT count(*) AS n FROM notes", "--json")
	if !strings.Contains(r.stdout, `"n": 0`) {
		t.Fatalf("the failed script's first insert was kept: %s", r.stdout)
	}
	if r = cmd(t, dir, "d1", "execute", "NOPE", "--command", "SELECT 1"); r.code != 2 || !strings.Contains(r.stderr, "DB (notes-db)") {
		t.Fatalf("unknown database: %+v", r)
	}
	if r = cmd(t, dir, "d1", "execute", "DB"); r.code != 2 {
		t.Fatalf("no SQL: %+v", r)
	}
}

func TestKVAndR2Commands(t *testing.T) {
	dir := copyApp(t)
	if r := cmd(t, dir, "kv", "key", "put", "greeting", "bonjour"); r.code != 0 {
		t.Fatalf("put: %+v", r)
	}
	cmd(t, dir, "kv", "key", "put", "gadget", "--binding", "KV", "x")
	if r := cmd(t, dir, "kv", "key", "get", "greeting"); r.code != 0 || r.stdout != "bonjour" {
		t.Fatalf("get: %+v", r)
	}
	if r := cmd(t, dir, "kv", "key", "list", "--prefix", "gr"); r.code != 0 || !strings.Contains(r.stdout, `"greeting"`) || strings.Contains(r.stdout, "gadget") {
		t.Fatalf("list: %+v", r)
	}
	cmd(t, dir, "kv", "key", "delete", "greeting")
	if r := cmd(t, dir, "kv", "key", "get", "greeting"); r.code != 1 || !strings.Contains(r.stderr, "Value not found") {
		t.Fatalf("get after delete: %+v", r)
	}
	// The same rows the binding reads.
	store := bindings.Open(dir, "")
	if v, ok, _ := store.KVGet("dev-kv", "gadget"); !ok || string(v) != "x" {
		t.Fatalf("the binding's namespace has %q %v", v, ok)
	}
	file := filepath.Join(dir, "upload.txt")
	os.WriteFile(file, []byte("file body"), 0o644)
	if r := cmd(t, dir, "r2", "object", "put", "dev-files/docs/a.txt", "--file", file, "--content-type", "text/plain"); r.code != 0 {
		t.Fatalf("r2 put: %+v", r)
	}
	if r := cmd(t, dir, "r2", "object", "get", "FILES/docs/a.txt"); r.code != 0 || r.stdout != "file body" {
		t.Fatalf("r2 get: %+v", r)
	}
	cmd(t, dir, "r2", "object", "delete", "dev-files/docs/a.txt")
	if r := cmd(t, dir, "r2", "object", "get", "dev-files/docs/a.txt"); r.code != 1 {
		t.Fatalf("r2 get after delete: %+v", r)
	}
	if r := cmd(t, dir, "r2", "object", "get", "nobucket"); r.code != 2 {
		t.Fatalf("bad target: %+v", r)
	}
	if r := cmd(t, dir, "kv", "key", "get", "k", "--remote"); r.code != 2 || !strings.Contains(r.stderr, "--remote is not supported") {
		t.Fatalf("--remote: %+v", r)
	}
}
