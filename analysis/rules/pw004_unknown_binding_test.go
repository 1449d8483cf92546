package rules

import (
	"strings"
	"testing"
)

func TestPW004Typo(t *testing.T) {
	src := "from workers import WorkerEntrypoint\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return await self.env.CAHCE.get(\"k\")\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	d := expectOne(t, in, "src/entry.py", "PW004", "CAHCE")
	if got := fixed(t, in, d, "Rename to CACHE", "src/entry.py"); !strings.Contains(got, "self.env.CACHE.get") {
		t.Errorf("rename:\n%s", got)
	}
	got := fixed(t, in, d, "Add KV namespace binding CAHCE", "wrangler.jsonc")
	if !strings.Contains(got, `"kv_namespaces": [{ "binding": "CACHE", "id": "x" }, { "binding": "CAHCE", "id": "" }]`) {
		t.Errorf("stub:\n%s", got)
	}
}

func TestPW004StubInEnvAndVars(t *testing.T) {
	cfg := "{\n  \"name\": \"w\",\n  \"main\": \"src/entry.py\",\n  \"compatibility_date\": \"2026-05-01\",\n  \"compatibility_flags\": [\"python_workers\"],\n  \"env\": {\n    \"staging\": {\n      \"vars\": { \"A\": \"1\" }\n    }\n  }\n}\n"
	src := "from workers import WorkerEntrypoint\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        rows = await self.env.USERS_DB.prepare(\"x\").all()\n        return self.env.TOKEN\n"
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": src}, "staging")
	ds := diagsOf(t, in, "src/entry.py", "PW004")
	if len(ds) != 2 {
		t.Fatalf("got %+v", ds)
	}
	got := fixed(t, in, ds[0], "Add D1 database binding USERS_DB", "wrangler.jsonc")
	if !strings.Contains(got, "      \"vars\": { \"A\": \"1\" },\n      \"d1_databases\": [{ \"binding\": \"USERS_DB\", \"database_name\": \"\", \"database_id\": \"\" }]\n") {
		t.Errorf("d1 stub:\n%s", got)
	}
	got = fixed(t, in, ds[1], "Add variable binding TOKEN", "wrangler.jsonc")
	if !strings.Contains(got, `"vars": { "A": "1", "TOKEN": "" }`) {
		t.Errorf("var stub:\n%s", got)
	}
}

func TestPW004StubTOML(t *testing.T) {
	cfg := "name = \"w\"\nmain = \"src/entry.py\"\ncompatibility_date = \"2026-05-01\"\ncompatibility_flags = [\"python_workers\"]\n\n[[kv_namespaces]]\nbinding = \"CACHE\" # the cache\nid = \"x\"\n"
	src := "from workers import handler\n\nasync def on_fetch(request, env):\n    await env.QUEUE.send({})\n"
	in := worker(t, map[string]string{"wrangler.toml": cfg, "src/entry.py": src}, "")
	d := expectOne(t, in, "src/entry.py", "PW004", "QUEUE")
	got := fixed(t, in, d, "Add Queue producer binding QUEUE", "wrangler.toml")
	if got != cfg+"\n[[queues.producers]]\nbinding = \"QUEUE\"\nqueue = \"\"\n" {
		t.Errorf("toml stub:\n%s", got)
	}
}

func TestPW004Declared(t *testing.T) {
	src := "from workers import WorkerEntrypoint\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        e = self.env\n        await e.CACHE.get(\"k\")\n        return await self.env.DB.prepare(\"x\").all()\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	expectNone(t, in, "src/entry.py", "PW004")
}
