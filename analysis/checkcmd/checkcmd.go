// Package checkcmd implements `pyworkers-lsp check`: run the Workers rules
// over every Worker under some paths and print the findings as text, JSON
// or SARIF 2.1.0 (for GitHub code scanning). It is what CI runs.
package checkcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/rules"
)

// Exit codes.
const (
	ExitOK       = 0 // no error-severity diagnostic
	ExitFindings = 1 // at least one error-severity diagnostic
	ExitUsage    = 2 // bad flags or paths
)

const usage = `usage: pyworkers-lsp check [--env NAME] [--format text|json|sarif] [--disable CODE,...] [PATH...]

Checks every Python Worker (a folder with wrangler.json/jsonc/toml) under
each PATH (default: the current directory) for Python Workers pitfalls and
wrangler config errors. A PATH that is a file checks that file only.
Exit status: 1 if any error was found, 0 otherwise, 2 on usage errors.
`

// Main runs the check command with args (without "check" itself).
func Main(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("check", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() { fmt.Fprint(stderr, usage) }
	envName := fl.String("env", "", "the wrangler environment to check (default: the top level)")
	format := fl.String("format", "text", "output format: text, json or sarif")
	disable := fl.String("disable", "", "comma-separated rule codes to turn off")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	switch *format {
	case "text", "json", "sarif":
	default:
		fmt.Fprintf(stderr, "check: unknown --format %q (want text, json or sarif)\n", *format)
		return ExitUsage
	}
	paths := fl.Args()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "check:", err)
		return ExitUsage
	}
	disabled := map[string]bool{}
	for _, c := range strings.Split(*disable, ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			disabled[c] = true
		}
	}

	var targets []target
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			fmt.Fprintln(stderr, "check:", err)
			return ExitUsage
		}
		st, err := os.Stat(abs)
		if err != nil {
			fmt.Fprintf(stderr, "check: %s: no such file or directory\n", p)
			return ExitUsage
		}
		if st.IsDir() {
			for _, cfg := range FindWorkers(abs) {
				targets = append(targets, target{config: cfg})
			}
			continue
		}
		cfg := project.FindConfig(project.OSFS{}, filepath.Dir(abs))
		if cfg == "" {
			fmt.Fprintf(stderr, "check: %s: no wrangler config in its folder or above\n", p)
			continue
		}
		targets = append(targets, target{config: cfg, file: abs})
	}

	rep := &refusals{w: stderr, cwd: cwd}
	diags := runTargets(context.Background(), targets, *envName, disabled, stderr, rep)
	sortDiagnostics(diags)
	var werr error
	switch *format {
	case "text":
		werr = writeText(stdout, diags, cwd)
	case "json":
		werr = writeJSON(stdout, diags, cwd)
	case "sarif":
		werr = writeSARIF(stdout, diags, cwd)
	}
	if werr != nil {
		fmt.Fprintln(stderr, "check:", werr)
		return ExitUsage
	}
	if rep.n > 0 {
		return ExitFindings
	}
	for _, d := range diags {
		if d.Severity == rules.Error {
			return ExitFindings
		}
	}
	return ExitOK
}

// refusals prints the project files that are there but were not read
// (project.ReadFile refused them: not regular files, or too large) and
// counts them; each makes the check fail, as a hostile or broken file the
// rules could not see is not a pass.
type refusals struct {
	mu  sync.Mutex
	w   io.Writer
	cwd string
	n   int
}

func (r *refusals) add(path string, err error) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	fmt.Fprintf(r.w, "check: %s: %v\n", displayPath(path, r.cwd), err)
}

// target is one Worker to check, or one file of it.
type target struct {
	config string
	file   string // "" for the whole Worker
}

// FindWorkers returns the wrangler configs under root, one per folder (in
// wrangler's lookup order), sorted.
func FindWorkers(root string) []string {
	out := project.FindConfigs(project.OSFS{}, root, project.Limits{})
	sort.Strings(out)
	return out
}

// pythonFiles lists a Worker's modules: the .py files of its folder (the
// folder of its config), as the editor sees them; folders of other Workers
// are checked on their own.
func pythonFiles(w *project.Worker) []string {
	return project.PythonFiles(project.OSFS{}, w.Dir, project.Limits{})
}

// Run checks the targets and returns every diagnostic.
func Run(ctx context.Context, targets []target, envName string, disabled map[string]bool, stderr io.Writer) []rules.Diagnostic {
	return runTargets(ctx, targets, envName, disabled, stderr, nil)
}

func runTargets(ctx context.Context, targets []target, envName string, disabled map[string]bool, stderr io.Writer, rep *refusals) []rules.Diagnostic {
	var all []rules.Diagnostic
	seen := map[string]bool{}
	for _, t := range targets {
		key := t.config + "\x00" + t.file
		if seen[key] {
			continue
		}
		seen[key] = true
		w := project.Load(project.OSFS{}, t.config)
		for _, err := range w.FileErrs {
			var fe *project.FileError
			if errors.As(err, &fe) {
				rep.add(fe.Path, err)
			}
		}
		env, ok := w.Env(envName)
		if !ok {
			fmt.Fprintf(stderr, "check: %s has no environment %q; checking its top level\n", t.config, envName)
		}
		in := &rules.Input{Worker: w, Env: env, PythonFiles: parseAll(ctx, pythonFiles(w), rep), Disabled: disabled}
		if t.file != "" {
			if strings.HasSuffix(t.file, ".py") && in.PythonFiles[t.file] == nil {
				if f := parseOne(ctx, t.file, rep); f != nil {
					in.PythonFiles[t.file] = f
				}
			}
			all = append(all, rules.CheckFile(ctx, in, t.file)...)
			continue
		}
		all = append(all, rules.CheckWorker(ctx, in)...)
	}
	return all
}

func parseOne(ctx context.Context, path string, rep *refusals) *pysyntax.File {
	data, err := project.ReadFile(path, project.MaxSourceBytes)
	if project.Refused(err) {
		rep.add(path, err)
		return nil
	}
	if err != nil {
		slog.Warn("check: cannot read", "path", path, "err", err)
		return nil
	}
	f, err := pysyntax.Parse(ctx, string(data))
	if err != nil {
		slog.Warn("check: cannot parse", "path", path, "err", err)
		return nil
	}
	return f
}

// parseAll parses files on all cores.
func parseAll(ctx context.Context, paths []string, rep *refusals) map[string]*pysyntax.File {
	out := make(map[string]*pysyntax.File, len(paths))
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan string)
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				if f := parseOne(ctx, p, rep); f != nil {
					mu.Lock()
					out[p] = f
					mu.Unlock()
				}
			}
		}()
	}
	for _, p := range paths {
		next <- p
	}
	close(next)
	wg.Wait()
	return out
}

func sortDiagnostics(ds []rules.Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Range.Start.Line != b.Range.Start.Line {
			return a.Range.Start.Line < b.Range.Start.Line
		}
		if a.Range.Start.Character != b.Range.Start.Character {
			return a.Range.Start.Character < b.Range.Start.Character
		}
		return a.Code < b.Code
	})
}

// displayPath shows path relative to cwd when it is below it.
func displayPath(path, cwd string) string {
	if r, err := filepath.Rel(cwd, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(path)
}
