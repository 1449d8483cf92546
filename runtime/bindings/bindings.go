// Package bindings simulates a Worker's storage bindings for the embedded
// runtime: KV, D1, R2, Queues (producer side), Vectorize, Analytics Engine
// and Workers AI fixtures, on local state that persists per Worker and
// environment in <worker dir>/.pyworkers/state/<env or "default">/.
//
// A Store is one Worker+environment's state. Its Factory plugs into
// runtime.EngineOptions.Bindings; the objects it builds report the JS
// constructor names the workers SDK dispatches on (KvNamespace, D1Database,
// ...), so the real workers-runtime-sdk wraps them as in production.
//
// Concurrency: every table lives in SQLite (WAL, busy_timeout, one
// transaction per write), so two runs — even from two processes — never
// corrupt the state; R2 object bodies are written to a temp file and renamed.
package bindings

import (
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// Options configure a Store; see OptionsFor for the documented layout.
type Options struct {
	// StateDir holds the state: state.sqlite (KV, queues, Vectorize, R2
	// metadata), d1/<database>.sqlite, r2/<bucket>/, analytics/<dataset>.jsonl.
	StateDir string
	// AIFixtures is the Workers AI fixtures file ("" or missing = no
	// fixtures: AI.run raises an error that explains how to add them).
	AIFixtures string
	// VectorizeIndexes is a JSON file of index settings, {"<index_name>":
	// {"dimensions": 768, "metric": "cosine" | "euclidean" | "dot-product"}}
	// ("" or missing = cosine, dimensions from the first insert).
	VectorizeIndexes string
	// Now is the clock (KV expiry, queue timestamps); default time.Now.
	Now func() time.Time
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// DefaultEnv is the folder name of the top-level environment's state.
const DefaultEnv = "default"

// StateDir is <workerDir>/.pyworkers/state/<env or "default">, or
// <root>/<env> when PersistTo moved the Worker's state to root.
func StateDir(workerDir, env string) string {
	if env == "" {
		env = DefaultEnv
	}
	persistMu.Lock()
	root, moved := persistRoots[filepath.Clean(workerDir)]
	persistMu.Unlock()
	if moved {
		return filepath.Join(root, env)
	}
	return filepath.Join(workerDir, ".pyworkers", "state", env)
}

var (
	persistMu    sync.Mutex
	persistRoots = map[string]string{}
)

// PersistTo keeps the local state of the Worker in workerDir under root
// (the dev server's and data commands' --persist-to), for this process.
func PersistTo(workerDir, root string) {
	persistMu.Lock()
	defer persistMu.Unlock()
	persistRoots[filepath.Clean(workerDir)] = root
}

// CloseAll closes every Store opened in this process (flushing SQLite's
// write-ahead logs); later binding calls reopen them.
func CloseAll() {
	openMu.Lock()
	stores := make([]*Store, 0, len(opened))
	for _, s := range opened {
		stores = append(stores, s)
	}
	openMu.Unlock()
	for _, s := range stores {
		s.Close()
	}
}

// AIFixturesPath is <workerDir>/.pyworkers/ai-fixtures.json.
func AIFixturesPath(workerDir string) string {
	return filepath.Join(workerDir, ".pyworkers", "ai-fixtures.json")
}

// OptionsFor returns the Options of a Worker folder (spec.ProjectDir) and
// environment name (spec.Env; "" = top level).
func OptionsFor(workerDir, env string) Options {
	return Options{StateDir: StateDir(workerDir, env), AIFixtures: AIFixturesPath(workerDir),
		VectorizeIndexes: filepath.Join(workerDir, ".pyworkers", "vectorize.json")}
}

// Store is the local state of one Worker and environment. Safe for
// concurrent use; state is opened lazily on the first binding call.
type Store struct {
	opts Options
	log  *slog.Logger

	mu sync.Mutex
	// filled in by the binding families (state.go)
	st *state
}

// New returns a Store; nothing touches the disk until a binding is used.
func New(opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Store{opts: opts, log: log}
}

var (
	openMu sync.Mutex
	opened = map[string]*Store{}
)

// Open returns the process-wide Store of a Worker folder and environment,
// creating it on first use (the language server and CLI share handles).
func Open(workerDir, env string) *Store {
	key := StateDir(workerDir, env)
	openMu.Lock()
	defer openMu.Unlock()
	if s, ok := opened[key]; ok {
		return s
	}
	s := New(OptionsFor(workerDir, env))
	opened[key] = s
	return s
}

// ResetState deletes the local state of a Worker folder and environment
// ("" = top level). A Store from Open is closed first; other processes that
// hold the state open keep their (now unlinked) files until they reopen.
func ResetState(workerDir, env string) error {
	dir := StateDir(workerDir, env)
	openMu.Lock()
	s := opened[dir]
	delete(opened, dir)
	openMu.Unlock()
	if s != nil {
		s.Close()
	}
	return os.RemoveAll(dir)
}

// Close releases the Store's database handles; a later call reopens them.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st == nil {
		return nil
	}
	err := s.st.close()
	s.st = nil
	return err
}

// Factory returns the BindingFactory building this Store's binding objects:
// kv_namespaces, d1_databases, r2_buckets, queues(.producers), vectorize,
// analytics_engine_datasets and ai. Kinds it does not simulate return
// ok=false, so the engine's "not available" error (or another factory) applies.
func (s *Store) Factory() runtime.BindingFactory {
	return func(r *runtime.Realm, b runtime.Binding) (*runtime.Object, bool) {
		return s.build(r, b)
	}
}

// QueueMessage is one message a producer sent, as the queue consumer reads it.
type QueueMessage struct {
	ID          string
	Queue       string
	Body        []byte // encoded per ContentType: json text, utf-8 text, raw bytes
	ContentType string // "json" (default), "text", "bytes", "v8" (stored as json)
	Timestamp   time.Time
	Attempts    int // deliveries so far, including the one QueuePending makes
}

// QueueLease is how long a message QueuePending returned stays invisible to
// other consumers before it is delivered again (a consumer that crashed).
const QueueLease = 5 * time.Minute
