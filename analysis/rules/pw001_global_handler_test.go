package rules

import (
	"strings"
	"testing"
)

const legacyModule = `from workers import handler, Response

@handler
async def on_fetch(request, env, ctx):
    value = await env.CACHE.get("k")
    ctx.waitUntil(None)
    return Response(value)
`

func TestPW001ErrorFromNoGlobalHandlers(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": legacyModule}, "")
	d := expectOne(t, in, "src/entry.py", "PW001", "on_fetch")
	if d.Severity != Error {
		t.Errorf("severity = %v", d.Severity)
	}
	got := fixed(t, in, d, "Convert to class Default", "src/entry.py")
	want := `from workers import handler, Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        value = await self.env.CACHE.get("k")
        self.ctx.waitUntil(None)
        return Response(value)
`
	if got != want {
		t.Errorf("fix:\n%s\nwant:\n%s", got, want)
	}
}

func TestPW001DeprecationBeforeDate(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": legacyModule,
		"wrangler.jsonc": jsoncConfig("2025-03-01", `"python_workers"`, "")}, "")
	d := expectOne(t, in, "src/entry.py", "PW001", "on_fetch")
	if d.Severity != Warning || len(d.Tags) != 1 || d.Tags[0] != TagDeprecated {
		t.Errorf("severity %v tags %v", d.Severity, d.Tags)
	}
}

func TestPW001TwoHandlersBecomeOneClass(t *testing.T) {
	src := legacyModule + "\n\nasync def on_scheduled(event, env):\n    await env.CACHE.put(\"t\", event.cron)\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	ds := diagsOf(t, in, "src/entry.py", "PW001")
	if len(ds) != 2 {
		t.Fatalf("got %d", len(ds))
	}
	got := fixed(t, in, ds[1], "Convert", "src/entry.py")
	if !strings.Contains(got, "    async def scheduled(self, event):\n        await self.env.CACHE.put(\"t\", event.cron)\n") || strings.Contains(got, "on_scheduled") {
		t.Errorf("fix:\n%s", got)
	}
}

func TestPW001NegativeClass(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "from workers import WorkerEntrypoint\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        pass\n\ndef on_fetch_helper(): pass\n"}, "")
	expectNone(t, in, "src/entry.py", "PW001")
}
