// Package compat turns a Worker's compatibility date and flags into the
// Python and Pyodide versions it runs on and the value of every Python
// behaviour flag, as docs/versions.md describes (after workerd's
// compatibility-date.capnp and python_metadata.bzl).
package compat

import (
	"fmt"
	"slices"
	"time"
)

// Runtime is one Python runtime a Worker can select.
type Runtime struct {
	Python       string // "3.13.2"
	Pyodide      string // Pyodide version inside Cloudflare's runtime
	PyodideIndex string // Pyodide package index pywrangler installs from
	SelectedBy   string // human reason: which flag or date picked it
}

// DatedFlag is a behaviour flag that turns on by itself from a date.
type DatedFlag struct {
	Name    string
	From    string // YYYY-MM-DD
	Disable string // the flag that opts out, if any
	Doc     string
}

// DatedFlags lists the Python behaviour flags and when they default on.
var DatedFlags = []DatedFlag{
	{"python_no_global_handlers", "2025-08-14", "", "module-level on_fetch/on_scheduled handlers are ignored; only entrypoint classes are called"},
	{"python_workflows", "2025-09-20", "disable_python_workflows", "Python Workflows are allowed"},
	{"python_dedicated_snapshot", "2025-10-16", "", "a memory snapshot is taken after the module's top level runs"},
	{"python_check_rng_state", "2025-12-16", "", "deploy fails if randomness was used at module top level"},
	{"python_request_headers_preserve_commas", "2026-02-17", "", "request header values keep their commas"},
	{"python_workflows_implicit_dependencies", "2026-02-25", "", "@step.do dependencies come from the step function's parameter names"},
	{"enable_python_external_sdk", "2026-04-21", "", "the runtime no longer injects the workers module: workers-runtime-sdk must be vendored"},
	{"python_process_pth_files", "2026-05-26", "", ".pth files in python_modules/ are processed"},
}

// Result is what a date and flag list select.
type Result struct {
	Date          string
	Flags         []string
	PythonWorkers bool // the python_workers flag is present
	Runtime       Runtime
	// Enabled holds every dated flag's effective value (explicit flag, or the
	// date default, minus an explicit opt-out).
	Enabled map[string]bool
	// DateErr is set when the date is missing or malformed.
	DateErr error
}

const dateLayout = "2006-01-02"

// ParseDate validates a compatibility date.
func ParseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("compatibility_date is not set")
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("compatibility_date %q is not a YYYY-MM-DD date", s)
	}
	return t, nil
}

// Resolve computes the runtime and flags for a date and flag list. An empty
// or malformed date counts as before every dated flag (so nothing is implied)
// and is reported in DateErr.
func Resolve(date string, flags []string) Result {
	r := Result{Date: date, Flags: flags, Enabled: map[string]bool{}}
	_, r.DateErr = ParseDate(date)
	validDate := r.DateErr == nil
	has := func(f string) bool { return slices.Contains(flags, f) }
	r.PythonWorkers = has("python_workers")
	for _, f := range DatedFlags {
		on := has(f.Name) || (validDate && date >= f.From)
		if f.Disable != "" && has(f.Disable) {
			on = false
		}
		r.Enabled[f.Name] = on
	}
	r.Runtime = selectRuntime(date, validDate, has)
	return r
}

// The runtimes of versions.md, newest first.
var (
	Python314 = Runtime{Python: "3.14.2", Pyodide: "314.0.4", PyodideIndex: "314.0.2"}
	Python313 = Runtime{Python: "3.13.2", Pyodide: "0.28.2", PyodideIndex: "0.28.3"}
	Python312 = Runtime{Python: "3.12.1", Pyodide: "0.26.0a2", PyodideIndex: "0.27.7"}
	// Python314Experimental is python_workers_20260817, only with "experimental".
	Python314Experimental = Runtime{Python: "3.14.2", Pyodide: "314.0.5", PyodideIndex: "314.0.2"}
)

func selectRuntime(date string, validDate bool, has func(string) bool) Runtime {
	pick := func(r Runtime, why string) Runtime { r.SelectedBy = why; return r }
	switch {
	case has("python_workers_20260817") && has("experimental"):
		return pick(Python314Experimental, "flag python_workers_20260817 (experimental)")
	case has("python_workers_20260610"):
		return pick(Python314, "flag python_workers_20260610")
	case has("no_python_workers_20250116"):
		return pick(Python312, "flag no_python_workers_20250116")
	case has("python_workers_20250116"):
		return pick(Python313, "flag python_workers_20250116")
	case validDate && date >= "2025-09-29":
		return pick(Python313, "compatibility_date "+date+" (on or after 2025-09-29)")
	case validDate:
		return pick(Python312, "compatibility_date "+date+" (before 2025-09-29)")
	default:
		return pick(Python312, "no valid compatibility_date")
	}
}
