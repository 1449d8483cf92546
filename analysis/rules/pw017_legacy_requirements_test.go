package rules

import "testing"

func TestPW017(t *testing.T) {
	pp := "[project]\nname = \"x\"\ndependencies = [\n  \"httpx\",\n]\n"
	in := worker(t, map[string]string{"src/entry.py": okEntry, "pyproject.toml": pp, "requirements.txt": "fastapi==0.110\nhttpx\n"}, "")
	d := expectOne(t, in, "requirements.txt", "PW017", "fastapi==0.110")
	want := "[project]\nname = \"x\"\ndependencies = [\n  \"httpx\",\n  \"fastapi==0.110\",\n]\n"
	if got := fixed(t, in, d, "Add these requirements", "pyproject.toml"); got != want {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW017Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": okEntry}, "")
	expectNone(t, in, "requirements.txt", "PW017")
	if len(in.Worker.LegacyRequirements) != 0 {
		t.Fatal("no legacy files expected")
	}
}
