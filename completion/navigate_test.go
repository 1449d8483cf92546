package completion

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func inFetch(body string) string {
	return header + "class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n" + body
}

func TestHoverBinding(t *testing.T) {
	src := inFetch("        await self.env.CA<|>CHE.get('k')\n")
	req := newRequest(t, "app-jsonc", "", "src/scratch.py", src)
	h := Hover(context.Background(), req)
	if h == nil {
		t.Fatal("no hover")
	}
	start := strings.Index(strings.Replace(src, cursor, "", 1), "CACHE")
	if h.Start != start || h.End != start+len("CACHE") {
		t.Errorf("range %d-%d, want %d-%d", h.Start, h.End, start, start+5)
	}
	for _, want := range []string{"KV namespace", "KVNamespace", `{ "binding": "CACHE", "id": "0f2ac74b498b48028cb68387c421e279" }`, "wrangler.jsonc", "top level", "https://developers.cloudflare.com/kv/api/"} {
		if !strings.Contains(h.Markdown, want) {
			t.Errorf("hover lacks %q:\n%s", want, h.Markdown)
		}
	}

	h = Hover(context.Background(), newRequest(t, "app-jsonc", "staging", "src/scratch.py", src))
	if h == nil || !strings.Contains(h.Markdown, "env.staging") || !strings.Contains(h.Markdown, "staging-kv") {
		t.Errorf("staging hover: %+v", h)
	}

	h = Hover(context.Background(), newRequest(t, "app-toml", "", "src/scratch.py", inFetch("        self.env.D<|>B\n")))
	if h == nil || !strings.Contains(h.Markdown, "[[d1_databases]]\nbinding = \"DB\"") || !strings.Contains(h.Markdown, "wrangler.toml") {
		t.Errorf("TOML hover: %+v", h)
	}

	h = Hover(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", inFetch("        self.env.SESSION_<|>SECRET\n")))
	if h == nil || !strings.Contains(h.Markdown, ".dev.vars") || strings.Contains(h.Markdown, "do-not-show-me") {
		t.Errorf("secret hover: %+v", h)
	}
	h = Hover(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", inFetch("        self.env.API_<|>HOST\n")))
	if h == nil || !strings.Contains(h.Markdown, `"API_HOST": "api.example.com"`) {
		t.Errorf("var hover: %+v", h)
	}
}

func TestHoverMethod(t *testing.T) {
	h := Hover(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", inFetch("        await self.env.CACHE.p<|>ut('k', 'v')\n")))
	m, _ := mustIface(t, "KVNamespace").Member("put")
	if h == nil || !strings.Contains(h.Markdown, m.TypedSignature()) || !strings.Contains(h.Markdown, m.Doc) {
		t.Fatalf("put hover: %+v", h)
	}
	h = Hover(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", inFetch("        rows = await self.env.DB.prepare(q).bind(1).a<|>ll()\n")))
	if h == nil || !strings.Contains(h.Markdown, "D1PreparedStatement.async all()") {
		t.Errorf("all hover: %+v", h)
	}
	h = Hover(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", inFetch("        await self.env.COUNTER.getByName('a').incr<|>ement(2)\n")))
	if h == nil || !strings.Contains(h.Markdown, "increment(by=1)") || !strings.Contains(h.Markdown, "Add to the counter") {
		t.Errorf("RPC hover: %+v", h)
	}
	if h := Hover(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", inFetch("        x = requ<|>est\n"))); h != nil {
		t.Errorf("hover on a plain name: %+v", h)
	}
}

func TestSignatureHelp(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		label  string // prefix of the label
		active string // the active parameter's label text; "" for none
	}{
		{"first argument", "        await self.env.CACHE.put(<|>\n", "put(key: str", "key: str"},
		{"second argument", "        await self.env.CACHE.put('k', <|>)\n", "put(", "value: str | bytes | ReadableStream"},
		{"keyword argument", "        await self.env.CACHE.put('k', v, expirationTtl=<|>)\n", "put(", "expirationTtl: int = None"},
		{"nested call inside", "        await self.env.CACHE.put(str(1), f(a, b<|>))\n", "", ""},
		{"after nested call", "        await self.env.CACHE.put(str(1), <|>)\n", "put(", "value: str | bytes | ReadableStream"},
		{"variadic bind", "        self.env.DB.prepare(q).bind(1, 2, <|>)\n", "bind(*values", "*values: Any"},
		{"multi-line call", "        await self.env.BUCKET.put(\n            key,\n            <|>\n", "put(key: str", "value: str | bytes | ReadableStream | Blob | None"},
		{"step.sleep", "", "sleep(name: str, duration: str | int)", "duration: str | int"},
		{"RPC method", "        await self.env.AUTH.verify(<|>)\n", "verify(token: str, *, audience=None)", "token: str"},
		{"RPC keyword", "        await self.env.AUTH.verify(t, audience=<|>)\n", "verify(", "audience=None"},
		{"not a binding call", "        print(<|>)\n", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := inFetch(tc.body)
			if tc.name == "step.sleep" {
				src = header + "class P(WorkflowEntrypoint):\n    async def run(self, event, step):\n        await step.sleep('wait', <|>)\n"
			}
			res := SignatureHelp(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", src))
			if tc.label == "" {
				if res != nil {
					t.Errorf("want no signature, got %+v", res)
				}
				return
			}
			if res == nil {
				t.Fatal("no signature")
			}
			if !strings.HasPrefix(res.Label, tc.label) {
				t.Errorf("label %q, want prefix %q", res.Label, tc.label)
			}
			got := ""
			if res.ActiveParam >= 0 && res.ActiveParam < len(res.Params) {
				p := res.Params[res.ActiveParam]
				got = res.Label[p.Start:p.End]
			}
			if got != tc.active {
				t.Errorf("active parameter %q, want %q (label %q)", got, tc.active, res.Label)
			}
		})
	}
}

// The signature label must read exactly as the catalog renders it.
func TestSignatureLabelMatchesCatalog(t *testing.T) {
	for _, name := range []string{"KVNamespace", "R2Bucket", "D1PreparedStatement", "DurableObjectStorage", "WorkflowStep", "Workflow", "Ai"} {
		iface := mustIface(t, name)
		for _, m := range iface.Members {
			if m.Property {
				continue
			}
			if got := catalogSignature(nil, m).Label; got != m.TypedSignature() {
				t.Errorf("%s.%s: %q != %q", name, m.Name, got, m.TypedSignature())
			}
		}
	}
}

func TestDefinitionBinding(t *testing.T) {
	ws := loadWorkspace(t)
	cfgText := ws["app-jsonc"].Config.Text
	want := `{ "binding": "CACHE", "id": "0f2ac74b498b48028cb68387c421e279" }`
	locs := Definition(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", inFetch("        await self.env.CAC<|>HE.get('k')\n")))
	if len(locs) != 1 || locs[0].Path != ws["app-jsonc"].ConfigPath || cfgText[locs[0].Start:locs[0].End] != want {
		t.Fatalf("definition %+v", locs)
	}
	if locs[0].StartPos.Line != strings.Count(cfgText[:strings.Index(cfgText, want)], "\n") {
		t.Errorf("line %d", locs[0].StartPos.Line)
	}
	// staging picks the staging entry
	locs = Definition(context.Background(), newRequest(t, "app-jsonc", "staging", "src/scratch.py", inFetch("        self.env.CACHE<|>\n")))
	if len(locs) != 1 || cfgText[locs[0].Start:locs[0].End] != `{ "binding": "CACHE", "id": "staging-kv" }` {
		t.Errorf("staging definition %+v", locs)
	}
	// TOML: the [[table]] entry
	tomlText := ws["app-toml"].Config.Text
	locs = Definition(context.Background(), newRequest(t, "app-toml", "", "src/scratch.py", inFetch("        self.env.BUCK<|>ET\n")))
	if len(locs) != 1 || !strings.HasPrefix(tomlText[locs[0].Start:locs[0].End], "[[r2_buckets]]\nbinding = \"BUCKET\"\nbucket_name = \"uploads\"") {
		t.Errorf("TOML definition %+v", locs)
	}
	// a var: key and value
	locs = Definition(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", inFetch("        self.env.MAX_<|>ITEMS\n")))
	if len(locs) != 1 || cfgText[locs[0].Start:locs[0].End] != `"MAX_ITEMS": 50` {
		t.Errorf("var definition %+v", locs)
	}
	// a .dev.vars secret: its line
	locs = Definition(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", inFetch("        self.env.SESSION_<|>SECRET\n")))
	if len(locs) != 1 || filepath.Base(locs[0].Path) != ".dev.vars" || locs[0].StartPos.Line != 0 || locs[0].EndPos.Character != len("SESSION_SECRET") {
		t.Errorf("secret definition %+v", locs)
	}
	// an RPC method: its def in the other Worker
	locs = Definition(context.Background(), newRequest(t, "app-jsonc", "", "src/scratch.py", inFetch("        await self.env.AUTH.ver<|>ify(t)\n")))
	if len(locs) != 1 || !strings.HasSuffix(locs[0].Path, filepath.Join("auth", "src", "entry.py")) || locs[0].StartPos.Line != 7 {
		t.Errorf("RPC definition %+v", locs)
	}
}

func TestReferencesBinding(t *testing.T) {
	ws := loadWorkspace(t)
	w := ws["app-jsonc"]
	src := inFetch("        await self.env.CA<|>CHE.get('k')\n        kv = self.env.CACHE\n        env = self.env\n        env.CACHE\n        self.env.DB\n        # self.env.CACHE in a comment\n")
	req := newRequest(t, "app-jsonc", "", "src/scratch.py", src)
	locs := References(context.Background(), req, true)
	var got []string
	for _, l := range locs {
		got = append(got, filepath.Base(l.Path)+":"+strconv.Itoa(l.StartPos.Line))
	}
	// scratch.py lines 4,5,7; entry.py: fetch and scheduled; helpers.py: env.CACHE; the config entry first
	want := []string{"wrangler.jsonc:" + strconv.Itoa(lineOf(w.Config.Text, `"binding": "CACHE", "id": "0f2a`)),
		"entry.py:" + strconv.Itoa(lineOf(readFixture(t, "app-jsonc/src/entry.py"), `self.env.CACHE.get`)),
		"entry.py:" + strconv.Itoa(lineOf(readFixture(t, "app-jsonc/src/entry.py"), `self.env.CACHE.delete`)),
		"helpers.py:4",
		"scratch.py:4", "scratch.py:5", "scratch.py:7"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("references\n got %v\nwant %v", got, want)
	}
	if locs[0].Path != w.ConfigPath || w.Config.Text[locs[0].Start:locs[0].End] != `"CACHE"` {
		t.Errorf("declaration %+v", locs[0])
	}
	if n := len(References(context.Background(), req, false)); n != len(want)-1 {
		t.Errorf("without the declaration: %d", n)
	}
}

// lineOf is the zero-based line of the first occurrence of needle.
func lineOf(text, needle string) int {
	i := strings.Index(text, needle)
	if i < 0 {
		return -1
	}
	return strings.Count(text[:i], "\n")
}

func readFixture(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(workspaceDir(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
