package rules

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEveryCatalogCodeRegistered(t *testing.T) {
	for i := 1; i <= 31; i++ {
		if i == 30 {
			continue // PW030 is not statically checkable (pitfalls.md)
		}
		code := "PW0" + string(rune('0'+i/10)) + string(rune('0'+i%10))
		if Lookup(code) == nil {
			t.Errorf("%s is not registered", code)
		}
	}
	for _, r := range Rules() {
		if r.Summary == "" || r.Check == nil || r.Targets == 0 || r.Severity == 0 {
			t.Errorf("%s is incomplete", r.Code)
		}
	}
}

func TestSuppression(t *testing.T) {
	src := "import random\nA = random.random()  # pyworkers: ignore[PW009]\nB = random.random()  # pyworkers: ignore\nC = random.random()  # pyworkers: ignore[PW001, PW002]\nD = random.random()\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	ds := diagsOf(t, in, "src/entry.py", "PW009")
	if len(ds) != 2 || ds[0].Range.Start.Line != 3 || ds[1].Range.Start.Line != 4 {
		t.Fatalf("got %+v", ds)
	}
}

func TestSuppressionInConfig(t *testing.T) {
	cfg := "{\n  \"name\": \"w\",\n  \"main\": \"src/entry.py\",\n  \"compatibility_date\": \"2026-05-01\",\n  \"compatibility_flags\": [] // pyworkers: ignore[PW002]\n}\n"
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": okEntry}, "")
	expectNone(t, in, "wrangler.jsonc", "PW002")
}

func TestDisabled(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "import random\nA = random.random()\n"}, "")
	in.Disabled = map[string]bool{"PW009": true}
	expectNone(t, in, "src/entry.py", "PW009")
}

func TestNoFloodOnHalfTypedCode(t *testing.T) {
	src := "from workers import WorkerEntrypoint\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        x = self.env.CACH\n        self.env.CACHE.put(\"k\",\n"
	in := worker(t, map[string]string{"src/entry.py": src}, "")
	for _, d := range CheckFile(context.Background(), in, "/w/src/entry.py") {
		if d.Range.Start.Line >= 5 {
			t.Errorf("diagnostic from a parse-error region: %+v", d)
		}
	}
	// Every prefix of a real module: nothing may panic, and nothing may be
	// reported inside an error node.
	full := legacyModule + stepsModule + okEntry
	for i := 0; i <= len(full); i += 7 {
		in := worker(t, map[string]string{"src/entry.py": full[:i]}, "")
		m := in.PythonFiles["/w/src/entry.py"]
		_ = m
		for _, d := range CheckFile(context.Background(), in, "/w/src/entry.py") {
			if strings.TrimSpace(d.Message) == "" {
				t.Fatal("empty message")
			}
		}
	}
}

func TestPanickingRuleIsDropped(t *testing.T) {
	register(&Rule{Code: "PW999", Name: "panics", Severity: Error, Targets: TargetPython, Summary: "test",
		Check: func(p *Pass) { p.Report(0, 1, "partial"); panic("boom") }})
	defer delete(registry, "PW999")
	in := worker(t, map[string]string{"src/entry.py": "import random\nA = random.random()\n"}, "")
	ds := CheckFile(context.Background(), in, "/w/src/entry.py")
	for _, d := range ds {
		if d.Code == "PW999" {
			t.Fatal("a panicking rule's results must be dropped")
		}
	}
	if len(diagsOf(t, in, "src/entry.py", "PW009")) != 1 {
		t.Fatal("other rules must still run")
	}
}

func TestCheckWorkerCoversAllFiles(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": "import random\nA = random.random()\n", "requirements.txt": "x\n",
		"wrangler.jsonc": jsoncConfig("2026-05-01", "", "")}, "")
	got := map[string]bool{}
	for _, d := range CheckWorker(context.Background(), in) {
		got[d.Code+" "+d.Path] = true
	}
	for _, want := range []string{"PW009 /w/src/entry.py", "PW017 /w/requirements.txt", "PW002 /w/wrangler.jsonc"} {
		if !got[want] {
			t.Errorf("missing %s in %v", want, got)
		}
	}
}

func TestEveryRuleHasADocsPage(t *testing.T) {
	for _, r := range Rules() {
		data, err := os.ReadFile(filepath.Join("../../docs/rules", r.Code+".md"))
		if err != nil {
			t.Errorf("%s: %v", r.Code, err)
			continue
		}
		if !strings.HasPrefix(string(data), "# "+r.Code+":") || !strings.Contains(string(data), "pyworkers: ignore["+r.Code+"]") {
			t.Errorf("%s: page lacks its heading or silencing section", r.Code)
		}
		if r.DocsURL() != DocsBaseURL+r.Code+".md" {
			t.Errorf("%s: docs URL %s", r.Code, r.DocsURL())
		}
	}
}

func TestConcurrentChecksShareAnInput(t *testing.T) {
	in := loadDir(t, "../../testdata/rules/pitfalls-jsonc", "")
	want := renderGolden(in, CheckWorker(context.Background(), in))
	done := make(chan string)
	for i := 0; i < 4; i++ {
		go func() { done <- renderGolden(in, CheckWorker(context.Background(), in)) }()
	}
	for i := 0; i < 4; i++ {
		if got := <-done; got != want {
			t.Error("concurrent runs disagree")
		}
	}
}
