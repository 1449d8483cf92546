package rules

import "testing"

func TestPW105(t *testing.T) {
	cases := map[string]string{
		`"./public"`: `{"name": "w", "main": "src/entry.py", "compatibility_date": "2026-01-01", "compatibility_flags": ["python_workers"],
			"assets": {"directory": "./public", "binding": "ASSETS"}}`,
		`{"binding": "ASSETS"}`: `{"name": "w", "main": "src/entry.py", "compatibility_date": "2026-01-01", "compatibility_flags": ["python_workers"],
			"assets": {"binding": "ASSETS"}}`,
	}
	for want, cfg := range cases {
		in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": okEntry}, "")
		expectOne(t, in, "wrangler.jsonc", "PW105", want)
	}
	// An inherited block is reported once, not per environment.
	in := worker(t, map[string]string{"wrangler.jsonc": `{"name": "w", "main": "src/entry.py", "compatibility_date": "2026-01-01",
		"compatibility_flags": ["python_workers"], "assets": {"directory": "dist"}, "env": {"staging": {"vars": {"A": "b"}}}}`, "src/entry.py": okEntry}, "")
	expectOne(t, in, "wrangler.jsonc", "PW105", `"dist"`)
}

func TestPW105Fine(t *testing.T) {
	in := worker(t, map[string]string{"wrangler.jsonc": `{"name": "w", "main": "src/entry.py", "compatibility_date": "2026-01-01",
		"compatibility_flags": ["python_workers"], "assets": {"directory": "./public"}}`, "src/entry.py": okEntry, "public/index.html": "<h1>hi</h1>"}, "")
	expectNone(t, in, "wrangler.jsonc", "PW105")
	expectNone(t, worker(t, map[string]string{"src/entry.py": okEntry}, ""), "wrangler.jsonc", "PW105")
}
