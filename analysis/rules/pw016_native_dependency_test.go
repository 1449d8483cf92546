package rules

import "testing"

func TestPW016(t *testing.T) {
	pp := "[project]\nname = \"x\"\ndependencies = [\"psycopg2-binary>=2.9\", \"httpx\", \"numpy\"]\n\n[dependency-groups]\ndev = [\"uvloop\"]\n"
	in := worker(t, map[string]string{"src/entry.py": okEntry, "pyproject.toml": pp}, "")
	d := expectOne(t, in, "pyproject.toml", "PW016", `"psycopg2-binary>=2.9"`)
	if d.Severity != Error {
		t.Errorf("severity %v", d.Severity)
	}
}

func TestPW016Negative(t *testing.T) {
	pp := "[project]\nname = \"x\"\ndependencies = [\"httpx\", \"pydantic\", \"some-pure-python-lib\"]\n"
	in := worker(t, map[string]string{"src/entry.py": okEntry, "pyproject.toml": pp}, "")
	expectNone(t, in, "pyproject.toml", "PW016")
}
