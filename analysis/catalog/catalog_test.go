package catalog

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// required names the interfaces the brief asks the catalog to cover; other
// packages look them up by these names.
var required = []string{
	"KVNamespace", "D1Database", "D1PreparedStatement", "D1Result", "R2Bucket", "R2Object",
	"R2ObjectBody", "R2Objects", "Ai", "VectorizeIndex", "DurableObjectNamespace", "DurableObjectId",
	"DurableObjectStub", "DurableObjectState", "DurableObjectStorage", "SqlStorage", "Queue",
	"AnalyticsEngineDataset", "Workflow", "WorkflowInstance", "Fetcher", "Hyperdrive", "SendEmail",
	"DispatchNamespace", "WorkerVersionMetadata", "ImagesBinding", "SecretsStoreSecret", "Pipeline",
	"RateLimit", "WorkflowStep", "ExecutionContext", "ScheduledController", "MessageBatch", "Message",
	"Request", "Response",
}

func TestRequiredInterfacesPresent(t *testing.T) {
	for _, name := range required {
		iface, ok := Lookup(name)
		if !ok {
			t.Errorf("interface %s missing", name)
			continue
		}
		if iface.Name != name {
			t.Errorf("Lookup(%q) returned %q", name, iface.Name)
		}
	}
	if _, ok := Lookup("NoSuchThing"); ok {
		t.Error("Lookup of an unknown name succeeded")
	}
}

var (
	identRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	snippetRE = regexp.MustCompile(`\$\{(\d+):([^}]*)\}|\$(\d+)`)
)

func TestTableSanity(t *testing.T) {
	seenIface := map[string]bool{}
	for _, iface := range Interfaces() {
		if seenIface[iface.Name] {
			t.Errorf("interface %s listed twice", iface.Name)
		}
		seenIface[iface.Name] = true
		if iface.Doc == "" || strings.Contains(iface.Doc, "\n") {
			t.Errorf("%s: doc must be one non-empty line", iface.Name)
		}
		if !strings.HasPrefix(iface.DocsURL, "https://developers.cloudflare.com/") {
			t.Errorf("%s: DocsURL %q is not a developers.cloudflare.com page", iface.Name, iface.DocsURL)
		}
		if len(iface.Members) == 0 {
			t.Errorf("%s has no members", iface.Name)
		}
		seen := map[string]bool{}
		for _, m := range iface.Members {
			where := iface.Name + "." + m.Name
			if !identRE.MatchString(m.Name) {
				t.Errorf("%s: bad member name", where)
			}
			if seen[m.Name] {
				t.Errorf("%s: duplicate member", where)
			}
			seen[m.Name] = true
			if m.Doc == "" || strings.Contains(m.Doc, "\n") {
				t.Errorf("%s: doc must be one non-empty line", where)
			}
			if m.Returns == "" {
				t.Errorf("%s: Returns is empty", where)
			}
			if m.ReturnsInterface != "" {
				if _, ok := Lookup(m.ReturnsInterface); !ok {
					t.Errorf("%s: ReturnsInterface %q is not in the catalog", where, m.ReturnsInterface)
				}
			}
			if m.Property && (m.Async || len(m.Params) > 0 || m.Decorator) {
				t.Errorf("%s: a property cannot be async, take params or decorate", where)
			}
			checkParams(t, where, m.Params)
			checkSnippet(t, where, m)
		}
	}
}

// checkParams enforces Python's parameter order: required positionals,
// optional positionals, at most one *args, then keyword-only ones.
func checkParams(t *testing.T, where string, params []Param) {
	t.Helper()
	names := map[string]bool{}
	stage := 0 // 0 required, 1 optional, 2 after *args, 3 keyword-only
	for _, p := range params {
		if !identRE.MatchString(p.Name) {
			t.Errorf("%s: bad parameter name %q", where, p.Name)
		}
		if names[p.Name] {
			t.Errorf("%s: parameter %s twice", where, p.Name)
		}
		names[p.Name] = true
		var s int
		switch {
		case p.Variadic && p.KeywordOnly:
			t.Errorf("%s: %s cannot be both *args and keyword-only", where, p.Name)
		case p.Variadic:
			if stage >= 2 {
				t.Errorf("%s: *%s out of order", where, p.Name)
			}
			s = 2
		case p.KeywordOnly:
			if !p.Optional {
				t.Errorf("%s: keyword-only %s must be optional (it is a JS options key)", where, p.Name)
			}
			s = 3
		case p.Optional:
			s = 1
		}
		if s < stage {
			t.Errorf("%s: parameter %s out of order", where, p.Name)
		}
		stage = s
	}
}

func checkSnippet(t *testing.T, where string, m Member) {
	t.Helper()
	snip := m.SnippetInsertText()
	if !strings.HasPrefix(snip, m.Name) {
		t.Errorf("%s: snippet %q does not start with the name", where, snip)
	}
	if m.Property {
		if snip != m.Name {
			t.Errorf("%s: property snippet %q", where, snip)
		}
		return
	}
	if !strings.HasSuffix(snip, ")") || strings.Count(snip, "(") != 1 {
		t.Errorf("%s: snippet %q is not name(...)", where, snip)
	}
	// Tab stops must be numbered 1, 2, 3... in order (or a lone $0).
	next := 1
	for _, g := range snippetRE.FindAllStringSubmatch(snip, -1) {
		if g[3] == "0" {
			continue
		}
		if g[1] != strconv.Itoa(next) || g[2] == "" {
			t.Errorf("%s: snippet %q has a malformed or misnumbered stop %q", where, snip, g[0])
		}
		next++
	}
	rest := snippetRE.ReplaceAllString(snip, "")
	if strings.ContainsAny(rest, "${}") {
		t.Errorf("%s: snippet %q has unbalanced snippet syntax", where, snip)
	}
}

func TestSignatureAndSnippet(t *testing.T) {
	cases := []struct {
		iface, member, sig, snippet string
	}{
		{"KVNamespace", "put", "put(key, value, *, expiration=None, expirationTtl=None, metadata=None)", "put(${1:key}, ${2:value})"},
		{"KVNamespace", "list", "list(*, prefix=None, limit=None, cursor=None)", "list($0)"},
		{"D1PreparedStatement", "bind", "bind(*values)", "bind(${1:values})"},
		{"D1PreparedStatement", "all", "all()", "all()"},
		{"D1PreparedStatement", "first", "first(colName=None)", "first($0)"},
		{"SqlStorage", "exec", "exec(query, *bindings)", "exec(${1:query}, ${2:bindings})"},
		{"DurableObjectNamespace", "idFromName", "idFromName(name)", "idFromName(${1:name})"},
		{"WorkflowStep", "do", "do(name=None, *, concurrent=None, config=None)", "do($0)"},
		{"WorkflowStep", "wait_for_event", "wait_for_event(name, event_type, *, timeout=None)", "wait_for_event(${1:name}, ${2:event_type})"},
		{"R2ObjectBody", "key", "key", "key"},
	}
	for _, c := range cases {
		iface, ok := Lookup(c.iface)
		if !ok {
			t.Fatalf("%s missing", c.iface)
		}
		m, ok := iface.Member(c.member)
		if !ok {
			t.Fatalf("%s.%s missing", c.iface, c.member)
		}
		if got := m.Signature(); got != c.sig {
			t.Errorf("%s.%s Signature() = %q, want %q", c.iface, c.member, got, c.sig)
		}
		if got := m.SnippetInsertText(); got != c.snippet {
			t.Errorf("%s.%s SnippetInsertText() = %q, want %q", c.iface, c.member, got, c.snippet)
		}
	}
	kvGet, _ := mustLookup(t, "KVNamespace").Member("get")
	if got, want := kvGet.TypedSignature(), `get(key: str | list[str], type: "text" | "json" | "arrayBuffer" | "stream" = None, *, cacheTtl: int = None) -> str | dict | bytes | None`; got != want {
		t.Errorf("TypedSignature = %q, want %q", got, want)
	}
}

func TestSyncAndAsyncFacts(t *testing.T) {
	// Facts other packages rely on (awaiting a sync call, or not awaiting an
	// async one, is a diagnostic).
	facts := []struct {
		iface, member string
		async         bool
	}{
		{"D1Database", "prepare", false},
		{"D1PreparedStatement", "bind", false},
		{"D1PreparedStatement", "first", true},
		{"DurableObjectNamespace", "idFromName", false},
		{"DurableObjectNamespace", "get", false},
		{"AnalyticsEngineDataset", "writeDataPoint", false},
		{"R2Bucket", "resumeMultipartUpload", false},
		{"KVNamespace", "get", true},
		{"DurableObjectStorage", "get", true},
		{"SqlStorage", "exec", false},
		{"Workflow", "create", true},
		{"WorkflowStep", "sleep", true},
		{"WorkflowStep", "do", false},
		{"ExecutionContext", "waitUntil", false},
	}
	for _, f := range facts {
		m, ok := mustLookup(t, f.iface).Member(f.member)
		if !ok {
			t.Errorf("%s.%s missing", f.iface, f.member)
			continue
		}
		if m.Async != f.async {
			t.Errorf("%s.%s Async = %v, want %v", f.iface, f.member, m.Async, f.async)
		}
	}
}

func TestSDKExportsAndFlags(t *testing.T) {
	kinds := map[string]bool{"class": true, "function": true, "module": true, "variable": true}
	exports := map[string]Export{}
	for _, e := range SDKExports() {
		if !kinds[e.Kind] {
			t.Errorf("export %s: bad kind %q", e.Name, e.Kind)
		}
		if e.Doc == "" || e.Signature == "" {
			t.Errorf("export %s: doc and signature required", e.Name)
		}
		if _, dup := exports[e.Name]; dup {
			t.Errorf("export %s twice", e.Name)
		}
		exports[e.Name] = e
	}
	for _, name := range []string{"WorkerEntrypoint", "DurableObject", "WorkflowEntrypoint", "Response", "Request", "fetch", "Blob", "File", "FormData", "env", "wait_until", "import_from_javascript", "handler", "asgi", "wsgi", "workflows"} {
		if _, ok := exports[name]; !ok {
			t.Errorf("export %s missing", name)
		}
	}

	dateRE := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	flags := map[string]Flag{}
	for _, f := range PythonFlags() {
		if f.DefaultFrom != "" && !dateRE.MatchString(f.DefaultFrom) {
			t.Errorf("flag %s: DefaultFrom %q is not a date", f.Name, f.DefaultFrom)
		}
		if f.Doc == "" {
			t.Errorf("flag %s: no doc", f.Name)
		}
		flags[f.Name] = f
	}
	for _, name := range []string{"python_workers", "python_workers_20250116", "no_python_workers_20250116", "python_workers_20260610", "python_workers_20260817", "python_no_global_handlers", "python_workflows", "disable_python_workflows", "python_dedicated_snapshot", "python_check_rng_state", "python_request_headers_preserve_commas", "python_workflows_implicit_dependencies", "enable_python_external_sdk", "python_process_pth_files", "experimental"} {
		if _, ok := flags[name]; !ok {
			t.Errorf("flag %s missing", name)
		}
	}
	if got := flags["python_no_global_handlers"].DefaultFrom; got != "2025-08-14" {
		t.Errorf("python_no_global_handlers DefaultFrom = %q", got)
	}
}

func TestInterfacesReturnsCopy(t *testing.T) {
	a := Interfaces()
	a[0] = nil
	if Interfaces()[0] == nil {
		t.Fatal("Interfaces() exposes its backing slice")
	}
}

func mustLookup(t *testing.T, name string) *Interface {
	t.Helper()
	iface, ok := Lookup(name)
	if !ok {
		t.Fatalf("%s missing", name)
	}
	return iface
}
