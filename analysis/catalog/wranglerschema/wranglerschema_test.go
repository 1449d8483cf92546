package wranglerschema

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func parse(t *testing.T, src string) any {
	t.Helper()
	var doc any
	if err := json.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatalf("bad test JSON: %v", err)
	}
	return doc
}

const goodConfig = `{
  "$schema": "node_modules/wrangler/config-schema.json",
  "name": "my-python-worker",
  "main": "src/entry.py",
  "compatibility_date": "2025-12-01",
  "compatibility_flags": ["python_workers", "python_workflows"],
  "vars": {"GREETING": "hi", "LIMITS": {"max": 3}},
  "kv_namespaces": [{"binding": "MY_KV", "id": "0123456789abcdef"}],
  "d1_databases": [{"binding": "DB", "database_name": "prod", "database_id": "xxxx"}],
  "r2_buckets": [{"binding": "BUCKET", "bucket_name": "files"}],
  "ai": {"binding": "AI"},
  "vectorize": [{"binding": "VEC", "index_name": "idx"}],
  "durable_objects": {"bindings": [{"name": "COUNTER", "class_name": "Counter"}]},
  "migrations": [{"tag": "v1", "new_sqlite_classes": ["Counter"]}],
  "queues": {
    "producers": [{"binding": "JOBS", "queue": "jobs"}],
    "consumers": [{"queue": "jobs", "max_batch_size": 10}]
  },
  "analytics_engine_datasets": [{"binding": "AE", "dataset": "events"}],
  "workflows": [{"binding": "FLOW", "name": "flow", "class_name": "MyFlow"}],
  "services": [{"binding": "AUTH", "service": "auth-worker"}],
  "hyperdrive": [{"binding": "HD", "id": "abc"}],
  "triggers": {"crons": ["0 * * * *"]},
  "routes": ["example.com/*", {"pattern": "api.example.com/*", "zone_name": "example.com"}],
  "observability": {"enabled": true},
  "env": {
    "staging": {
      "name": "my-python-worker-staging",
      "vars": {"GREETING": "hello"},
      "kv_namespaces": [{"binding": "MY_KV", "id": "fedcba"}],
      "durable_objects": {"bindings": [{"name": "COUNTER", "class_name": "Counter"}]}
    }
  }
}`

func TestGoodConfig(t *testing.T) {
	if issues := Validate(parse(t, goodConfig)); len(issues) != 0 {
		for _, is := range issues {
			t.Errorf("%s %v: %s", is.Kind, is.Path, is.Message)
		}
	}
	if issues := Validate(parse(t, `{}`)); len(issues) != 0 {
		t.Errorf("an empty config is valid for the schema, got %v", issues)
	}
}

func TestBadConfigs(t *testing.T) {
	cases := []struct {
		name    string
		src     string
		want    Issue
		message string // exact message, when given
	}{
		{"binding not a string", `{"kv_namespaces":[{"binding":1,"id":"x"}]}`,
			Issue{Path: []string{"kv_namespaces", "0", "binding"}, Kind: "type"},
			`"kv_namespaces[0].binding" should be a string, not a number`},
		{"flags not a list", `{"compatibility_flags":"python_workers"}`,
			Issue{Path: []string{"compatibility_flags"}, Kind: "type"},
			`"compatibility_flags" should be a list, not a string`},
		{"unknown top-level key with a hint", `{"kv_namespace":[{"binding":"KV","id":"x"}]}`,
			Issue{Path: []string{"kv_namespace"}, Kind: "unknown-key", Key: "kv_namespace"},
			`unknown key "kv_namespace" in the top level (did you mean "kv_namespaces"?)`},
		{"unknown key in a binding", `{"r2_buckets":[{"binding":"B","bucket_name":"b","bukcet":"x"}]}`,
			Issue{Path: []string{"r2_buckets", "0", "bukcet"}, Kind: "unknown-key", Key: "bukcet"},
			`unknown key "bukcet" in "r2_buckets[0]"`},
		{"missing binding", `{"d1_databases":[{"database_name":"x","database_id":"y"}]}`,
			Issue{Path: []string{"d1_databases", "0"}, Kind: "required", Key: "binding"},
			`"d1_databases[0]" is missing the required key "binding"`},
		{"missing DO class", `{"durable_objects":{"bindings":[{"name":"X"}]}}`,
			Issue{Path: []string{"durable_objects", "bindings", "0"}, Kind: "required", Key: "class_name"}, ""},
		{"env block: wrong type", `{"env":{"staging":{"vars":{"A":"b"},"workers_dev":"yes"}}}`,
			Issue{Path: []string{"env", "staging", "workers_dev"}, Kind: "type"},
			`"env.staging.workers_dev" should be true or false, not a string`},
		{"env block: unknown key", `{"env":{"production":{"d1_database":[]}}}`,
			Issue{Path: []string{"env", "production", "d1_database"}, Kind: "unknown-key", Key: "d1_database"},
			`unknown key "d1_database" in "env.production" (did you mean "d1_databases"?)`},
		{"env block: missing required", `{"env":{"dev":{"services":[{"binding":"AUTH"}]}}}`,
			Issue{Path: []string{"env", "dev", "services", "0"}, Kind: "required", Key: "service"}, ""},
		{"env not an object", `{"env":[]}`,
			Issue{Path: []string{"env"}, Kind: "type"}, ""},
		{"route of the wrong type", `{"routes":[42]}`,
			Issue{Path: []string{"routes", "0"}, Kind: "type"},
			`"routes[0]" should be a string or an object, not a number`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			issues := Validate(parse(t, c.src))
			var hit *Issue
			for i := range issues {
				is := issues[i]
				if reflect.DeepEqual(is.Path, c.want.Path) && is.Kind == c.want.Kind && is.Key == c.want.Key {
					hit = &issues[i]
				}
			}
			if hit == nil {
				t.Fatalf("want %s at %v, got %+v", c.want.Kind, c.want.Path, issues)
			}
			if c.message != "" && hit.Message != c.message {
				t.Errorf("message %q, want %q", hit.Message, c.message)
			}
			if strings.Contains(hit.Message, "jsonschema") || strings.Contains(hit.Message, "#/definitions") {
				t.Errorf("message leaks schema internals: %q", hit.Message)
			}
		})
	}
}

func TestOnlyTheIntendedBranchReported(t *testing.T) {
	// A route object with a wrong field must not produce complaints from
	// every route form (string, zone_id, zone_name, custom_domain).
	issues := Validate(parse(t, `{"routes":[{"pattern":"a.com/*","zone_name":5}]}`))
	if len(issues) != 1 || issues[0].Kind != "type" || !reflect.DeepEqual(issues[0].Path, []string{"routes", "0", "zone_name"}) {
		t.Errorf("got %+v", issues)
	}
}

func TestConcurrentValidate(t *testing.T) {
	doc := parse(t, goodConfig)
	bad := parse(t, `{"name":1}`)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if len(Validate(doc)) != 0 || len(Validate(bad)) != 1 {
				t.Error("unexpected result under concurrency")
			}
		}()
	}
	wg.Wait()
}

func TestWranglerVersion(t *testing.T) {
	if v := WranglerVersion(); !strings.HasPrefix(v, "4.") {
		t.Errorf("WranglerVersion() = %q, want a 4.x release", v)
	}
}

func BenchmarkValidate(b *testing.B) {
	var doc any
	if err := json.Unmarshal([]byte(goodConfig), &doc); err != nil {
		b.Fatal(err)
	}
	Validate(doc) // compile outside the timing
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Validate(doc)
	}
}
