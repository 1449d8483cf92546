package workerspec

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestLoadTOMLWithDevVarsAndBindings(t *testing.T) {
	spec, err := Load("../../testdata/runtime/app/wrangler.toml", "")
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := filepath.Abs("../../testdata/runtime/app")
	if spec.ProjectDir != dir || spec.Main != filepath.Join(dir, "src/entry.py") {
		t.Fatalf("dir %q main %q", spec.ProjectDir, spec.Main)
	}
	if spec.CompatibilityDate != "2025-10-01" || !reflect.DeepEqual(spec.CompatibilityFlags, []string{"python_workers"}) {
		t.Fatalf("compat %q %v", spec.CompatibilityDate, spec.CompatibilityFlags)
	}
	if spec.Vars["APP_NAME"] != "runtime-fixture" || spec.Secrets["API_TOKEN"] != "s3cr3t" {
		t.Fatalf("vars %v secrets %v", spec.Vars, spec.Secrets)
	}
	if m, ok := spec.Vars["LIMITS"].(map[string]any); !ok || len(m) != 1 {
		t.Fatalf("LIMITS = %#v, want the JSON object", spec.Vars["LIMITS"])
	}
	if len(spec.Bindings) != 1 || spec.Bindings[0].Name != "CACHE" || spec.Bindings[0].Kind != "kv_namespaces" || spec.Bindings[0].Field("id") == "" {
		t.Fatalf("bindings %+v", spec.Bindings)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load("../../testdata/runtime/app/wrangler.toml", "nope"); err == nil {
		t.Error("unknown environment accepted")
	}
	if _, err := Load("/nonexistent/wrangler.toml", ""); err == nil {
		t.Error("missing config accepted")
	}
}
