package actors

import (
	"fmt"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/bindings"
)

// BenchmarkLocalState is the Worker Bindings view's refresh after a run
// (pyworkers.localState): a Worker with 1,000 KV keys, 20 D1 tables, 100 R2
// objects and 50 Durable Object instances of 10 storage keys, listed with
// the server's limit of 200 items per binding.
func BenchmarkLocalState(b *testing.B) {
	dir := b.TempDir()
	spec := runtime.WorkerSpec{ProjectDir: dir, Bindings: []runtime.Binding{
		{Name: "KV", Kind: "kv_namespaces", Config: map[string]any{"id": "kv"}},
		{Name: "DB", Kind: "d1_databases", Config: map[string]any{"database_name": "db"}},
		{Name: "FILES", Kind: "r2_buckets", Config: map[string]any{"bucket_name": "files"}},
		{Name: "COUNTER", Kind: "durable_objects", Config: map[string]any{"class_name": "Counter"}},
	}}
	s := bindings.Open(dir, "")
	for i := range 1000 {
		if err := s.KVPut("kv", fmt.Sprintf("key-%04d", i), []byte(fmt.Sprintf(`{"n": %d}`, i)), 0); err != nil {
			b.Fatal(err)
		}
	}
	script := ""
	for i := range 20 {
		script += fmt.Sprintf("CREATE TABLE t%d (x); INSERT INTO t%d VALUES (1), (2), (3);", i, i)
	}
	if _, err := s.D1Execute("db", script); err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		if err := s.R2PutObject("files", fmt.Sprintf("o/%03d", i), []byte("body"), "text/plain"); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 50 {
		db, err := openDB(objectPath(spec, "Counter", fmt.Sprintf("%064x", i)), objectSchema)
		if err != nil {
			b.Fatal(err)
		}
		for k := range 10 {
			if _, err := db.Exec(`INSERT INTO _cf_KV (key, kind, value) VALUES (?, 'json', ?)`, fmt.Sprintf("k%d", k), "1"); err != nil {
				b.Fatal(err)
			}
		}
	}
	CloseState()
	b.ResetTimer()
	for b.Loop() {
		st, err := LocalState(spec, 200)
		if err != nil || len(st) != 4 || st[0].Count != 1000 || st[3].Count != 50 {
			b.Fatalf("%v %+v", err, st)
		}
	}
}
