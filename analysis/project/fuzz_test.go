package project

import (
	"io/fs"
	"path"
	"strings"
	"testing"
	"time"
)

// memFS is an in-memory FS: files by absolute path.
type memFS map[string]string

func (m memFS) ReadFile(p string) ([]byte, error) {
	if s, ok := m[p]; ok {
		return []byte(s), nil
	}
	return nil, fs.ErrNotExist
}

type memEntry struct {
	name string
	dir  bool
}

func (e memEntry) Name() string               { return e.name }
func (e memEntry) IsDir() bool                { return e.dir }
func (e memEntry) Type() fs.FileMode          { return 0 }
func (e memEntry) Info() (fs.FileInfo, error) { return nil, fs.ErrInvalid }

func (m memFS) ReadDir(p string) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	seen := map[string]bool{}
	for k := range m {
		if rest, ok := strings.CutPrefix(k, p+"/"); ok {
			name, _, dir := strings.Cut(rest, "/")
			if !seen[name] {
				seen[name] = true
				out = append(out, memEntry{name, dir})
			}
		}
	}
	if len(out) == 0 {
		return nil, fs.ErrNotExist
	}
	return out, nil
}

// FuzzLoad builds the Worker model (analysis/project over analysis/config)
// from an arbitrary wrangler config, JSONC or TOML, and the same text as
// pyproject.toml and .dev.vars: no panic, no hang, and every environment
// resolves with its bindings named.
func FuzzLoad(f *testing.F) {
	for _, s := range []struct {
		cfg  string
		toml bool
	}{
		{`{"name": "w", "main": "src/entry.py", "compatibility_date": "2026-05-01", "compatibility_flags": ["python_workers"], "kv_namespaces": [{"binding": "CACHE", "id": "x"}], "env": {"staging": {"vars": {"A": 1}}}}`, false},
		{"", false},
		{"", true},
		{"{\"env\": {\"\": {}, \"a\": [], \"b\": {\"env\": {}}}, \"vars\": [1], \"d1_databases\": {\"binding\": 1}}", false},
		{"/* */ {\"triggers\": {\"crons\": [1, \"* * * * *\", null]}, \"queues\": {\"consumers\": [{}]}, }", false},
		{"name = \"w\"\n[[kv_namespaces]]\nbinding = \"A\"\n[env.prod]\n[[env.prod.kv_namespaces]]\nbinding = 2\n", true},
		{"[env]\na = 1\n[env.b.c.d]\n[[env.b.vars]]\n", true},
		{"compatibility_date = 2025-08-14\ncompatibility_flags = [\"python_workers\", 3]\nmain = \"../../x.py\"\n", true},
		{"[project]\ndependencies = [\"numpy>=1\", 3, \"\"]\n[dependency-groups]\ndev = [\"x\"]\nA=1\nexport B='2'\n", true},
	} {
		f.Add(s.cfg, s.toml)
	}
	f.Fuzz(func(t *testing.T, cfg string, toml bool) {
		name := "/w/wrangler.jsonc"
		if toml {
			name = "/w/wrangler.toml"
		}
		m := memFS{name: cfg, "/w/pyproject.toml": cfg, "/w/.dev.vars": cfg, "/w/src/entry.py": "x = 1\n"}
		done := make(chan struct{})
		go func() {
			defer close(done)
			if got := FindConfig(m, "/w/src"); got != name {
				t.Errorf("FindConfig = %q", got)
			}
			w := Load(m, name)
			for _, env := range append([]string{""}, w.EnvNames...) {
				e, ok := w.Env(env)
				if !ok || e == nil || e.Name != env {
					t.Errorf("env %q: %v %v", env, e, ok)
					continue
				}
				for _, b := range e.Bindings {
					if b.Name == "" && b.Secret == nil {
						t.Errorf("env %q: a binding without a name: %+v", env, b)
					}
				}
				if e.MainPath != "" && !path.IsAbs(e.MainPath) {
					t.Errorf("env %q: main path %q", env, e.MainPath)
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Load did not return within 10 s")
		}
	})
}
