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

// One diagnostic per environment, naming every missing key (check printed
// one line per key, all at the same position); its preferred fix copies
// them all, and each key keeps its own fix.
func TestPW005OnePerEnvironment(t *testing.T) {
	for _, tc := range []struct{ name, cfg, at string }{
		{"wrangler.jsonc", "{\n  \"name\": \"w\",\n  \"main\": \"src/entry.py\",\n  \"compatibility_date\": \"2026-05-01\",\n  \"compatibility_flags\": [\"python_workers\"],\n  \"vars\": { \"A\": \"1\" },\n  \"kv_namespaces\": [\n    { \"binding\": \"CACHE\", \"id\": \"x\" }\n  ],\n  \"d1_databases\": [{ \"binding\": \"DB\", \"database_name\": \"d\", \"database_id\": \"y\" }],\n  \"env\": {\n    \"staging\": {\n      \"name\": \"w-staging\" // trailing comment\n    },\n    \"prod\": { \"vars\": { \"A\": \"2\" } }\n  }\n}\n", `"staging"`},
		{"wrangler.toml", "name = \"w\"\nmain = \"src/entry.py\"\ncompatibility_date = \"2026-05-01\"\ncompatibility_flags = [\"python_workers\"]\n\n[vars]\nA = \"1\"\n\n[[kv_namespaces]]\nbinding = \"CACHE\"\nid = \"x\"\n\n[[d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"d\"\ndatabase_id = \"y\"\n\n[env.staging]\nname = \"w-staging\"\n\n[env.prod.vars]\nA = \"2\"\n", "staging"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := worker(t, map[string]string{tc.name: tc.cfg, "src/entry.py": okEntry}, "")
			ds := diagsOf(t, in, tc.name, "PW005")
			if len(ds) != 2 {
				t.Fatalf("want one diagnostic per environment (2), got %d: %+v", len(ds), ds)
			}
			var staging, prod Diagnostic
			for _, d := range ds {
				if textAt(t, in, d) == tc.at {
					staging = d
				} else {
					prod = d
				}
			}
			if want := `"vars", "kv_namespaces" and "d1_databases" exist at the top level, but not on "env.staging": bindings are not inherited, so self.env lacks them in this environment`; staging.Message != want {
				t.Errorf("staging message:\n%s\nwant:\n%s", staging.Message, want)
			}
			if want := `"kv_namespaces" and "d1_databases" exist at the top level, but not on "env.prod"`; !strings.HasPrefix(prod.Message, want) {
				t.Errorf("prod message %q", prod.Message)
			}
			if len(staging.Fixes) != 4 || !staging.Fixes[0].Preferred || staging.Fixes[1].Preferred {
				t.Fatalf("fixes %+v", staging.Fixes)
			}
			got := fixed(t, in, staging, "Copy all 3 into env.staging", tc.name)
			check := worker(t, map[string]string{tc.name: got, "src/entry.py": okEntry}, "staging")
			if len(check.Worker.Config.Errors) > 0 {
				t.Fatalf("fixed config does not parse: %v\n%s", check.Worker.Config.Errors, got)
			}
			for _, d := range diagsOf(t, check, tc.name, "PW005") {
				if textAt(t, check, d) == tc.at {
					t.Errorf("still reported after the fix: %s\n%s", d.Message, got)
				}
			}
			fixed(t, in, staging, "Copy \"d1_databases\" into env.staging", tc.name)
		})
	}
}
