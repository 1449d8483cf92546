package rules

import "testing"

func TestPW027(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": okEntry + "\nasync def on_fetch(request, env):\n    pass\n"}, "")
	expectOne(t, in, "src/entry.py", "PW027", "Default")
}

func TestPW027Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": okEntry}, "")
	expectNone(t, in, "src/entry.py", "PW027")
}
