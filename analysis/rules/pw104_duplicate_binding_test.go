package rules

import "testing"

func TestPW104(t *testing.T) {
	cfg := jsoncConfig("2026-05-01", `"python_workers"`, `,
  "kv_namespaces": [{ "binding": "STORE", "id": "x" }],
  "r2_buckets": [{ "binding": "STORE", "bucket_name": "b" }]`)
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": okEntry}, "")
	d := expectOne(t, in, "wrangler.jsonc", "PW104", `"STORE"`)
	if d.Range.Start.Line != 6 {
		t.Errorf("want the second occurrence, got %+v", d.Range)
	}
}

func TestPW104Negative(t *testing.T) {
	cfg := jsoncConfig("2026-05-01", `"python_workers"`, `,
  "kv_namespaces": [{ "binding": "STORE", "id": "x" }],
  "env": { "staging": { "kv_namespaces": [{ "binding": "STORE", "id": "y" }] } }`)
	in := worker(t, map[string]string{"wrangler.jsonc": cfg, "src/entry.py": okEntry}, "")
	expectNone(t, in, "wrangler.jsonc", "PW104")
}
