package rules

import (
	"strings"
	"testing"
)

const okEntry = "from workers import WorkerEntrypoint, Response\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return Response(\"ok\")\n"

func TestPW002MissingFlagJSONC(t *testing.T) {
	cfg := "// my worker\n{\n  \"name\": \"w\", // the name\n  \"main\": \"src/entry.py\",\n  \"compatibility_date\": \"2026-05-01\",\n  \"compatibility_flags\": [\"nodejs_compat\"] // flags\n}\n"
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": okEntry}, "")
	d := expectOne(t, in, "wrangler.jsonc", "PW002", `["nodejs_compat"]`)
	got := fixed(t, in, d, "Add the python_workers", "wrangler.jsonc")
	if !strings.Contains(got, `["nodejs_compat", "python_workers"] // flags`) || !strings.HasPrefix(got, "// my worker\n") {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW002MissingListTOML(t *testing.T) {
	cfg := "# comment\nname = \"w\"\nmain = \"src/entry.py\"\ncompatibility_date = \"2026-05-01\"\n\n[vars]\nA = \"1\"\n"
	in := worker(t, map[string]string{"wrangler.toml": cfg, "src/entry.py": okEntry}, "")
	d := expectOne(t, in, "wrangler.toml", "PW002", "compatibility_date")
	got := fixed(t, in, d, "Add the python_workers", "wrangler.toml")
	want := "# comment\nname = \"w\"\nmain = \"src/entry.py\"\ncompatibility_date = \"2026-05-01\"\ncompatibility_flags = [\"python_workers\"]\n\n[vars]\nA = \"1\"\n"
	if got != want {
		t.Errorf("fix:\n%s\nwant:\n%s", got, want)
	}
}

func TestPW002Present(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": okEntry}, "")
	expectNone(t, in, "wrangler.jsonc", "PW002")
}

func TestPW002JavaScriptWorkerIgnored(t *testing.T) {
	in := worker(t, map[string]string{"wrangler.jsonc": `{"name": "w", "main": "src/index.js", "compatibility_date": "2026-01-01"}`}, "")
	expectNone(t, in, "wrangler.jsonc", "PW002")
}

func TestPW002FlagBeforeArrayOfTables(t *testing.T) {
	cfg := "name = \"w\"\nmain = \"src/entry.py\"\ncompatibility_date = \"2026-05-01\"\n\n# the cache\n[[kv_namespaces]]\nbinding = \"CACHE\"\nid = \"x\"\n"
	in := worker(t, map[string]string{"wrangler.toml": cfg, "src/entry.py": okEntry}, "")
	d := expectOne(t, in, "wrangler.toml", "PW002", "compatibility_date")
	got := fixed(t, in, d, "Add the python_workers", "wrangler.toml")
	want := "name = \"w\"\nmain = \"src/entry.py\"\ncompatibility_date = \"2026-05-01\"\ncompatibility_flags = [\"python_workers\"]\n\n# the cache\n[[kv_namespaces]]\nbinding = \"CACHE\"\nid = \"x\"\n"
	if got != want {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW002FlagIntoEnvInheritedList(t *testing.T) {
	// The staging environment inherits the top-level list: the flag goes
	// there, so the other flags stay in force.
	cfg := "{\n  \"name\": \"w\",\n  \"main\": \"src/entry.py\",\n  \"compatibility_date\": \"2026-05-01\",\n  \"compatibility_flags\": [\n    \"nodejs_compat\",\n  ],\n  \"env\": { \"staging\": {} }\n}\n"
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": okEntry}, "staging")
	d := expectOne(t, in, "wrangler.jsonc", "PW002", "[\n    \"nodejs_compat\",\n  ]")
	got := fixed(t, in, d, "Add the python_workers", "wrangler.jsonc")
	if !strings.Contains(got, "  \"compatibility_flags\": [\n    \"nodejs_compat\",\n    \"python_workers\",\n  ],") {
		t.Errorf("fix:\n%s", got)
	}
}
