package rules

import (
	"context"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

// memFS is an in-memory project.FS rooted at "/w".
type memFS map[string]string

func (m memFS) ReadFile(p string) ([]byte, error) {
	if s, ok := m[p]; ok {
		return []byte(s), nil
	}
	return nil, fs.ErrNotExist
}

type dirEntry struct {
	name string
	dir  bool
}

func (d dirEntry) Name() string               { return d.name }
func (d dirEntry) IsDir() bool                { return d.dir }
func (d dirEntry) Type() fs.FileMode          { return 0 }
func (d dirEntry) Info() (fs.FileInfo, error) { return nil, fs.ErrInvalid }

func (m memFS) ReadDir(p string) ([]fs.DirEntry, error) {
	seen := map[string]bool{}
	var out []fs.DirEntry
	prefix := strings.TrimSuffix(p, "/") + "/"
	for k := range m {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		rest := k[len(prefix):]
		name, _, isDir := strings.Cut(rest, "/")
		if !seen[name] {
			seen[name] = true
			out = append(out, dirEntry{name, isDir})
		}
	}
	if len(out) == 0 {
		return nil, fs.ErrNotExist
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// testNow is the fixed "today" of the tests.
var testNow = time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)

const defaultConfig = `{
  "name": "w",
  "main": "src/entry.py",
  "compatibility_date": "2026-05-01",
  "compatibility_flags": ["python_workers"],
  "kv_namespaces": [{ "binding": "CACHE", "id": "x" }],
  "d1_databases": [{ "binding": "DB", "database_name": "d", "database_id": "y" }]
}
`

// worker builds an Input from files named relative to /w. A file set
// without a config gets defaultConfig.
func worker(t testing.TB, files map[string]string, env string) *Input {
	t.Helper()
	m := memFS{}
	cfg := ""
	for name, text := range files {
		m[path.Join("/w", name)] = text
		if strings.HasPrefix(name, "wrangler.") {
			cfg = path.Join("/w", name)
		}
	}
	if cfg == "" {
		cfg = "/w/wrangler.jsonc"
		m[cfg] = defaultConfig
	}
	w := project.Load(m, cfg)
	e, _ := w.Env(env)
	in := &Input{Worker: w, Env: e, PythonFiles: map[string]*pysyntax.File{}, FS: m, Now: testNow}
	for p, text := range m {
		if strings.HasSuffix(p, ".py") {
			f, err := pysyntax.Parse(context.Background(), text)
			if err != nil {
				t.Fatal(err)
			}
			in.PythonFiles[p] = f
		}
	}
	return in
}

// diagsOf checks one file and keeps the diagnostics with code.
func diagsOf(t testing.TB, in *Input, file, code string) []Diagnostic {
	t.Helper()
	var out []Diagnostic
	for _, d := range CheckFile(context.Background(), in, path.Join("/w", file)) {
		if d.Code == code {
			out = append(out, d)
		}
	}
	return out
}

// textAt returns the text a diagnostic's range covers.
func textAt(t testing.TB, in *Input, d Diagnostic) string {
	t.Helper()
	text := fileText(in, d.Path)
	x := textpos.New(text)
	s, err1 := x.Offset(d.Range.Start)
	e, err2 := x.Offset(d.Range.End)
	if err1 != nil || err2 != nil {
		t.Fatalf("bad range %+v", d.Range)
	}
	return text[s:e]
}

func fileText(in *Input, p string) string {
	b, _ := in.FS.ReadFile(p)
	return string(b)
}

// applyFix applies a fix's edits to the files they touch and returns the
// new texts by path.
func applyFix(t testing.TB, in *Input, fix Fix) map[string]string {
	t.Helper()
	byPath := map[string][]FileEdit{}
	for _, e := range fix.Edits {
		byPath[e.Path] = append(byPath[e.Path], e)
	}
	out := map[string]string{}
	for p, edits := range byPath {
		text := fileText(in, p)
		x := textpos.New(text)
		type off struct {
			s, e int
			t    string
			i    int
		}
		var offs []off
		for _, e := range edits {
			s, err1 := x.Offset(e.Range.Start)
			en, err2 := x.Offset(e.Range.End)
			if err1 != nil || err2 != nil {
				t.Fatalf("bad edit range %+v", e.Range)
			}
			offs = append(offs, off{s, en, e.NewText, len(offs)})
		}
		// Apply from the end; inserts at one position keep their array
		// order in the result, as LSP specifies.
		sort.SliceStable(offs, func(i, j int) bool {
			if offs[i].s != offs[j].s {
				return offs[i].s > offs[j].s
			}
			return offs[i].i > offs[j].i
		})
		for i := 1; i < len(offs); i++ {
			if offs[i].e > offs[i-1].s {
				t.Fatalf("overlapping edits in %s: %+v", p, offs)
			}
		}
		for _, o := range offs {
			text = text[:o.s] + o.t + text[o.e:]
		}
		out[p] = text
	}
	return out
}

// expectOne asserts one diagnostic covering want.
func expectOne(t testing.TB, in *Input, file, code, want string) Diagnostic {
	t.Helper()
	ds := diagsOf(t, in, file, code)
	if len(ds) != 1 {
		t.Fatalf("%s in %s: want 1 diagnostic, got %d: %+v", code, file, len(ds), ds)
	}
	if got := textAt(t, in, ds[0]); got != want {
		t.Fatalf("%s range covers %q, want %q", code, got, want)
	}
	return ds[0]
}

func expectNone(t testing.TB, in *Input, file, code string) {
	t.Helper()
	if ds := diagsOf(t, in, file, code); len(ds) != 0 {
		t.Fatalf("%s in %s: want none, got %+v", code, file, ds)
	}
}

// fixed applies the diagnostic's fix titled (prefix) title and returns the
// new text of file.
func fixed(t testing.TB, in *Input, d Diagnostic, title, file string) string {
	t.Helper()
	for _, f := range d.Fixes {
		if strings.HasPrefix(f.Title, title) {
			out := applyFix(t, in, f)
			p := path.Join("/w", file)
			if s, ok := out[p]; ok {
				return s
			}
			return fileText(in, p)
		}
	}
	t.Fatalf("no fix %q among %+v", title, d.Fixes)
	return ""
}

// config builds a JSONC config with extra top-level members.
func jsoncConfig(date string, flags string, extra string) string {
	return `{
  "name": "w",
  "main": "src/entry.py",
  "compatibility_date": "` + date + `",
  "compatibility_flags": [` + flags + `]` + extra + `
}
`
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
