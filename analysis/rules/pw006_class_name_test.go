package rules

import (
	"strings"
	"testing"
)

func TestPW006Missing(t *testing.T) {
	cfg := jsoncConfig("2026-05-01", `"python_workers"`, `,
  "durable_objects": { "bindings": [{ "name": "COUNTER", "class_name": "Countr" }] }`)
	src := okEntry + "\nfrom workers import DurableObject\n\nclass Counter(DurableObject):\n    pass\n"
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": src}, "")
	d := expectOne(t, in, "wrangler.jsonc", "PW006", `"Countr"`)
	if got := fixed(t, in, d, "Change class_name to Counter", "wrangler.jsonc"); !strings.Contains(got, `"class_name": "Counter"`) {
		t.Errorf("fix:\n%s", got)
	}
	if got := fixed(t, in, d, "Create class Countr", "src/entry.py"); !strings.HasSuffix(got, "\n\nclass Countr(DurableObject):\n    pass\n") {
		t.Errorf("create:\n%s", got)
	}
}

func TestPW006PresentOrOtherScript(t *testing.T) {
	cfg := jsoncConfig("2026-05-01", `"python_workers"`, `,
  "durable_objects": { "bindings": [{ "name": "C", "class_name": "Counter" }, { "name": "X", "class_name": "Remote", "script_name": "other" }] }`)
	src := okEntry + "\nfrom workers import DurableObject\n\nclass Counter(DurableObject):\n    pass\n"
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": src}, "")
	expectNone(t, in, "wrangler.jsonc", "PW006")
}
