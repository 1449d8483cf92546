package rules

import "testing"

func TestPW018(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "from src.util import helper\nimport src\n", "src/util.py": "def helper(): pass\n"}, "")
	ds := diagsOf(t, in, "src/entry.py", "PW018")
	if len(ds) != 2 || textAt(t, in, ds[0]) != "src.util" {
		t.Fatalf("got %+v", ds)
	}
	if got := fixed(t, in, ds[0], "Drop the src. prefix", "src/entry.py"); got != "from util import helper\nimport src\n" {
		t.Errorf("fix: %q", got)
	}
}

func TestPW018Negative(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "from util import helper\nimport sources\n"}, "")
	expectNone(t, in, "src/entry.py", "PW018")
}
