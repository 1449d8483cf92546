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

// `@handler` marks a legacy handler wherever it is: in a module other than
// main it is dead code (only main's handlers were ever called, and none are
// from 2025-08-14). Without the decorator, on_fetch in a helper module is
// just a function and is left alone.
func TestPW001HandlerDecoratorInOtherModule(t *testing.T) {
	main := "from workers import WorkerEntrypoint, Response\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return Response('ok')\n"
	in := worker(t, map[string]string{"src/entry.py": main, "src/legacy.py": legacyModule, "src/util.py": "def on_fetch(x):\n    return x\n"}, "")
	d := expectOne(t, in, "src/legacy.py", "PW001", "on_fetch")
	if d.Severity != Error || !strings.Contains(d.Message, "not the main module") || len(d.Fixes) != 0 {
		t.Errorf("severity %v, message %q, fixes %v", d.Severity, d.Message, d.Fixes)
	}
	expectNone(t, in, "src/util.py", "PW001")
	expectNone(t, in, "src/entry.py", "PW001")

	old := worker(t, map[string]string{"src/entry.py": main, "src/legacy.py": legacyModule,
		"wrangler.jsonc": jsoncConfig("2025-03-01", `"python_workers"`, "")}, "")
	if d := expectOne(t, old, "src/legacy.py", "PW001", "on_fetch"); d.Severity != Error {
		t.Errorf("before 2025-08-14 too (only main's handlers were called): severity %v", d.Severity)
	}
}

// A @handler the main module imports is judged as if main defined it.
func TestPW001HandlerImportedIntoMain(t *testing.T) {
	main := "from legacy import on_fetch\n"
	files := map[string]string{"src/entry.py": main, "src/legacy.py": legacyModule, "wrangler.jsonc": jsoncConfig("2025-03-01", `"python_workers"`, "")}
	d := expectOne(t, worker(t, files, ""), "src/legacy.py", "PW001", "on_fetch")
	if d.Severity != Warning || !strings.Contains(d.Message, "deprecated") {
		t.Errorf("severity %v, message %q", d.Severity, d.Message)
	}
}
