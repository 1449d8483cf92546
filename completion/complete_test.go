package completion

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/catalog"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
)

const header = "from workers import WorkerEntrypoint, DurableObject, WorkflowEntrypoint, Response\n\n"

// everyBinding lists the binding names of app-jsonc's top level.
var everyBinding = []string{"API_HOST", "MAX_ITEMS", "STRIPE_KEY", "SESSION_SECRET", "CACHE", "DB", "BUCKET", "AI",
	"VECTORS", "COUNTER", "JOBS", "EVENTS", "PIPELINE", "AUTH", "ADMIN", "PG", "BROWSER", "MAILER", "DISPATCHER",
	"MTLS", "ASSETS", "VERSION", "IMAGES", "STORE_SECRET", "STREAM", "LIMITER"}

func methodNames(t *testing.T, iface string) []string {
	t.Helper()
	i, ok := catalog.Lookup(iface)
	if !ok {
		t.Fatalf("catalog has no %s", iface)
	}
	var out []string
	for _, m := range i.Members {
		out = append(out, m.Name)
	}
	return out
}

func TestCompleteEnvContexts(t *testing.T) {
	cases := []struct {
		name string
		src  string
	}{
		{"WorkerEntrypoint self.env", header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        x = self.env.<|>\n"},
		{"DurableObject self.env", header + "class C(DurableObject):\n    async def fetch(self, request):\n        return self.env.<|>\n"},
		{"WorkflowEntrypoint self.env", header + "class P(WorkflowEntrypoint):\n    async def run(self, event, step):\n        self.env.<|>\n"},
		{"dotted base class", "import workers\n\nclass Default(workers.WorkerEntrypoint):\n    async def fetch(self, request):\n        self.env.<|>\n"},
		{"indirect base class", header + "class Base(WorkerEntrypoint):\n    pass\n\nclass Default(Base):\n    async def fetch(self, request):\n        self.env.<|>\n"},
		{"alias env = self.env", header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        env = self.env\n        if True:\n            env.<|>\n"},
		{"nested function", header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        async def inner():\n            return self.env.<|>\n"},
		{"legacy on_fetch env", "async def on_fetch(request, env):\n    return env.<|>\n"},
		{"legacy on_scheduled positional", "async def on_scheduled(controller, e, ctx):\n    await e.<|>\n"},
		{"legacy on_queue env", "async def on_queue(batch, env, ctx):\n    env.<|>\n"},
		{"DurableObject __init__ env", header + "class C(DurableObject):\n    def __init__(self, ctx, env):\n        env.<|>\n"},
		{"from workers import env", "from workers import env\n\nasync def helper():\n    return env.<|>\n"},
		{"from workers import env as E", "from workers import Response, env as E\n\ndef helper():\n    E.<|>\n"},
		{"import workers", "import workers\n\ndef helper():\n    workers.env.<|>\n"},
		{"half-typed line before more code", header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        self.env.<|>\n\n    async def other(self):\n        return 1\n"},
		{"half-typed inside a call", header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return Response(self.env.<|>\n"},
		{"partial name typed", header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        self.env.CA<|>\n"},
		{"assignment above an existing line", header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        x = self.env.<|>\n        cached = 1\n"},
		{"assignment above a return", header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        x = self.env.<|>\n        return cached\n"},
		{"trailing dot at EOF", header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        self.env.<|>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items := Complete(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", tc.src))
			checkLabels(t, items, everyBinding, []string{"STAGING_DB", "STAGING_TOKEN", "get", "fetch"})
		})
	}
}

func TestCompleteNoEnvWhereNotWorkers(t *testing.T) {
	cases := map[string]string{
		"plain class":               "class Plain:\n    def m(self):\n        self.env.<|>\n",
		"env param inside a class":  header + "class Default(WorkerEntrypoint):\n    async def scheduled(self, controller, env, ctx):\n        env.<|>\n",
		"unknown module-level name": "def f(x):\n    x.<|>\n",
		"in a comment":              header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        # self.env.<|>\n",
		"in a string":               header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        s = 'self.env.<|>'\n",
		"annotated alias":           header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        env: Env = self.env\n        env.<|>\n",
		"self.":                     header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        self.<|>\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			if items := Complete(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", src)); len(items) != 0 {
				t.Errorf("want nothing, got %v", labels(items))
			}
		})
	}
}

func TestCompleteBindingItems(t *testing.T) {
	src := header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        self.env.<|>\n"
	items := Complete(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", src))
	kv, _ := itemNamed(items, "CACHE")
	if kv.Kind != ItemBinding || !strings.Contains(kv.Detail, "KV namespace") || !strings.Contains(kv.Detail, "0f2ac74b498b48028cb68387c421e279") {
		t.Errorf("CACHE item: %+v", kv)
	}
	if !strings.Contains(kv.Documentation, `"binding": "CACHE"`) || !strings.Contains(kv.Documentation, "https://developers.cloudflare.com/kv/") {
		t.Errorf("CACHE docs: %s", kv.Documentation)
	}
	db, _ := itemNamed(items, "DB")
	if !strings.Contains(db.Detail, "prod-db") {
		t.Errorf("DB detail %q", db.Detail)
	}
	do, _ := itemNamed(items, "COUNTER")
	if !strings.Contains(do.Detail, "Counter") || !strings.Contains(do.Detail, "Durable Object") {
		t.Errorf("COUNTER detail %q", do.Detail)
	}
	v, _ := itemNamed(items, "API_HOST")
	if v.Kind != ItemVariable || !strings.Contains(v.Detail, "api.example.com") {
		t.Errorf("API_HOST item %+v", v)
	}
	for _, name := range []string{"SESSION_SECRET", "STRIPE_KEY"} {
		s, _ := itemNamed(items, name)
		if s.Kind != ItemSecret {
			t.Errorf("%s kind %v", name, s.Kind)
		}
		if strings.Contains(s.Detail+s.Documentation, "do-not-show-me") {
			t.Errorf("%s shows a secret value: %+v", name, s)
		}
	}
	// the replaced range is the (empty) word at the cursor
	off := strings.Index(src, cursor)
	if kv.ReplaceStart != off || kv.ReplaceEnd != off {
		t.Errorf("replace range %d-%d, want %d", kv.ReplaceStart, kv.ReplaceEnd, off)
	}
}

func TestCompleteStagingEnvironment(t *testing.T) {
	src := header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        self.env.<|>\n"
	items := Complete(context.Background(), newRequest(t, "app-jsonc", "staging", "src/scratch.py", src))
	checkLabels(t, items, []string{"API_HOST", "CACHE", "STAGING_DB", "COUNTER", "STAGING_TOKEN"},
		[]string{"DB", "BUCKET", "MAX_ITEMS", "SESSION_SECRET", "AI"})
	host, _ := itemNamed(items, "API_HOST")
	if !strings.Contains(host.Detail, "staging.example.com") {
		t.Errorf("staging API_HOST %q", host.Detail)
	}
	kv, _ := itemNamed(items, "CACHE")
	if !strings.Contains(kv.Detail, "staging-kv") || !strings.Contains(kv.Documentation, "env.staging") {
		t.Errorf("staging CACHE %+v", kv)
	}

	items = Complete(context.Background(), newRequest(t, "app-toml", "staging", "src/scratch.py", src))
	checkLabels(t, items, []string{"API_HOST", "STAGING_CACHE"}, []string{"CACHE", "DB"})
	items = Complete(context.Background(), newRequest(t, "app-toml", "", "src/scratch.py", src))
	checkLabels(t, items, []string{"API_HOST", "CACHE", "DB", "BUCKET", "AI", "COUNTER", "JOBS", "PIPELINE", "AUTH", "MAILER", "LIMITER"}, []string{"STAGING_CACHE"})
	kv, _ = itemNamed(items, "CACHE")
	if !strings.Contains(kv.Documentation, "[[kv_namespaces]]") || !strings.Contains(kv.Documentation, "```toml") {
		t.Errorf("TOML entry not shown as written: %s", kv.Documentation)
	}
}

func TestCompleteBindingMethods(t *testing.T) {
	method := func(body string) string {
		return header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n" + body
	}
	cases := []struct {
		name      string
		dir       string
		src       string
		iface     string   // every member of this interface is expected
		want      []string // and these
		unwanted  []string
		wantEmpty bool
	}{
		{name: "KV", src: method("        await self.env.CACHE.<|>\n"), iface: "KVNamespace"},
		{name: "KV in TOML", dir: "app-toml", src: method("        await self.env.CACHE.<|>\n"), iface: "KVNamespace"},
		{name: "D1", src: method("        self.env.DB.<|>\n"), iface: "D1Database"},
		{name: "D1 prepare chain", src: method("        await self.env.DB.prepare(\"SELECT ?\").<|>\n"), want: []string{"bind", "first", "all", "run", "raw"}, unwanted: []string{"prepare"}},
		{name: "D1 bind chain", src: method("        await self.env.DB.prepare(sql).bind(1, 'x').<|>\n"), want: []string{"bind", "first", "all", "run", "raw"}},
		{name: "D1 multi-line prepare", src: method("        stmt = self.env.DB.prepare(\n            \"SELECT ?\"\n        )\n        stmt.<|>\n"), want: []string{"bind", "first"}},
		{name: "D1 statement alias", src: method("        stmt = self.env.DB.prepare(sql)\n        rows = await stmt.bind(1).<|>\n"), want: []string{"all"}},
		{name: "D1 all result awaited", src: method("        res = await self.env.DB.prepare(sql).all()\n        res.<|>\n"), want: []string{"results", "success", "meta"}},
		{name: "un-awaited async result", src: method("        res = self.env.DB.prepare(sql).all()\n        res.<|>\n"), wantEmpty: true},
		{name: "R2", src: method("        self.env.BUCKET.<|>\n"), iface: "R2Bucket"},
		{name: "R2 get awaited alias", src: method("        obj = await self.env.BUCKET.get(key)\n        if obj is None:\n            return\n        obj.<|>\n"), want: []string{"text", "json", "arrayBuffer", "bytes", "body", "key", "size", "etag", "httpMetadata", "customMetadata"}},
		{name: "R2 parenthesized await", src: method("        (await self.env.BUCKET.get(key)).<|>\n"), want: []string{"text", "body"}},
		{name: "kv alias", src: method("        kv = self.env.CACHE\n        await kv.<|>\n"), iface: "KVNamespace"},
		{name: "alias of alias", src: method("        env = self.env\n        bucket = env.BUCKET\n        bucket.<|>\n"), iface: "R2Bucket"},
		{name: "AI", src: method("        self.env.AI.<|>\n"), iface: "Ai"},
		{name: "Vectorize", src: method("        self.env.VECTORS.<|>\n"), iface: "VectorizeIndex"},
		{name: "Queue", src: method("        self.env.JOBS.<|>\n"), iface: "Queue"},
		{name: "Analytics Engine", src: method("        self.env.EVENTS.<|>\n"), iface: "AnalyticsEngineDataset"},
		{name: "Hyperdrive", src: method("        self.env.PG.<|>\n"), iface: "Hyperdrive"},
		{name: "send_email", src: method("        self.env.MAILER.<|>\n"), iface: "SendEmail"},
		{name: "rate limit", src: method("        self.env.LIMITER.<|>\n"), iface: "RateLimit"},
		{name: "Pipeline", src: method("        self.env.STREAM.<|>\n"), iface: "Pipeline"},
		{name: "secrets store", src: method("        self.env.STORE_SECRET.<|>\n"), iface: "SecretsStoreSecret"},
		{name: "version metadata", src: method("        self.env.VERSION.<|>\n"), iface: "WorkerVersionMetadata"},
		{name: "images", src: method("        self.env.IMAGES.<|>\n"), iface: "ImagesBinding"},
		{name: "images chain", src: method("        self.env.IMAGES.input(stream).transform({}).<|>\n"), iface: "ImageTransformer"},
		{name: "dispatch namespace", src: method("        self.env.DISPATCHER.<|>\n"), iface: "DispatchNamespace"},
		{name: "dispatch get", src: method("        self.env.DISPATCHER.get('customer').<|>\n"), iface: "Fetcher"},
		{name: "browser", src: method("        self.env.BROWSER.<|>\n"), iface: "Fetcher"},
		{name: "assets", src: method("        self.env.ASSETS.<|>\n"), iface: "Fetcher"},
		{name: "mTLS", src: method("        self.env.MTLS.<|>\n"), iface: "Fetcher"},
		{name: "a var has no methods", src: method("        self.env.API_HOST.<|>\n"), wantEmpty: true},
		{name: "DO namespace", src: method("        self.env.COUNTER.<|>\n"), iface: "DurableObjectNamespace"},
		{name: "DO getByName stub", src: method("        await self.env.COUNTER.getByName(\"a\").<|>\n"), want: []string{"fetch", "increment", "reset"}, unwanted: []string{"_private", "__init__", "getByName"}},
		{name: "DO get(id) stub alias", src: method("        ns = self.env.COUNTER\n        stub = ns.get(ns.idFromName(\"a\"))\n        await stub.<|>\n"), want: []string{"fetch", "increment", "reset", "id"}},
		{name: "DO id", src: method("        self.env.COUNTER.idFromName('x').<|>\n"), iface: "DurableObjectId"},
		{name: "DO stub in TOML", dir: "app-toml", src: method("        self.env.COUNTER.getByName('x').<|>\n"), want: []string{"fetch", "increment", "reset"}},
		{name: "service binding to workspace Worker", src: method("        await self.env.AUTH.<|>\n"), want: []string{"fetch", "connect", "verify"}, unwanted: []string{"ban"}},
		{name: "service binding named entrypoint", src: method("        await self.env.ADMIN.<|>\n"), want: []string{"fetch", "ban"}, unwanted: []string{"verify"}},
		{name: "service fetch result", src: method("        resp = await self.env.AUTH.fetch(request)\n        resp.<|>\n"), iface: "Response"},
		{name: "Workflow", src: method("        self.env.PIPELINE.<|>\n"), iface: "Workflow"},
		{name: "Workflow create result", src: method("        inst = await self.env.PIPELINE.create(id='a', params={})\n        await inst.<|>\n"), iface: "WorkflowInstance"},
		{name: "Workflow get result", src: method("        (await self.env.PIPELINE.get(iid)).<|>\n"), want: []string{"status", "pause", "resume", "terminate", "restart", "sendEvent"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir
			if dir == "" {
				dir = "app-jsonc"
			}
			items := Complete(context.Background(), newRequest(t, dir, "", "src/scratch.py", tc.src))
			if tc.wantEmpty {
				if len(items) > 0 {
					t.Errorf("want nothing, got %v", labels(items))
				}
				return
			}
			want := tc.want
			if tc.iface != "" {
				want = append(want, methodNames(t, tc.iface)...)
			}
			checkLabels(t, items, want, append(tc.unwanted, "CACHE", "DB"))
		})
	}
}

func TestCompleteMethodItemsAreSnippets(t *testing.T) {
	src := header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        await self.env.CACHE.<|>\n"
	items := Complete(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", src))
	put, ok := itemNamed(items, "put")
	if !ok {
		t.Fatal("no put")
	}
	m, _ := mustIface(t, "KVNamespace").Member("put")
	if put.InsertText != m.SnippetInsertText() || !put.IsSnippet || !strings.Contains(put.InsertText, "${1:key}") {
		t.Errorf("put insert %q snippet=%v", put.InsertText, put.IsSnippet)
	}
	if put.Kind != ItemMethod || !strings.Contains(put.Detail, "async put(") || !strings.Contains(put.Documentation, m.Doc) {
		t.Errorf("put item %+v", put)
	}
	// RPC methods of the Durable Object class get snippets from their def
	src = header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        await self.env.COUNTER.getByName('a').<|>\n"
	items = Complete(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", src))
	inc, _ := itemNamed(items, "increment")
	if inc.InsertText != "increment($0)" || !strings.Contains(inc.Documentation, "Add to the counter") || !strings.Contains(inc.Detail, "increment(by=1)") {
		t.Errorf("increment item %+v", inc)
	}
	src = header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        await self.env.AUTH.<|>\n"
	items = Complete(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", src))
	verify, _ := itemNamed(items, "verify")
	if verify.InsertText != "verify(${1:token})" || !strings.Contains(verify.Documentation, "auth-worker") {
		t.Errorf("verify item %+v", verify)
	}
}

func mustIface(t *testing.T, name string) *catalog.Interface {
	t.Helper()
	i, ok := catalog.Lookup(name)
	if !ok {
		t.Fatalf("no %s in the catalog", name)
	}
	return i
}

func TestCompleteStepCtxStorage(t *testing.T) {
	cases := []struct {
		name, src, iface string
		want             []string
	}{
		{"step in run", header + "class P(WorkflowEntrypoint):\n    async def run(self, event, step):\n        step.<|>\n", "WorkflowStep", []string{"do", "sleep", "sleep_until", "wait_for_event"}},
		{"step inside a step function", header + "class P(WorkflowEntrypoint):\n    async def run(self, event, step):\n        @step.do('a')\n        async def a():\n            await step.<|>\n", "WorkflowStep", nil},
		{"step renamed", header + "class P(WorkflowEntrypoint):\n    async def run(self, ev, s):\n        await s.<|>\n", "WorkflowStep", nil},
		{"DO self.ctx", header + "class C(DurableObject):\n    async def fetch(self, request):\n        self.ctx.<|>\n", "DurableObjectState", []string{"storage", "waitUntil", "blockConcurrencyWhile", "acceptWebSocket"}},
		{"DO __init__ ctx", header + "class C(DurableObject):\n    def __init__(self, ctx, env):\n        ctx.<|>\n", "DurableObjectState", nil},
		{"DO storage", header + "class C(DurableObject):\n    async def fetch(self, request):\n        await self.ctx.storage.<|>\n", "DurableObjectStorage", []string{"get", "put", "delete", "list", "setAlarm", "getAlarm", "deleteAlarm", "sql"}},
		{"DO storage alias", header + "class C(DurableObject):\n    async def fetch(self, request):\n        storage = self.ctx.storage\n        await storage.<|>\n", "DurableObjectStorage", nil},
		{"DO sql exec cursor", header + "class C(DurableObject):\n    async def fetch(self, request):\n        self.ctx.storage.sql.exec('SELECT 1').<|>\n", "SqlStorageCursor", nil},
		{"Worker self.ctx", header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        self.ctx.<|>\n", "ExecutionContext", []string{"waitUntil"}},
		{"scheduled controller", header + "class Default(WorkerEntrypoint):\n    async def scheduled(self, controller):\n        controller.<|>\n", "ScheduledController", []string{"cron", "scheduledTime"}},
		{"queue batch", header + "class Default(WorkerEntrypoint):\n    async def queue(self, batch):\n        batch.<|>\n", "MessageBatch", []string{"messages", "ackAll", "retryAll"}},
		{"queue message loop", header + "class Default(WorkerEntrypoint):\n    async def queue(self, batch):\n        for msg in batch.messages:\n            msg.<|>\n", "Message", []string{"ack", "retry", "body"}},
		{"queue message index", header + "class Default(WorkerEntrypoint):\n    async def queue(self, batch):\n        batch.messages[0].<|>\n", "Message", nil},
		{"legacy ctx", "async def on_fetch(request, env, ctx):\n    ctx.<|>\n", "ExecutionContext", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items := Complete(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", tc.src))
			checkLabels(t, items, append(tc.want, methodNames(t, tc.iface)...), []string{"CACHE"})
		})
	}
}

func TestCompleteStepSignatures(t *testing.T) {
	src := header + "class P(WorkflowEntrypoint):\n    async def run(self, event, step):\n        step.<|>\n"
	items := Complete(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", src))
	sleep, _ := itemNamed(items, "sleep")
	if !strings.Contains(sleep.Detail, "sleep(name: str, duration: str | int)") || sleep.InsertText != "sleep(${1:name}, ${2:duration})" {
		t.Errorf("sleep item %+v", sleep)
	}
	do, _ := itemNamed(items, "do")
	if !strings.HasPrefix(do.Detail, "@do(") {
		t.Errorf("do detail %q", do.Detail)
	}
}

func TestCompleteWorkersImport(t *testing.T) {
	var all []string
	for _, x := range catalog.SDKExports() {
		all = append(all, x.Name)
	}
	cases := []struct {
		name, src string
		want      []string
		unwanted  []string
	}{
		{"empty", "from workers import <|>", all, nil},
		{"after a name", "from workers import Response, <|>\n", []string{"WorkerEntrypoint", "env"}, []string{"Response"}},
		{"partial", "from workers import Work<|>", []string{"WorkerEntrypoint", "WorkflowEntrypoint"}, nil},
		{"parenthesized multi-line", "from workers import (\n    Response,\n    <|>\n)\n", []string{"DurableObject"}, []string{"Response"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items := Complete(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", tc.src))
			checkLabels(t, items, tc.want, tc.unwanted)
		})
	}
	for _, src := range []string{"from pyodide import <|>", "import <|>", "from workers.asgi import <|>"} {
		if items := Complete(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", src)); len(items) > 0 {
			t.Errorf("%q: want nothing, got %v", src, labels(items))
		}
	}
	items := Complete(context.Background(), newRequest(t, "app-jsonc", "", "src/entry.py", "from workers import <|>"))
	we, _ := itemNamed(items, "WorkerEntrypoint")
	if we.Kind != ItemClass || we.Documentation == "" {
		t.Errorf("WorkerEntrypoint item %+v", we)
	}
}

// A file too large for a tree (pysyntax.MaxParseBytes) has no facts, and
// so no completion: there is no second reader of Python to fall back to.
// It must not fail either.
func TestCompleteWithoutTree(t *testing.T) {
	src := header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        x = 1\n        self.env.<|>\n"
	req := newRequest(t, "app-jsonc", "", "src/scratch.py", src)
	text := req.File.Text() + strings.Repeat("# padding\n", pysyntax.MaxParseBytes/10+1)
	f, err := pysyntax.Parse(context.Background(), text)
	if err != nil || !f.TooLarge {
		t.Fatalf("want a file without a tree: %v", err)
	}
	req.File = f
	if items := Complete(context.Background(), req); len(items) != 0 {
		t.Errorf("items without a tree: %v", labels(items))
	}
	if h := Hover(context.Background(), req); h != nil {
		t.Errorf("hover without a tree: %+v", h)
	}
	if s := SignatureHelp(context.Background(), req); s != nil {
		t.Errorf("signature without a tree: %+v", s)
	}
}

// The server passes no file list: it is loaded only when a lookup needs
// it, and env completion never does.
func TestPythonFilesLoadedLazily(t *testing.T) {
	loads := 0
	mk := func(src string) *Request {
		req := newRequest(t, "app-jsonc", "", "src/scratch.py", src)
		req.PythonFiles, req.Workers = nil, nil
		req.PythonFilesOf = func(w *project.Worker) map[string]*pysyntax.File { loads++; return pythonFilesOf(w) }
		req.AllWorkers = func() []*project.Worker { loads++; return allWorkers(loadWorkspace(t)) }
		return req
	}
	items := Complete(context.Background(), mk(header+"class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        self.env.<|>\n"))
	if len(items) == 0 || loads != 0 {
		t.Errorf("env completion: %d items, %d loads", len(items), loads)
	}
	items = Complete(context.Background(), mk(header+"class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        self.env.COUNTER.getByName('a').<|>\n"))
	checkLabels(t, items, []string{"increment"}, nil)
	items = Complete(context.Background(), mk(header+"class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        self.env.AUTH.<|>\n"))
	checkLabels(t, items, []string{"verify"}, nil)
	if loads == 0 {
		t.Error("files were never loaded")
	}
}

// The server's facts (Request.Facts) are the only reader of Python: every
// file a completion looks at comes from it, none is parsed on the side.
func TestFactsHookServesEveryFile(t *testing.T) {
	req := newRequest(t, "app-jsonc", "", "src/scratch.py", header+"class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        await self.env.COUNTER.getByName('a').<|>\n")
	asked := map[string]int{}
	req.Facts = func(path string, f *pysyntax.File) *pyfacts.Module {
		asked[filepath.Base(path)]++
		return pyfacts.Parse(path, f)
	}
	checkLabels(t, Complete(context.Background(), req), []string{"increment", "reset"}, nil)
	if asked["scratch.py"] == 0 || asked["entry.py"] == 0 {
		t.Errorf("facts asked for %v", asked)
	}
}

// Issue 16 item 3: after typing `x = self.env.` above a line, the next
// line's name is not a reference to a binding of that name.
func TestReferencesIgnoreChainSplitByNewline(t *testing.T) {
	src := inFetch("        x = self.env.\n        CACHE = 1\n        self.env.CA<|>CHE\n")
	req := newRequest(t, "app-jsonc", "", "src/scratch.py", src)
	var lines []int
	for _, l := range References(context.Background(), req, false) {
		if filepath.Base(l.Path) == "scratch.py" {
			lines = append(lines, l.StartPos.Line)
		}
	}
	if len(lines) != 1 || lines[0] != 6 { // line 5 is `CACHE = 1`
		t.Errorf("references in scratch.py at lines %v, want [6]", lines)
	}
}
