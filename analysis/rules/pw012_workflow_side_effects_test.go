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

// The user's guide calls fetch bare (the Workers global, no import); outside
// a step it repeats on every replay like workers.fetch.
func TestPW012BareFetch(t *testing.T) {
	src := `from workers import WorkflowEntrypoint

class Flow(WorkflowEntrypoint):
    async def run(self, event, step):
        response = await fetch("https://api.example.com/data")

        @step.do("fetch data")
        async def fetch_data():
            r = await fetch("https://api.example.com/data")
            return await r.json()

        return await fetch_data()
`
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	d := expectOne(t, in, "src/entry.py", "PW012", `fetch("https://api.example.com/data")`)
	if !strings.HasPrefix(d.Message, "fetch in Workflow run() outside a step") {
		t.Errorf("message %q", d.Message)
	}
	got := fixed(t, in, d, "Move into a step", "src/entry.py")
	if want := "        @step.do(\"response\")\n        async def step_response():\n            return await fetch(\"https://api.example.com/data\")\n        response = await step_response()\n"; !strings.Contains(got, want) {
		t.Errorf("fix:\n%s", got)
	}
}

// A fetch the module defines itself, or a local of run() called fetch, is
// not the Workers global.
func TestPW012BareFetchShadowed(t *testing.T) {
	for _, src := range []string{
		"from workers import WorkflowEntrypoint\n\ndef fetch(x):\n    return x\n\nclass Flow(WorkflowEntrypoint):\n    async def run(self, event, step):\n        return fetch(1)\n",
		"from workers import WorkflowEntrypoint\n\nclass Flow(WorkflowEntrypoint):\n    async def run(self, event, step):\n        fetch = event.payload.get\n        return fetch(1)\n",
		"from workers import WorkflowEntrypoint\n\nclass Flow(WorkflowEntrypoint):\n    async def run(self, event, step):\n        return self.fetch(1)\n",
	} {
		in := worker(t, map[string]string{"src/entry.py": src}, "")
		expectNone(t, in, "src/entry.py", "PW012")
	}
}
