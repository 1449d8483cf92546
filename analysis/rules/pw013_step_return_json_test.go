package rules

import (
	"strings"
	"testing"
)

func TestPW013(t *testing.T) {
	src := `from datetime import datetime
from workers import WorkflowEntrypoint

class Flow(WorkflowEntrypoint):
    async def run(self, event, step):
        @step.do("a")
        async def a():
            return (1, 2)

        @step.do("b")
        async def b():
            return datetime.now()

        @step.do("c")
        async def c():
            return {"ok": True}
`
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	ds := diagsOf(t, in, "src/entry.py", "PW013")
	if len(ds) != 2 {
		t.Fatalf("got %+v", ds)
	}
	if got := fixed(t, in, ds[0], "Return a list", "src/entry.py"); !strings.Contains(got, "return [1, 2]") {
		t.Errorf("tuple fix:\n%s", got)
	}
	if got := fixed(t, in, ds[1], "Return an ISO", "src/entry.py"); !strings.Contains(got, "return datetime.now().isoformat()") {
		t.Errorf("datetime fix:\n%s", got)
	}
}

func TestPW013Negative(t *testing.T) {
	src := "from workers import WorkflowEntrypoint\n\nclass Flow(WorkflowEntrypoint):\n    async def run(self, event, step):\n        @step.do(\"a\")\n        async def a():\n            return [1, 2]\n        return (1, 2)\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	expectNone(t, in, "src/entry.py", "PW013")
}
