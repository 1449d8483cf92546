package rules

import "testing"

func TestPW007(t *testing.T) {
	cases := map[string]string{
		`"src/missing.py"`:      `{"name": "w", "main": "src/missing.py", "compatibility_date": "2026-01-01", "compatibility_flags": ["python_workers"]}`,
		`"src/index.ts"`:        `{"name": "w", "main": "src/index.ts", "compatibility_date": "2026-01-01", "compatibility_flags": ["python_workers"]}`,
		`"compatibility_flags"`: `{"name": "w", "compatibility_date": "2026-01-01", "compatibility_flags": ["python_workers"]}`,
	}
	for want, cfg := range cases {
		in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": okEntry}, "")
		expectOne(t, in, "wrangler.jsonc", "PW007", want)
	}
}

func TestPW007Fine(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": okEntry}, "")
	expectNone(t, in, "wrangler.jsonc", "PW007")
	// A main that is on disk but not among the open modules is fine too.
	in = worker(t, map[string]string{"src/entry.py": okEntry}, "")
	delete(in.PythonFiles, "/w/src/entry.py")
	expectNone(t, in, "wrangler.jsonc", "PW007")
}
