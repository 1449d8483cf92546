package handlers

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
)

func TestDirectivesAboveReadsOnlyTheAdjacentCommentBlock(t *testing.T) {
	src := "# pyworkers: GET /far\n\n# unrelated\n#pyworkers:   POST   /items  \n  # pyworkers: body {\"a\": 1}\n@decorator\ndef f(): pass\n"
	off := strings.Index(src, "@decorator")
	got := DirectivesAbove(src, off)
	want := []Directive{{"POST", "/items"}, {"body", `{"a": 1}`}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := DirectivesAbove("def f(): pass\n", 0); got != nil {
		t.Errorf("at the top of the file: %+v", got)
	}
}

func TestRequestsAbove(t *testing.T) {
	src := "# pyworkers: get\n# pyworkers: header x: 1\n# pyworkers: POST /items?draft=1\n# pyworkers: header content-type: application/json\n# pyworkers: body {\"name\": \"x\"}\n# pyworkers: header too: late\ndef fetch(): pass\n"
	got := RequestsAbove(src, strings.Index(src, "def"))
	want := []Request{
		{Method: "GET", Path: "/", Headers: []string{"x: 1"}},
		{Method: "POST", Path: "/items?draft=1", Headers: []string{"content-type: application/json", "too: late"}, Body: `{"name": "x"}`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	// A header before any METHOD line has no request to go to.
	src = "# pyworkers: header x: 1\ndef fetch(): pass\n"
	if got := RequestsAbove(src, strings.Index(src, "def")); !reflect.DeepEqual(got, []Request{{Method: "GET", Path: "/"}}) {
		t.Errorf("default: %+v", got)
	}
}

func TestObjectDirectivesAbove(t *testing.T) {
	src := "# pyworkers: name alice\n# pyworkers: args [1, \"b\"]\n# pyworkers: params {\"n\": 2}\ndef m(): pass\n"
	got := ObjectDirectivesAbove(src, strings.Index(src, "def"))
	if want := (ObjectDirectives{Name: "alice", Args: `[1, "b"]`, Params: `{"n": 2}`}); got != want {
		t.Errorf("got %+v", got)
	}
	if got := ObjectDirectivesAbove("def m(): pass\n", 0); got != (ObjectDirectives{Name: "default", Args: "[]"}) {
		t.Errorf("defaults: %+v", got)
	}
}

func TestNameLists(t *testing.T) {
	for bad, good := range MisnamedDurableObjectHandlers {
		if !IsDurableObjectHandler(good) {
			t.Errorf("%s maps to %s, which is not a Durable Object handler", bad, good)
		}
		if IsRuntimeMethod(bad) {
			t.Errorf("misnamed %s is a runtime method", bad)
		}
	}
	for _, name := range []string{"fetch", "scheduled", "queue", "email", "tail", "alarm", "webSocketMessage"} {
		if !IsRuntimeMethod(name) {
			t.Errorf("%s is not a runtime method", name)
		}
	}
	if IsDurableObjectHandler("queue") || IsRuntimeMethod("increment") {
		t.Error("RPC methods are taken for handlers")
	}
}

const config = `{
  "name": "w", "main": "entry.py", "compatibility_date": "2026-01-01", "compatibility_flags": ["python_workers"],
  "triggers": {"crons": ["*/5 * * * *", "0 0 * * *"]},
  "queues": {"consumers": [{"queue": "jobs"}, {"queue": "mail"}]},
  "workflows": [{"binding": "FLOW", "name": "flow", "class_name": "Flow"}],
  "durable_objects": {"bindings": [{"name": "COUNTER", "class_name": "Counter"}]}
}`

const module = `from workers import WorkerEntrypoint, DurableObject, WorkflowEntrypoint

class Default(WorkerEntrypoint):
    # pyworkers: GET /
    # pyworkers: POST /items
    async def fetch(self, request):
        pass

    async def scheduled(self, controller):
        pass

    async def queue(self, batch):
        pass

class Flow(WorkflowEntrypoint):
    # pyworkers: params {"n": 1}
    async def run(self, event, step):
        pass

class Counter(DurableObject):
    # pyworkers: name a
    # pyworkers: args [2]
    async def increment(self, by):
        pass

    async def fetch(self, request):
        pass

    async def alarm(self):
        pass

    async def webSocketMessage(self, ws, msg):
        pass

    def _private(self):
        pass

class Unbound(DurableObject):
    async def hello(self):
        pass

async def on_fetch(request, env):
    pass
`

func TestFind(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "wrangler.jsonc"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	w := project.Load(project.OSFS{}, filepath.Join(dir, "wrangler.jsonc"))
	env, _ := w.Env("")
	f, err := pysyntax.Parse(context.Background(), module)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range Find(pyfacts.Parse(filepath.Join(dir, "entry.py"), f), module, env) {
		got = append(got, fmt.Sprintf("%s %s.%s %+v %q %q %q %q %q %q %q", h.Kind, h.Class, h.Func.Name, h.Request, h.Cron, h.Queue, h.Binding, h.Params, h.Object, h.Method, h.Args))
	}
	want := []string{
		`fetch Default.fetch {Method:GET Path:/ Headers:[] Body:} "" "" "" "" "" "" ""`,
		`fetch Default.fetch {Method:POST Path:/items Headers:[] Body:} "" "" "" "" "" "" ""`,
		`scheduled Default.scheduled {Method: Path: Headers:[] Body:} "*/5 * * * *" "" "" "" "" "" ""`,
		`scheduled Default.scheduled {Method: Path: Headers:[] Body:} "0 0 * * *" "" "" "" "" "" ""`,
		`queue Default.queue {Method: Path: Headers:[] Body:} "" "jobs" "" "" "" "" ""`,
		`queue Default.queue {Method: Path: Headers:[] Body:} "" "mail" "" "" "" "" ""`,
		`workflow Flow.run {Method: Path: Headers:[] Body:} "" "" "FLOW" "{\"n\": 1}" "" "" ""`,
		`durable-rpc Counter.increment {Method: Path: Headers:[] Body:} "" "" "COUNTER" "" "a" "increment" "[2]"`,
		`durable-fetch Counter.fetch {Method:GET Path:/ Headers:[] Body:} "" "" "COUNTER" "" "default" "" ""`,
		`alarm Counter.alarm {Method: Path: Headers:[] Body:} "" "" "COUNTER" "" "" "" ""`,
		`fetch .on_fetch {Method:GET Path:/ Headers:[] Body:} "" "" "" "" "" "" ""`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Without triggers.crons a scheduled handler still runs, with DefaultCron.
func TestFindScheduledWithoutCrons(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte("name = \"w\"\nmain = \"entry.py\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env, _ := project.Load(project.OSFS{}, filepath.Join(dir, "wrangler.toml")).Env("")
	src := "async def on_scheduled(controller, env, ctx):\n    pass\n"
	f, err := pysyntax.Parse(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	hs := Find(pyfacts.Parse("entry.py", f), src, env)
	if len(hs) != 1 || hs[0].Kind != Scheduled || hs[0].Cron != DefaultCron || !hs[0].CronUnset {
		t.Errorf("got %+v", hs)
	}
}

// An entrypoint whose fetch comes from another base (django-cf's DjangoCF)
// is runnable: one fetch handler per request directive, shown on the class;
// an entrypoint with no fetch and no other base has none.
func TestFindInheritedFetch(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte("name = \"w\"\nmain = \"entry.py\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env, _ := project.Load(project.OSFS{}, filepath.Join(dir, "wrangler.toml")).Env("")
	src := "from django_cf import DjangoCF\nfrom workers import WorkerEntrypoint\n\n" +
		"# pyworkers: GET /notes/\n# pyworkers: POST /__migrate__\nclass Default(DjangoCF, WorkerEntrypoint):\n    def get_app(self):\n        pass\n\n" +
		"class Plain(WorkerEntrypoint):\n    def helper(self):\n        pass\n"
	f, err := pysyntax.Parse(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	m := pyfacts.Parse("entry.py", f)
	hs := Find(m, src, env)
	if len(hs) != 2 || hs[0].Inherited == nil || hs[0].Func != nil || hs[0].Class != "Default" ||
		hs[0].Request.Path != "/notes/" || hs[1].Request.Method != "POST" || hs[1].Request.Path != "/__migrate__" {
		t.Fatalf("got %+v", hs)
	}
	if name := src[m.Start(hs[0].NameNode()):m.End(hs[0].NameNode())]; name != "Default" {
		t.Errorf("shown on %q", name)
	}
	if outer := src[m.Start(hs[0].Outer()):]; !strings.HasPrefix(outer, "class Default(") {
		t.Errorf("outer starts %q", outer[:20])
	}
}
