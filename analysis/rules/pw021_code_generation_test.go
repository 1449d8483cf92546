package rules

import "testing"

func TestPW021(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "import js\nfrom js import Function\n\ndef f():\n    js.eval(\"1\")\n    Function(\"return 1\")\n"}, "")
	if ds := diagsOf(t, in, "src/entry.py", "PW021"); len(ds) != 2 || textAt(t, in, ds[0]) != `js.eval("1")` {
		t.Fatalf("got %+v", ds)
	}
}

func TestPW021Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "def f():\n    eval(\"1\")\n    import js\n    js.JSON.parse(\"1\")\n"}, "")
	expectNone(t, in, "src/entry.py", "PW021")
}
