package runtime

// The Workers layer of a run's world: the module objects workerd gives the
// Python SDK, the handler's ctx and env, and compatibility flags.

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/webapi"
)

// Binding is one entry of a Worker's env besides vars and secrets.
type Binding struct {
	Name string // the env attribute, e.g. "MY_KV"
	Kind string // the wrangler config key, e.g. "kv_namespaces", "d1_databases"
	// Config is the binding's config entry as JSON-like data (class_name,
	// service, queue, database_id, ...); nil when built by hand.
	Config map[string]any
}

// Field returns a string field of the binding's config entry ("" if absent).
func (b Binding) Field(name string) string {
	s, _ := b.Config[name].(string)
	return s
}

// BindingFactory builds the JS object for a binding in a run's realm. A
// later simulated-bindings package plugs in here; it returns ok=false for
// kinds it does not handle.
type BindingFactory func(r *Realm, b Binding) (obj *Object, ok bool)

// jsClassForKind is the JS constructor name the SDK dispatches on.
var jsClassForKind = map[string]string{
	"kv_namespaces":             "KvNamespace",
	"r2_buckets":                "R2Bucket",
	"d1_databases":              "D1Database",
	"queues":                    "WorkerQueue",
	"queues.producers":          "WorkerQueue",
	"ai":                        "Ai",
	"vectorize":                 "VectorizeIndexImpl",
	"analytics_engine_datasets": "AnalyticsEngineDataset",
	"services":                  "Fetcher",
	"durable_objects":           "DurableObjectNamespace",
	"durable_objects.bindings":  "DurableObjectNamespace",
	"workflows":                 "WorkflowImpl",
	"hyperdrive":                "Hyperdrive",
	"browser":                   "Fetcher",
	"send_email":                "SendEmail",
	"dispatch_namespaces":       "DispatchNamespace",
	"mtls_certificates":         "Fetcher",
	"assets":                    "Fetcher",
	"version_metadata":          "WorkerVersionMetadata",
	"images":                    "ImagesBindingImpl",
	"secrets_store_secrets":     "SecretsStoreSecret",
	"pipelines":                 "Pipeline",
	"ratelimits":                "Ratelimit",
	"worker_loaders":            "WorkerLoader",
}

// JSClassForBindingKind reports the JS constructor name of a binding kind.
func JSClassForBindingKind(kind string) string {
	if c, ok := jsClassForKind[kind]; ok {
		return c
	}
	return "Object"
}

// runSetup is what a run's world is built from.
type runSetup struct {
	run      *runInfo
	spec     WorkerSpec
	flags    map[string]bool
	console  func(level, line string)
	bindings []BindingFactory
}

// buildWorld makes a fresh JS world for one run (or for the boot that a
// snapshot is taken from, with an empty spec).
func buildWorld(rs runSetup) *pyodide.World {
	jw := js.NewWorld()
	w := &pyodide.World{World: jw, Web: &webapi.Web{World: jw}}
	w.Run = rs.run
	w.InstallWebAPIs(rs.spec.AllowNet, rs.console)
	roots := w.NewObject()
	w.Roots = roots
	roots.Set("js", w.GlobalThis)

	api := w.NewObject()
	api.Set("config", w.NewObjectFrom("enableRunUntilComplete", false, "jsglobals", w.GlobalThis))
	w.Method(api, "scheduleCallback", func(_ Value, a []Value) Value {
		cb := js.Arg(a, 0)
		ms := js.ToNumber(js.Arg(a, 1))
		if !(ms > 0) {
			ms = 0
		}
		w.Loop.SetTimer(time.Duration(ms*float64(time.Millisecond)), false, func() { w.Call(cb, Undefined) })
		return Undefined
	})
	w.Method(api, "abortSignalAny", func(_ Value, a []Value) Value { return w.AbortSignalAny(js.Arg(a, 0)) })
	pyodideJS := w.NewObjectFrom("_api", api, "version", pyodide.PyodideVersion, "loadedPackages", w.NewObject())
	roots.Set("pyodide_js", pyodideJS)

	ctx := newExecutionContext(w)
	env := newEnv(w, rs)
	workersModule := w.NewObjectFrom("env", env)
	w.Method(workersModule, "waitUntil", func(_ Value, a []Value) Value { return w.Call(ctx.Get("waitUntil"), ctx, a...) })
	helper := w.NewObjectFrom("cloudflareWorkersModule", workersModule, "cloudflareSocketsModule", w.NewObject())
	w.Method(helper, "doAnImport", func(_ Value, a []Value) Value {
		name := js.ToString(js.Arg(a, 0))
		switch {
		case name == "cloudflare:workers":
			return w.PromiseResolve(workersModule)
		case name == "workflows.js" || strings.HasSuffix(name, "/workflows.js"):
			return w.PromiseResolve(workflowsJSModule(w))
		}
		return w.Rejected(w.NewError("Error", "Cannot import "+name+" in the pyworkers-lsp runtime"))
	})
	w.Method(helper, "patchWaitUntil", func(Value, []Value) Value { return Undefined })
	w.Method(helper, "patch_env_helper", func(Value, []Value) Value {
		w.ThrowError("Error", "patch_env is not supported by the pyworkers-lsp runtime yet")
		return nil
	})
	roots.Set("_pyodide_entrypoint_helper", helper)

	flags := w.NewObject()
	names := make([]string, 0, len(rs.flags))
	for n := range rs.flags {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		flags.Set(n, rs.flags[n])
	}
	roots.Set("_cloudflare_compat_flags", flags)

	hostMod := w.NewObjectFrom("kind", "", "main", "", "request", nil, "ctx", ctx, "env", env,
		"controller", nil, "call", nil, "dispatch", nil, "classMethods", nil, "noGlobalHandlers", rs.flags["python_no_global_handlers"])
	if rs.run != nil && rs.run.engine != nil {
		w.Method(hostMod, "install_package", rs.run.engine.installPackageFunc(w, rs.spec.ProjectDir))
	}
	roots.Set("_pyworkers_host", hostMod)
	return w
}

func newExecutionContext(w *pyodide.World) *Object {
	ctx := w.NewHostObject("ExecutionContext", w.ProtoOf("ExecutionContext"), &execContext{})
	w.Method(ctx, "waitUntil", func(_ Value, a []Value) Value {
		ec := ctx.Host.(*execContext)
		ec.waitUntil = append(ec.waitUntil, w.PromiseResolve(js.Arg(a, 0)))
		return Undefined
	})
	w.Method(ctx, "passThroughOnException", func(Value, []Value) Value { return Undefined })
	ctx.Set("props", w.NewObject())
	return ctx
}

type execContext struct{ waitUntil []*Object }

// newEnv builds env: vars, secrets, then bindings.
func newEnv(w *pyodide.World, rs runSetup) *Object {
	env := w.NewHostObject("Object", w.ObjectProto, nil)
	for k, v := range rs.spec.Vars {
		env.Set(k, fromGo(w, v))
	}
	for k, v := range rs.spec.Secrets {
		env.Set(k, v)
	}
	realm := &Realm{w: w}
	for _, b := range rs.spec.Bindings {
		var obj *Object
		for _, f := range rs.bindings {
			if o, ok := f(realm, b); ok {
				obj = o
				break
			}
		}
		if obj != nil {
			env.Set(b.Name, obj)
			continue
		}
		b := b
		w.Getter(env, b.Name, func(*Object) Value {
			w.ThrowError("Error", fmt.Sprintf("env.%s: the %s binding %q (%s) is not available in the pyworkers-lsp runtime yet",
				b.Name, b.Kind, b.Name, JSClassForBindingKind(b.Kind)))
			return nil
		})
	}
	return env
}

// fromGo converts plain Go data (from a parsed config) to JS values.
func fromGo(w *pyodide.World, v any) Value {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return x
	case bool:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	case []any:
		a := w.NewArray()
		for _, e := range x {
			a.Arr = append(a.Arr, fromGo(w, e))
		}
		return a
	case map[string]any:
		o := w.NewObject()
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			o.Set(k, fromGo(w, x[k]))
		}
		return o
	}
	return fmt.Sprint(v)
}

// ---- compatibility flags

// flagDates are flags that turn on by default from a compatibility date.
var flagDates = map[string]string{
	"python_no_global_handlers":              "2025-08-14",
	"python_workflows":                       "2025-09-20",
	"python_workers_20250116":                "2025-09-29",
	"python_dedicated_snapshot":              "2025-10-16",
	"python_check_rng_state":                 "2025-12-16",
	"python_request_headers_preserve_commas": "2026-02-17",
	"python_workflows_implicit_dependencies": "2026-02-25",
	"enable_python_external_sdk":             "2026-04-21",
	"python_process_pth_files":               "2026-05-26",
}

// CompatFlags computes the Python-relevant flags from a compatibility date
// and the explicit flag list ("no_X" / "disable_X" switch X off).
func CompatFlags(date string, explicit []string) map[string]bool {
	out := map[string]bool{"python_workers": false, "python_workers_20260610": false}
	for f, since := range flagDates {
		out[f] = date != "" && date >= since
	}
	for _, f := range explicit {
		switch {
		case strings.HasPrefix(f, "no_"):
			out[strings.TrimPrefix(f, "no_")] = false
		case strings.HasPrefix(f, "disable_"):
			out[strings.TrimPrefix(f, "disable_")] = false
		default:
			out[f] = true
		}
	}
	return out
}

// pythonVersionWarning explains when the project targets another Python.
func pythonVersionWarning(date string, flags map[string]bool) string {
	switch {
	case flags["python_workers_20260610"]:
		return "this Worker targets Python 3.14 (Pyodide 314.x); the pyworkers-lsp runtime runs Python 3.13 (Pyodide " + pyodide.PyodideVersion + ") for now"
	case !flags["python_workers_20250116"] && date != "":
		return "this Worker targets Python 3.12 (Pyodide 0.26, compatibility date before 2025-09-29); the pyworkers-lsp runtime runs Python 3.13 (Pyodide " + pyodide.PyodideVersion + ")"
	}
	return ""
}
