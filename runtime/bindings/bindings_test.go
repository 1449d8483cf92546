package bindings

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

// The tests run the fixture Worker's real Python handlers in the embedded
// runtime. One Engine is shared by the test binary; which Store a run uses
// is switched through testStore (runs are serialised by the engine anyway).

var (
	engineOnce sync.Once
	engine     *runtime.Engine
	engineErr  error

	storeMu   sync.Mutex
	testStore *Store
)

func dispatchFactory(r *runtime.Realm, b runtime.Binding) (*runtime.Object, bool) {
	storeMu.Lock()
	s := testStore
	storeMu.Unlock()
	if s == nil {
		return nil, false
	}
	return s.Factory()(r, b)
}

func newEngine(t testing.TB, factories ...runtime.BindingFactory) *runtime.Engine {
	t.Helper()
	e := runtime.NewEngine(runtime.EngineOptions{Bindings: factories})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := e.Warm(ctx, nil); err != nil {
		if errors.Is(err, runtime.ErrArtifactsMissing) {
			t.Fatalf("runtime artifacts are missing: run `%s` first: %v", runtime.BuildCommand, err)
		}
		t.Fatalf("warming the runtime: %v", err)
	}
	return e
}

func sharedEngine(t testing.TB) *runtime.Engine {
	t.Helper()
	engineOnce.Do(func() {
		defer func() {
			if engine == nil && engineErr == nil {
				engineErr = errors.New("warm-up failed")
			}
		}()
		engine = newEngine(t, dispatchFactory)
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// worker is a copy of the fixture Worker in a temp folder with its own state.
type worker struct {
	dir   string
	spec  runtime.WorkerSpec
	store *Store
}

func newWorker(t testing.TB, sdkSrc string) *worker {
	t.Helper()
	dir := t.TempDir()
	testtree.Copy(t, "../../testdata/bindings/app", dir)
	testtree.VendorSDK(t, sdkSrc, dir)
	spec, err := workerspec.Load(filepath.Join(dir, "wrangler.toml"), "")
	if err != nil {
		t.Fatal(err)
	}
	spec.Limits = runtime.Limits{WallClock: 60 * time.Second}
	if sdkSrc == "" {
		spec.SDK = "builtin"
	}
	return &worker{dir: dir, spec: spec, store: New(OptionsFor(dir, ""))}
}

// get runs GET path through the shared engine with w's store and decodes
// the JSON body.
func (w *worker) get(t testing.TB, path string) map[string]any {
	t.Helper()
	storeMu.Lock()
	testStore = w.store
	storeMu.Unlock()
	return runJSON(t, sharedEngine(t), w.spec, path)
}

func runJSON(t testing.TB, e *runtime.Engine, spec runtime.WorkerSpec, path string) map[string]any {
	t.Helper()
	res, err := e.RunFetch(context.Background(), spec, runtime.HTTPRequest{URL: "http://localhost" + path})
	if err != nil {
		t.Fatalf("RunFetch(%s): %v", path, err)
	}
	if res.Error != nil {
		t.Fatalf("%s: run failed: %+v\nlogs: %v", path, res.Error, res.Logs)
	}
	var out map[string]any
	if err := json.Unmarshal(res.Body, &out); err != nil {
		t.Fatalf("%s: status %d body %q: %v\nlogs: %v", path, res.Status, res.Body, err, res.Logs)
	}
	if res.Status != 200 {
		t.Fatalf("%s: status %d: %v\nlogs: %v", path, res.Status, out, res.Logs)
	}
	return out
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func wantJSON(t *testing.T, what string, got any, want string) {
	t.Helper()
	if g := jsonOf(got); g != want {
		t.Errorf("%s = %s, want %s", what, g, want)
	}
}

func wantContains(t *testing.T, what string, got any, want string) {
	t.Helper()
	s, _ := got.(string)
	if !strings.Contains(s, want) {
		t.Errorf("%s = %q, want it to contain %q", what, got, want)
	}
}

var (
	secondOnce sync.Once
	secondEng  *runtime.Engine
	second     *Store // the Store runs of the second engine use
)

func secondFactory(r *runtime.Realm, b runtime.Binding) (*runtime.Object, bool) {
	storeMu.Lock()
	s := second
	storeMu.Unlock()
	if s == nil {
		return nil, false
	}
	return s.Factory()(r, b)
}

// secondEngine is another Engine in the same process: a restarted server,
// or a second process running the same Worker.
func secondEngine(t testing.TB) *runtime.Engine {
	t.Helper()
	sharedEngine(t) // warm the caches once
	secondOnce.Do(func() { secondEng = newEngine(t, secondFactory) })
	if secondEng == nil {
		t.Fatal("second engine failed to warm")
	}
	return secondEng
}

// runJSONErr is runJSON for goroutines: it reports instead of failing.
func runJSONErr(e any, spec runtime.WorkerSpec, path string) error {
	res, err := e.(*runtime.Engine).RunFetch(context.Background(), spec, runtime.HTTPRequest{URL: "http://localhost" + path})
	if err != nil {
		return err
	}
	if res.Error != nil || res.Status != 200 {
		return fmt.Errorf("%s: %d %s %+v", path, res.Status, res.Body, res.Error)
	}
	return nil
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
