package rules

import (
	"strings"
	"testing"
)

func TestPW020(t *testing.T) {
	pp := "[project]\nname = \"x\"\ndependencies = [\"httpx\"]\n\n[dependency-groups]\ndev = [\"workers-py==1.8.0\"]\n"
	in := worker(t, map[string]string{"src/entry.py": okEntry, "pyproject.toml": pp}, "")
	d := expectOne(t, in, "pyproject.toml", "PW020", "dependencies")
	if got := fixed(t, in, d, "Add workers-runtime-sdk", "pyproject.toml"); !strings.Contains(got, `dependencies = ["httpx", "workers-runtime-sdk"]`) {
		t.Errorf("fix:\n%s", got)
	}
	expectOne(t, in, "src/entry.py", "PW020", "workers")
}

func TestPW020Provided(t *testing.T) {
	for _, pp := range []string{
		"[project]\nname = \"x\"\ndependencies = [\"workers-runtime-sdk\"]\n",
		"[project]\nname = \"x\"\ndependencies = []\n[dependency-groups]\ndev = [\"workers-py\"]\n",
		"[project]\nname = \"x\"\ndependencies = []\n[dependency-groups]\ndev = [\"workers-py>=1.9.1\"]\n",
	} {
		in := worker(t, map[string]string{"src/entry.py": okEntry, "pyproject.toml": pp}, "")
		expectNone(t, in, "pyproject.toml", "PW020")
	}
	// Before the date, the runtime injects the SDK.
	in := worker(t, map[string]string{"src/entry.py": okEntry, "wrangler.jsonc": jsoncConfig("2026-01-01", `"python_workers"`, "")}, "")
	expectNone(t, in, "src/entry.py", "PW020")
	// A vendored copy counts.
	in = worker(t, map[string]string{"src/entry.py": okEntry, "python_modules/workers/__init__.py": ""}, "")
	expectNone(t, in, "src/entry.py", "PW020")
}

func TestWorkersPyVendors(t *testing.T) {
	for spec, want := range map[string]bool{"workers-py": true, "workers-py>=1.9": true, "workers-py==1.8.2": false, "workers-py<1.9": false, "workers-py~=2.0": true} {
		if got := workersPyVendorsSDK(spec); got != want {
			t.Errorf("%s: %v", spec, got)
		}
	}
}
