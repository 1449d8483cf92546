package bindings

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
	"time"
)

func TestKV(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			w := newWorker(t, sdk)
			out := w.get(t, "/kv/basic")
			wantJSON(t, "text", out["text"], `"{\"name\": \"ada\"}"`)
			wantJSON(t, "json", out["json"], `{"name":"ada"}`)
			wantJSON(t, "json with {type, cacheTtl}", out["json2"], `"ada"`)
			wantJSON(t, "arrayBuffer", out["buf"], `[0,1,2]`)
			wantJSON(t, "missing", out["missing"], `null`)
			wantJSON(t, "getWithMetadata", out["meta"], `{"cacheStatus":null,"metadata":{"role":"admin"},"value":{"name":"ada"}}`)
			wantJSON(t, "get(list)", out["many"], `{"nope":null,"user:1":"{\"name\": \"ada\"}","user:2":"bob"}`)
			wantJSON(t, "list page 1", out["page1"], `["user:1",false]`)
			wantJSON(t, "list page 2", out["page2"], `["user:2",true]`)
			keys, _ := out["page2_keys"].([]any)
			if k, _ := keys[0].(map[string]any); k == nil || k["expiration"] == nil {
				t.Errorf("list key with expirationTtl lacks expiration: %v", keys)
			}
			wantJSON(t, "deleted", out["gone"], `null`)
			wantJSON(t, "stream", out["streamed"], `"bob"`)
			if _, err := os.Stat(filepath.Join(w.dir, ".pyworkers", ".gitignore")); err != nil {
				t.Errorf("no .gitignore in .pyworkers: %v", err)
			}
		})
	}
}

func TestKVExpiry(t *testing.T) {
	w := newWorker(t, "")
	var mu sync.Mutex
	now := time.Unix(1_800_000_000, 0)
	w.store = New(Options{StateDir: StateDir(w.dir, ""), Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	out := w.get(t, "/kv/expiring?op=put")
	wantJSON(t, "before expiry", out, `{"keys":["long","short"],"long":"stays","short":"soon gone"}`)
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	out = w.get(t, "/kv/expiring")
	wantJSON(t, "after expiry", out, `{"keys":["long"],"long":"stays","short":null}`)
}

// TestKVPersistsAcrossEngines: a counter in KV keeps counting when the
// engine and the Store are replaced (a server or CLI restart).
func TestKVPersistsAcrossEngines(t *testing.T) {
	w := newWorker(t, "")
	wantJSON(t, "first run", w.get(t, "/kv/counter"), `{"counter":1}`)
	wantJSON(t, "second run", w.get(t, "/kv/counter"), `{"counter":2}`)
	if err := w.store.Close(); err != nil {
		t.Fatal(err)
	}
	fresh := New(OptionsFor(w.dir, ""))
	defer fresh.Close()
	e2 := secondEngine(t)
	storeMu.Lock()
	second = fresh
	storeMu.Unlock()
	wantJSON(t, "new engine", runJSON(t, e2, w.spec, "/kv/counter"), `{"counter":3}`)

	if err := ResetState(w.dir, ""); err != nil {
		t.Fatal(err)
	}
	fresh.Close()
	wantJSON(t, "after ResetState", runJSON(t, e2, w.spec, "/kv/counter"), `{"counter":1}`)
}

func TestD1(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			w := newWorker(t, sdk)
			out := w.get(t, "/d1/basic")
			wantJSON(t, "run meta", out["insert_meta"], `{"changes":1,"last_row_id":1,"rows_written":1}`)
			wantJSON(t, "run success", out["insert_success"], `true`)
			wantJSON(t, "first()", out["first"], `{"avatar":null,"id":1,"name":"ada","score":9.5}`)
			wantJSON(t, "first(col)", out["name"], `"bob"`)
			wantJSON(t, "first() of nothing", out["none"], `null`)
			wantJSON(t, "all()", out["all"], `[{"id":1,"name":"ada"},{"id":2,"name":"bob"}]`)
			wantJSON(t, "raw(columnNames)", out["raw"], `[["id","name"],[1,"ada"],[2,"bob"]]`)
			wantJSON(t, "batch select", out["batch_n"], `3`)
			wantJSON(t, "batch update changes", out["batch_changes"], `2`)
			wantContains(t, "failed batch", out["batch_err"], "D1_ERROR: UNIQUE constraint failed: users.name: SQLITE_CONSTRAINT")
			wantJSON(t, "failed batch rolled back", out["dee"], `0`)
			wantContains(t, "SQL error", out["sql_err"], "D1_ERROR: no such table: missing: SQLITE_ERROR")
			if _, err := os.Stat(filepath.Join(w.dir, ".pyworkers/state/default/d1/app-db.sqlite")); err != nil {
				t.Errorf("D1 file not at d1/<database_name>.sqlite: %v", err)
			}
		})
	}
}

// TestD1ConcurrentRuns: two engines, each with its own Store (own database
// handles, as two processes would have), insert into one D1 database at once.
func TestD1ConcurrentRuns(t *testing.T) {
	w := newWorker(t, "")
	other := New(OptionsFor(w.dir, ""))
	defer other.Close()
	e1, e2 := sharedEngine(t), secondEngine(t)
	storeMu.Lock()
	testStore, second = w.store, other
	storeMu.Unlock()
	const runs, per = 3, 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*runs)
	for i, e := range []any{e1, e2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range runs {
				out := runJSONErr(e, w.spec, fmt.Sprintf("/d1/insert?n=%d&who=e%d", per, i))
				if out != nil {
					errs <- out
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	out := w.get(t, "/d1/insert?n=0")
	wantJSON(t, "rows after concurrent runs", out["n"], fmt.Sprint(2*runs*per))
}
