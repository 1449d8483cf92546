package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "projects", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Every binding kind must be read from both fixture configs.
func TestEveryBindingKind(t *testing.T) {
	for _, dir := range []string{"bindings-jsonc", "bindings-toml"} {
		root := fixture(t, dir)
		cfg := FindConfig(OSFS{}, filepath.Join(root, "src"))
		if cfg == "" {
			t.Fatalf("%s: config not found", dir)
		}
		w := Load(OSFS{}, cfg)
		if len(w.Config.Errors) > 0 {
			t.Fatalf("%s: %v", dir, w.Config.Errors)
		}
		top, _ := w.Env("")
		for _, kind := range BindingKinds {
			if len(top.BindingsOf(kind.Interface)) == 0 && kind.Interface != "" {
				t.Errorf("%s: no binding of kind %s", dir, kind.Key())
			}
		}
		for _, want := range []string{"CACHE", "DB", "COUNTER", "MAILER", "LIMITER", "API_HOST", "STRIPE_KEY"} {
			if top.Binding(want) == nil {
				t.Errorf("%s: missing %s", dir, want)
			}
		}
		if got := top.Binding("COUNTER").Field("class_name"); got != "Counter" {
			t.Errorf("%s: COUNTER class_name %q", dir, got)
		}
		if top.Main != "src/entry.py" || !strings.HasSuffix(top.MainPath, filepath.Join("src", "entry.py")) {
			t.Errorf("%s: main %q %q", dir, top.Main, top.MainPath)
		}
		if len(top.Crons) == 0 {
			t.Errorf("%s: no crons", dir)
		}
	}
}

func TestEnvironmentInheritance(t *testing.T) {
	w := Load(OSFS{}, filepath.Join(fixture(t, "bindings-jsonc"), "wrangler.jsonc"))
	if strings.Join(w.EnvNames, ",") != "staging" {
		t.Fatalf("env names %v", w.EnvNames)
	}
	st, ok := w.Env("staging")
	if !ok {
		t.Fatal("staging not found")
	}
	// Bindings are not inherited: only what env.staging declares (plus
	// inherited assets, and the staging secrets).
	if st.Binding("DB") != nil || st.Binding("BUCKET") != nil {
		t.Error("top-level bindings must not be inherited")
	}
	if b := st.Binding("CACHE"); b == nil || b.Field("id") != "staging-kv" || b.FromEnv != "staging" {
		t.Errorf("staging CACHE: %+v", b)
	}
	if b := st.Binding("API_HOST"); b == nil || b.Detail != `"staging.example.com"` {
		t.Errorf("staging var: %+v", b)
	}
	if st.Binding("ASSETS") == nil {
		t.Error("assets is inherited")
	}
	// compatibility settings and main are inherited.
	if st.CompatDate != "2025-11-01" || st.Main != "src/entry.py" || st.Compat.Runtime.Python != "3.13.2" {
		t.Errorf("inherited settings: %q %q %s", st.CompatDate, st.Main, st.Compat.Runtime.Python)
	}
	// .dev.vars.staging replaces .dev.vars for the staging environment.
	if s := st.Binding("SESSION_SECRET"); s == nil || s.Secret.Value() != "staging-secret" {
		t.Errorf("staging secret: %+v", s)
	}
	if st.Binding("STRIPE_KEY") != nil && st.Binding("STRIPE_KEY").Secret.File != "" {
		t.Error("STRIPE_KEY comes from .dev.vars, which staging does not read")
	}
	top, _ := w.Env("")
	if s := top.Binding("SESSION_SECRET"); s == nil || s.Secret.Value() != "abc def" || strings.Contains(s.Detail, "abc") {
		t.Errorf("top secret: %+v", s)
	}
	if _, ok := w.Env("nope"); ok {
		t.Error("unknown env must report !ok")
	}
}

func TestDependenciesAndModules(t *testing.T) {
	w := Load(OSFS{}, filepath.Join(fixture(t, "bindings-jsonc"), "wrangler.jsonc"))
	if d, ok := w.Dependency("workers_runtime_sdk"); !ok || d.Group != "project" {
		t.Errorf("workers-runtime-sdk: %+v %v", d, ok)
	}
	if d, ok := w.Dependency("workers-py"); !ok || d.Group != "dev" {
		t.Errorf("workers-py: %+v", d)
	}
	if w.HasPythonModules {
		t.Error("fixture has no python_modules")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte("main = \"entry.py\"\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "python_modules", "workers"), 0o755)
	os.MkdirAll(filepath.Join(dir, "python_modules", "workers_runtime_sdk-1.6.0.dist-info"), 0o755)
	os.WriteFile(filepath.Join(dir, "python_modules", "six.py"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "requirements.txt"), nil, 0o644)
	w = Load(OSFS{}, filepath.Join(dir, "wrangler.toml"))
	if !w.HasPythonModules || strings.Join(w.PythonModules, ",") != "six,workers" {
		t.Errorf("python_modules %v", w.PythonModules)
	}
	if len(w.LegacyRequirements) != 1 {
		t.Errorf("legacy requirements %v", w.LegacyRequirements)
	}
}

func TestConfigLookupOrderAndBrokenConfig(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte(`name = "t"`), 0o644)
	os.WriteFile(filepath.Join(dir, "wrangler.jsonc"), []byte(`{"name": "j"}`), 0o644)
	os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755)
	if got := FindConfig(OSFS{}, filepath.Join(dir, "a", "b")); filepath.Base(got) != "wrangler.jsonc" {
		t.Fatalf("lookup order: %s", got)
	}
	os.WriteFile(filepath.Join(dir, "wrangler.json"), []byte("not json at all"), 0o644)
	w := Load(OSFS{}, FindConfig(OSFS{}, dir))
	if len(w.Config.Errors) == 0 {
		t.Fatal("want a syntax error")
	}
	if top, _ := w.Env(""); top == nil || len(top.Bindings) != 0 {
		t.Fatal("a broken config still yields an (empty) model")
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{"Workers_Runtime.SDK": "workers-runtime-sdk", "a--b": "a-b"} {
		if got := NormalizeName(in); got != want {
			t.Errorf("%s → %s", in, got)
		}
	}
	if got := requirementName("httpx[http2]>=0.27 ; python_version>'3.11'"); got != "httpx" {
		t.Errorf("requirementName: %s", got)
	}
}
