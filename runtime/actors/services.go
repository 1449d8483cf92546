package actors

// Service bindings: a Fetcher whose fetch and RPC methods run another Worker
// of the workspace in a nested run (its own interpreter, same process).

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

// Workspace search bounds: how far above the Worker's folder the search
// climbs, and how deep below each of those folders it looks.
const (
	searchUp    = 3
	searchDepth = 3
)

// FindWorker finds the Worker whose wrangler `name` is name: first the
// Worker itself, then the folders below its parent, its grandparent, ... up
// to 3 levels up (stopping after a folder holding .git), each searched 3
// levels deep. The target's environment is spec.Env when it defines one of
// that name, else its top level.
func FindWorker(spec runtime.WorkerSpec, name string) (runtime.WorkerSpec, error) {
	if name == spec.Name && spec.ProjectDir != "" {
		return spec, nil
	}
	if target, ok := registered(name); ok {
		target.Limits, target.AllowNet, target.RealTime = spec.Limits, spec.AllowNet, spec.RealTime
		return target, nil
	}
	if spec.ProjectDir == "" {
		return runtime.WorkerSpec{}, fmt.Errorf("service %q: the Worker's folder is unknown, so no other Worker can be found", name)
	}
	seen := map[string]bool{}
	dir := filepath.Clean(spec.ProjectDir)
	var names []string
	for up := 0; up <= searchUp; up++ {
		for _, cfg := range project.FindConfigs(project.OSFS{}, dir, project.Limits{Depth: searchDepth}) {
			if seen[cfg] {
				continue
			}
			seen[cfg] = true
			target, err := workerspec.Load(cfg, spec.Env)
			if err != nil && spec.Env != "" {
				target, err = workerspec.Load(cfg, "")
			}
			if err != nil {
				continue
			}
			if target.Name == name {
				target.Limits, target.AllowNet, target.RealTime = spec.Limits, spec.AllowNet, spec.RealTime
				return target, nil
			}
			if target.Name != "" {
				names = append(names, target.Name)
			}
		}
		if isDir(filepath.Join(dir, ".git")) {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	sort.Strings(names)
	found := "no other Workers were found"
	if len(names) > 0 {
		found = "found: " + strings.Join(names, ", ")
	}
	return runtime.WorkerSpec{}, fmt.Errorf("service %q: no Worker of that name in the workspace around %s (searched for wrangler configs up to %d folders up; %s)",
		name, spec.ProjectDir, searchUp, found)
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

// newFetcher is a services binding: fetch(input, init) runs the target's
// fetch handler (or its named entrypoint's fetch) in a nested run; any other
// method is an RPC call to the target entrypoint's public method.
func newFetcher(r *runtime.Realm, spec runtime.WorkerSpec, b runtime.Binding) *runtime.Object {
	f := r.NewInstance("Fetcher")
	service := b.Field("service")
	entrypoint := b.Field("entrypoint")
	target, findErr := FindWorker(spec, service)
	if service == "" {
		findErr = fmt.Errorf("the services binding %q has no `service`", b.Name)
	}
	r.Method(f, "fetch", func(a []runtime.Value) (runtime.Value, error) {
		if findErr != nil {
			return nil, findErr
		}
		return r.HTTPRequestOf(arg(a, 0), arg(a, 1), func(req runtime.HTTPRequest) (runtime.Value, error) {
			// Under the dev server the target has an isolate of its own: the
			// request goes there (its globals, its WebSockets), not to a fresh
			// interpreter.
			if entrypoint == "" {
				if iso := r.Engine().IsolateFor(target); iso != nil {
					return r.FetchIsolate(r.Context(), iso, req), nil
				}
			}
			return r.Defer(func() (runtime.Value, error) {
				var res *runtime.RunResult
				var err error
				if entrypoint != "" {
					res, err = r.Engine().RunClass(nestedContext(r.Context()), target, runtime.ClassCall{Class: entrypoint, Method: "fetch", Request: &req})
				} else {
					res, err = r.Engine().RunFetch(nestedContext(r.Context()), target, req)
				}
				if err != nil {
					return nil, fmt.Errorf("service %q: %w", service, err)
				}
				logNested(r, service, res)
				return r.ResponseOf(res), nil
			}), nil
		}), nil
	})
	r.SetDynamic(f, func(k string) (runtime.Value, bool) {
		if strings.HasPrefix(k, "_") || strings.HasPrefix(k, "@@") || stubReserved[k] || k == "connect" {
			return nil, false
		}
		return r.Func(k, func(a []runtime.Value) runtime.Value {
			if findErr != nil {
				return r.Rejected(r.ErrorValue(findErr))
			}
			args := make([]any, len(a))
			for i, v := range a {
				args[i] = r.ToGo(v)
			}
			return r.Defer(func() (runtime.Value, error) {
				res, err := r.Engine().RunClass(nestedContext(r.Context()), target, runtime.ClassCall{Class: entrypoint, Method: k, Args: args})
				if err != nil {
					return nil, fmt.Errorf("service %q: %w", service, err)
				}
				logNested(r, service, res)
				if res.Error != nil {
					return nil, fmt.Errorf("%s (in service %q)", res.Error.Error(), service)
				}
				return r.FromGoOrdered(res.Value), nil
			})
		}), true
	})
	return f
}

// logNested passes the nested run's output on to the caller's console,
// tagged with the service name.
func logNested(r *runtime.Realm, service string, res *runtime.RunResult) {
	for _, l := range res.Logs {
		r.Log(l.Stream, "["+service+"] "+l.Text)
	}
}

var (
	registryMu sync.Mutex
	registry   = map[string]runtime.WorkerSpec{}
)

// RegisterWorker makes spec the Worker named spec.Name for the service,
// Durable Object and Workflow bindings of every Worker in this process, wherever
// its folder is (the dev server's `-c a -c b`).
func RegisterWorker(spec runtime.WorkerSpec) {
	if spec.Name == "" {
		return
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	registry[spec.Name] = spec
}

func registered(name string) (runtime.WorkerSpec, bool) {
	registryMu.Lock()
	defer registryMu.Unlock()
	s, ok := registry[name]
	return s, ok
}
