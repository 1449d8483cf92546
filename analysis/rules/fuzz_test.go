package rules

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

// catchPanics fails the test on any rule panic (runRule recovers them, so
// without the hook a crash would only be a log line).
func catchPanics(t *testing.T) {
	t.Helper()
	panicHook = func(code, path string, r any) {
		t.Errorf("%s panicked on %s: %v\n%s", code, path, r, debug.Stack())
	}
	t.Cleanup(func() { panicHook = nil })
}

// checkRanges fails when a diagnostic or a fix edit of the checked files
// lies outside its document.
func checkRanges(t *testing.T, in *Input, diags []Diagnostic) {
	t.Helper()
	valid := func(x *textpos.Index, r Range) error {
		for _, p := range []textpos.Position{r.Start, r.End} {
			if _, err := x.Offset(p); err != nil {
				return err
			}
			if n := textpos.UTF16Len(lineText(x, p.Line)); p.Character > n {
				return fmt.Errorf("column %d past the end of line %d (%d)", p.Character, p.Line, n)
			}
		}
		if r.End.Line < r.Start.Line || r.End.Line == r.Start.Line && r.End.Character < r.Start.Character {
			return fmt.Errorf("end before start")
		}
		return nil
	}
	for _, d := range diags {
		x := textpos.New(fileText(in, d.Path))
		if err := valid(x, d.Range); err != nil {
			t.Errorf("%s %q at %+v: %v", d.Code, d.Message, d.Range, err)
		}
		for _, f := range d.Fixes {
			for _, e := range f.Edits {
				if err := valid(textpos.New(fileText(in, e.Path)), e.Range); err != nil {
					t.Errorf("%s fix %q edit at %+v in %s: %v", d.Code, f.Title, e.Range, e.Path, err)
				}
			}
		}
	}
}

func lineText(x *textpos.Index, line int) string {
	return strings.TrimRight(x.Text()[x.LineStart(line):x.LineStart(line+1)], "\r\n")
}

// FuzzRulesPython runs every rule over arbitrary Python as the main module
// of a Worker with bindings: no rule panics, every diagnostic and fix edit
// is inside its document.
func FuzzRulesPython(f *testing.F) {
	for _, s := range []string{
		okEntry,
		legacyModule,
		"from workers import WorkflowEntrypoint\nimport random\n\nclass Flow(WorkflowEntrypoint):\n    async def run(self, event, step):\n        r = await fetch('https://x')\n        n = random.random()\n",
		"import time\n\nasync def h():\n    time.sleep(1)\n    self.env.CACHE.gett('k')\n",
		"def f():\n" + strings.Repeat(" ", 256) + "return 1\n",
		"class Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return self.env.\n",
		"x = '日本語😀'  # pyworkers: ignore[PW009\n\r\n\tdef (:\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		catchPanics(t)
		in := worker(t, map[string]string{"src/entry.py": src, "src/other.py": src}, "")
		checkRanges(t, in, CheckWorker(context.Background(), in))
	})
}

// FuzzRulesConfig runs every rule over an arbitrary wrangler config (JSONC
// or TOML) next to a small Python Worker.
func FuzzRulesConfig(f *testing.F) {
	for _, s := range []struct {
		cfg  string
		toml bool
	}{
		{defaultConfig, false},
		{"", false},
		{"", true},
		{"{", false},
		{"{\"env\": {\"staging\": {}}, \"kv_namespaces\": [{\"binding\": \"A\"}], \"vars\": {\"X\": 1}}", false},
		{"name = \"w\"\nmain = \"src/entry.py\"\n[[kv_namespaces]]\nbinding = \"A\"\n[env.prod]\nname = 1\n", true},
		{"[env.a.b]\nx = [1, {y = 2}]\n[[triggers.crons]]\n", true},
		{"// c\n{\"main\": 3, \"compatibility_flags\": \"python_workers\", \"env\": [], }", false},
	} {
		f.Add(s.cfg, s.toml)
	}
	f.Fuzz(func(t *testing.T, cfg string, toml bool) {
		catchPanics(t)
		name := "wrangler.jsonc"
		if toml {
			name = "wrangler.toml"
		}
		files := map[string]string{name: cfg, "src/entry.py": okEntry, "pyproject.toml": "[project]\ndependencies = [\"numpy\"]\n"}
		in := worker(t, files, "")
		checkRanges(t, in, CheckWorker(context.Background(), in))
		for _, env := range in.Worker.EnvNames {
			in := worker(t, files, env)
			checkRanges(t, in, CheckWorker(context.Background(), in))
		}
	})
}
