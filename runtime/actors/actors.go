// Package actors drives the handlers of a Worker beyond fetch and scheduled
// in the embedded runtime: queue consumers, Durable Objects (fetch, alarm,
// RPC), Workflows and service bindings, on local state kept next to the
// storage bindings of package runtime/bindings
// (<worker dir>/.pyworkers/state/<env or "default">/).
//
// Factory plugs the Durable Object, Workflow and service bindings (and,
// through bindings.Open, the storage bindings) into an Engine; the Deliver*,
// Call*, Start* and Fire* functions are the entry points the CLI and the
// language server's code lenses call. See docs/handlers.md.
package actors

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/assets"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/bindings"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// NewEngine returns an engine whose runs have the simulated bindings: the
// storage bindings of package bindings and this package's Durable Objects,
// Workflows and service bindings, each on the state of the Worker a run
// serves (spec.ProjectDir, spec.Env). opts.Bindings are tried first.
func NewEngine(opts runtime.EngineOptions) *runtime.Engine {
	opts.Bindings = append(append([]runtime.BindingFactory{}, opts.Bindings...), Factory(), assets.Factory())
	return runtime.NewEngine(opts)
}

// Factory builds every simulated binding of a run: durable_objects,
// workflows and services here, the rest through bindings.Open(worker dir,
// env).Factory().
func Factory() runtime.BindingFactory {
	return func(r *runtime.Realm, b runtime.Binding) (*runtime.Object, bool) {
		spec := r.Spec()
		switch b.Kind {
		case "durable_objects", "durable_objects.bindings":
			return newNamespace(r, spec, b), true
		case "workflows":
			return newWorkflowBinding(r, spec, b), true
		case "services":
			return newFetcher(r, spec, b), true
		}
		if spec.ProjectDir == "" {
			return nil, false
		}
		return bindings.Open(spec.ProjectDir, spec.Env).Factory()(r, b)
	}
}

// StateDir is where a Worker's local state lives (same folder as package
// bindings).
func StateDir(spec runtime.WorkerSpec) string { return bindings.StateDir(spec.ProjectDir, spec.Env) }

// ResetState deletes a Worker environment's local state: storage bindings,
// Durable Object storage, Workflow instances.
func ResetState(workerDir, env string) error {
	closeDBsUnder(bindings.StateDir(workerDir, env))
	return bindings.ResetState(workerDir, env)
}

// CloseState closes the local state this process holds open (binding
// stores, Durable Object and Workflow databases), flushing SQLite's logs;
// later calls reopen it.
func CloseState() {
	bindings.CloseAll()
	dbMu.Lock()
	defer dbMu.Unlock()
	for p, db := range dbs {
		db.Close()
		delete(dbs, p)
	}
}

// ---- SQLite handles, one per file per process

var (
	dbMu sync.Mutex
	dbs  = map[string]*sql.DB{}
)

// openDB opens (once per process) a SQLite file in WAL mode with a busy
// timeout, so runs of several processes share it safely, and applies schema.
func openDB(path, schema string) (*sql.DB, error) {
	dbMu.Lock()
	defer dbMu.Unlock()
	if db, ok := dbs[path]; ok {
		return db, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dbs[path] = db
	return db, nil
}

func closeDBsUnder(dir string) {
	dbMu.Lock()
	defer dbMu.Unlock()
	prefix := filepath.Clean(dir) + string(filepath.Separator)
	for p, db := range dbs {
		if len(p) > len(prefix) && p[:len(prefix)] == prefix {
			db.Close()
			delete(dbs, p)
		}
	}
}

var _ = context.Background
