package rules

import "testing"

func TestPW100(t *testing.T) {
	in := worker(t, map[string]string{"wrangler.jsonc": "{\n  \"name\": \"w\",\n  \"main\": \n}\n", "src/entry.py": okEntry}, "")
	if ds := diagsOf(t, in, "wrangler.jsonc", "PW100"); len(ds) != 1 || ds[0].Severity != Error {
		t.Fatalf("got %+v", ds)
	}
	in = worker(t, map[string]string{"src/entry.py": okEntry, "pyproject.toml": "[project\nname = 1\n"}, "")
	if ds := diagsOf(t, in, "pyproject.toml", "PW100"); len(ds) != 1 {
		t.Fatalf("pyproject: got %+v", ds)
	}
}

func TestPW100Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": okEntry}, "")
	expectNone(t, in, "wrangler.jsonc", "PW100")
}
