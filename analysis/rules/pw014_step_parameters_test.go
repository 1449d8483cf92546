package rules

import (
	"strings"
	"testing"
)

const stepsModule = `from workers import WorkflowEntrypoint

class Flow(WorkflowEntrypoint):
    async def run(self, event, step):
        @step.do("load")
        async def load():
            return 1

        @step.do("use")
        async def use(lod, ctx):
            return lod + 1
`

func TestPW014Implicit(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": stepsModule}, "")
	d := expectOne(t, in, "src/entry.py", "PW014", "lod")
	if got := fixed(t, in, d, "Rename to load", "src/entry.py"); !strings.Contains(got, "async def use(load, ctx):\n            return load + 1") {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW014Legacy(t *testing.T) {
	src := strings.Replace(stepsModule, "use(lod, ctx)", "use(load, ctx)", 1)
	src = strings.Replace(src, "lod + 1", "load + 1", 1)
	in := worker(t, map[string]string{"src/entry.py": src, "wrangler.jsonc": jsoncConfig("2026-01-10", `"python_workers"`, "")}, "")
	d := expectOne(t, in, "src/entry.py", "PW014", "(load, ctx)")
	if got := fixed(t, in, d, "Add depends", "src/entry.py"); !strings.Contains(got, `@step.do("use", depends=[load])`) {
		t.Errorf("fix:\n%s", got)
	}
	// Implicit mode accepts it.
	in = worker(t, map[string]string{"src/entry.py": src}, "")
	expectNone(t, in, "src/entry.py", "PW014")
}
