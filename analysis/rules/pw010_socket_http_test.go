package rules

import "testing"

func TestPW010(t *testing.T) {
	src := "import urllib.request\nfrom http import client\nimport socket\nimport requests\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	ds := diagsOf(t, in, "src/entry.py", "PW010")
	if len(ds) != 3 {
		t.Fatalf("got %+v", ds)
	}
	// requests only fails on the 3.12 runtime.
	in = worker(t, map[string]string{"src/entry.py": src, "wrangler.jsonc": jsoncConfig("2025-01-01", `"python_workers"`, "")}, "")
	if ds := diagsOf(t, in, "src/entry.py", "PW010"); len(ds) != 4 || textAt(t, in, ds[3]) != "requests" {
		t.Fatalf("3.12: got %+v", ds)
	}
}

func TestPW010Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "import urllib.parse\nimport httpx\nfrom workers import fetch\n"}, "")
	expectNone(t, in, "src/entry.py", "PW010")
}
