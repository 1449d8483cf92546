package rules

import (
	"strings"
	"testing"
)

func TestPW005JSONC(t *testing.T) {
	cfg := "{\n  \"name\": \"w\",\n  \"main\": \"src/entry.py\",\n  \"compatibility_date\": \"2026-05-01\",\n  \"compatibility_flags\": [\"python_workers\"],\n  \"kv_namespaces\": [\n    { \"binding\": \"CACHE\", \"id\": \"x\" }\n  ],\n  \"env\": {\n    // staging\n    \"staging\": {\n      \"name\": \"w-staging\"\n    }\n  }\n}\n"
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": okEntry}, "")
	d := expectOne(t, in, "wrangler.jsonc", "PW005", `"staging"`)
	got := fixed(t, in, d, "Copy \"kv_namespaces\"", "wrangler.jsonc")
	want := "      \"name\": \"w-staging\",\n      \"kv_namespaces\": [\n        { \"binding\": \"CACHE\", \"id\": \"x\" }\n      ]\n    }"
	if !strings.Contains(got, want) || !strings.Contains(got, "// staging") {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW005TOML(t *testing.T) {
	cfg := "name = \"w\"\nmain = \"src/entry.py\"\ncompatibility_date = \"2026-05-01\"\ncompatibility_flags = [\"python_workers\"]\n\n[[d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"d\"\n\n[env.prod]\nname = \"p\"\n"
	in := worker(t, map[string]string{"wrangler.toml": cfg, "src/entry.py": okEntry}, "")
	d := expectOne(t, in, "wrangler.toml", "PW005", "prod")
	got := fixed(t, in, d, "Copy", "wrangler.toml")
	if got != cfg+"\n[[env.prod.d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"d\"\n" {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW005Repeated(t *testing.T) {
	cfg := jsoncConfig("2026-05-01", `"python_workers"`, `,
  "vars": { "A": "1" },
  "env": { "staging": { "vars": { "A": "2" } } }`)
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": okEntry}, "")
	expectNone(t, in, "wrangler.jsonc", "PW005")
}
