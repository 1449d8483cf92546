package rules

import "testing"

func TestPW101UnknownKey(t *testing.T) {
	cfg := jsoncConfig("2026-05-01", `"python_workers"`, `,
  "kv_namespaces": [{ "binding": "CACHE", "id": "x", "preview": "y" }],
  "compatibilty_flags": []`)
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": okEntry}, "")
	ds := diagsOf(t, in, "wrangler.jsonc", "PW101")
	if len(ds) != 2 || textAt(t, in, ds[0]) != `"preview"` || textAt(t, in, ds[1]) != `"compatibilty_flags"` || ds[0].Severity != Warning {
		t.Fatalf("got %+v", ds)
	}
}

func TestPW102WrongType(t *testing.T) {
	cfg := jsoncConfig("2026-05-01", `"python_workers"`, `,
  "kv_namespaces": [{ "binding": 5, "id": "x" }],
  "workers_dev": "yes"`)
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": okEntry}, "")
	ds := diagsOf(t, in, "wrangler.jsonc", "PW102")
	if len(ds) != 2 || textAt(t, in, ds[0]) != "5" || textAt(t, in, ds[1]) != `"yes"` {
		t.Fatalf("got %+v", ds)
	}
}

func TestPW103MissingName(t *testing.T) {
	cfg := jsoncConfig("2026-05-01", `"python_workers"`, `,
  "kv_namespaces": [{ "id": "x" }],
  "durable_objects": { "bindings": [{ "class_name": "C" }] }`)
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": okEntry}, "")
	ds := diagsOf(t, in, "wrangler.jsonc", "PW103")
	if len(ds) != 2 || textAt(t, in, ds[0]) != `{ "id": "x" }` {
		t.Fatalf("got %+v", ds)
	}
	// PW102 must not report the same missing field again.
	for _, d := range diagsOf(t, in, "wrangler.jsonc", "PW102") {
		t.Errorf("duplicate: %+v", d)
	}
}

func TestSchemaClean(t *testing.T) {
	in := worker(t, map[string]string{"src/entry.py": okEntry}, "")
	for _, code := range []string{"PW101", "PW102", "PW103", "PW104"} {
		expectNone(t, in, "wrangler.jsonc", code)
	}
}
