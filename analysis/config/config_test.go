package config

import (
	"strings"
	"testing"
)

const jsoncSample = `{
  // the Worker
  "name": "demo",
  "main": "src/entry.py",
  "compatibility_flags": ["python_workers",],
  "kv_namespaces": [
    { "binding": "CACHE", "id": "abc" }, // trailing comment
  ],
  "env": { "staging": { "vars": { "MODE": "staging" } } },
}`

func text(d *Document, r Range) string { return d.Text[r.Start:r.End] }

func TestJSONCKeepsRanges(t *testing.T) {
	d := Parse("wrangler.jsonc", []byte(jsoncSample))
	if len(d.Errors) != 0 {
		t.Fatalf("errors: %v", d.Errors)
	}
	kv := d.Root.Get("kv_namespaces")
	if kv == nil || len(kv.Items) != 1 {
		t.Fatalf("kv_namespaces: %+v", kv)
	}
	b := kv.Items[0].Get("binding")
	if got := text(d, b.Range); got != `"CACHE"` {
		t.Fatalf("binding value range covers %q", got)
	}
	if got := text(d, b.KeyRange); got != `"binding"` {
		t.Fatalf("binding key range covers %q", got)
	}
	if got := text(d, kv.Items[0].Range); !strings.HasPrefix(got, "{") || !strings.HasSuffix(got, "}") {
		t.Fatalf("entry range covers %q", got)
	}
	if d.Root.Path("env", "staging", "vars", "MODE").String() != "staging" {
		t.Fatal("env.staging.vars.MODE")
	}
	if got := d.Root.Get("compatibility_flags").Strings(); len(got) != 1 || got[0] != "python_workers" {
		t.Fatalf("flags %v", got)
	}
}

const tomlSample = `name = "demo"
main = "src/entry.py"
compatibility_flags = [ "python_workers", # a comment
  "python_workflows" ]

[vars]
API_HOST = "example.com"

[[kv_namespaces]]
binding = "CACHE"
id = "abc"

[[kv_namespaces]]
binding = "SESSIONS"
id = "def"

[durable_objects]
bindings = [ { name = "COUNTER", class_name = "Counter" } ]

[env.staging]
name = "demo-staging"

[[env.staging.kv_namespaces]]
binding = "CACHE"
id = "staging"
`

func TestTOMLTablesAndArraysOfTables(t *testing.T) {
	d := Parse("wrangler.toml", []byte(tomlSample))
	if len(d.Errors) != 0 {
		t.Fatalf("errors: %v", d.Errors)
	}
	kv := d.Root.Get("kv_namespaces")
	if kv == nil || len(kv.Items) != 2 {
		t.Fatalf("kv: %+v", kv)
	}
	second := kv.Items[1]
	if got := text(d, second.Range); got != "[[kv_namespaces]]\nbinding = \"SESSIONS\"\nid = \"def\"" {
		t.Fatalf("second entry range covers %q", got)
	}
	if got := text(d, second.Get("binding").Range); got != `"SESSIONS"` {
		t.Fatalf("binding range %q", got)
	}
	do := d.Root.Path("durable_objects", "bindings")
	if do == nil || len(do.Items) != 1 || do.Items[0].Get("class_name").String() != "Counter" {
		t.Fatalf("durable objects: %+v", do)
	}
	if got := text(d, do.Items[0].Range); got != `{ name = "COUNTER", class_name = "Counter" }` {
		t.Fatalf("inline table range %q", got)
	}
	if got := d.Root.Get("compatibility_flags").Strings(); len(got) != 2 {
		t.Fatalf("flags %v", got)
	}
	st := d.Root.Path("env", "staging", "kv_namespaces")
	if st == nil || len(st.Items) != 1 || st.Items[0].Get("id").String() != "staging" {
		t.Fatalf("env.staging.kv_namespaces: %+v", st)
	}
	if d.Root.Path("env", "staging", "name").String() != "demo-staging" {
		t.Fatal("env.staging.name")
	}
	if d.Root.Path("vars", "API_HOST").String() != "example.com" {
		t.Fatal("vars")
	}
}

func TestBrokenConfigsGiveALocation(t *testing.T) {
	cases := []struct {
		name, text, near string
	}{
		{"wrangler.jsonc", "{\n  \"name\": \"x\",\n  \"main\" \"src/entry.py\"\n}", `"src/entry.py"`},
		{"wrangler.json", "this is not json", "this"},
		{"wrangler.toml", "name = \"x\"\nmain = = 3\n", "= 3"},
		{"wrangler.toml", "a = 1\na = 2\n", "a = 2"},
	}
	for _, c := range cases {
		d := Parse(c.name, []byte(c.text))
		if len(d.Errors) == 0 {
			t.Errorf("%s %q: no error", c.name, c.text)
			continue
		}
		if d.Root == nil || d.Root.Kind != Object {
			t.Errorf("%s: root must be an object", c.name)
		}
		want := strings.Index(c.text, c.near)
		if got := d.Errors[0].Range.Start; got < want-1 || got > want+len(c.near) {
			t.Errorf("%s %q: error at %d (%s), want near %d", c.name, c.text, got, d.Errors[0].Message, want)
		}
	}
}

func TestNonObjectRoot(t *testing.T) {
	d := Parse("wrangler.json", []byte(`[1, 2]`))
	if len(d.Errors) != 1 || !strings.Contains(d.Errors[0].Message, "object") {
		t.Fatalf("errors %v", d.Errors)
	}
}

func TestNodeAtAndLookup(t *testing.T) {
	d := Parse("wrangler.jsonc", []byte(jsoncSample))
	off := strings.Index(jsoncSample, "CACHE")
	chain := d.NodeAt(off)
	if last := chain[len(chain)-1]; last.Key != "binding" {
		t.Fatalf("innermost node %+v", last)
	}
	n, matched := d.Root.Lookup([]string{"kv_namespaces", "0", "id"})
	if matched != 3 || n.String() != "abc" {
		t.Fatalf("lookup: %v %d", n, matched)
	}
}

func FuzzParseNeverPanics(f *testing.F) {
	f.Add("wrangler.toml", tomlSample)
	f.Add("wrangler.jsonc", jsoncSample)
	f.Fuzz(func(t *testing.T, name, text string) {
		if !strings.HasSuffix(name, ".toml") {
			name = "wrangler.jsonc"
		}
		d := Parse(name, []byte(text))
		if d.Root == nil {
			t.Fatal("nil root")
		}
	})
}
