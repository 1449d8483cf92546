package rules

import (
	"strings"
	"testing"
)

func TestPW012(t *testing.T) {
	src := `from workers import WorkflowEntrypoint
import random

class Flow(WorkflowEntrypoint):
    async def run(self, event, step):
        value = await self.env.CACHE.get("k")
        n = random.random()

        @step.do("ok")
        async def ok():
            return await self.env.CACHE.get("inside")

        await ok()
`
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	ds := diagsOf(t, in, "src/entry.py", "PW012")
	if len(ds) != 2 || textAt(t, in, ds[0]) != `self.env.CACHE.get("k")` || textAt(t, in, ds[1]) != "random.random()" {
		t.Fatalf("got %+v", ds)
	}
	got := fixed(t, in, ds[0], "Move into a step", "src/entry.py")
	want := "        @step.do(\"value\")\n        async def step_value():\n            return await self.env.CACHE.get(\"k\")\n        value = await step_value()\n"
	if !strings.Contains(got, want) {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW012Negative(t *testing.T) {
	src := "from workers import WorkflowEntrypoint\n\nclass Flow(WorkflowEntrypoint):\n    async def run(self, event, step):\n        @step.do(\"a\")\n        async def a():\n            return await self.env.CACHE.get(\"k\")\n        return await a()\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	expectNone(t, in, "src/entry.py", "PW012")
}
