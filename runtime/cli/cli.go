// Package cli implements `pyworkers-lsp run` (call a Worker's handler once in
// the embedded runtime and print the response like `curl -i`) and
// `pyworkers-lsp runtime warm` (build the compilation cache).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/handlers"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/dispatch"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

const runUsage = `Usage: pyworkers-lsp run [flags] [PATH_AND_QUERY]

Runs the Worker in the current folder once in the embedded Python runtime and
prints the response like curl -i. Handler output (print, console.log) goes to
stderr. Exit status: 0 a response, 1 the handler raised or hit a limit, 2 usage.

Flags:
  --config PATH      wrangler config (default: nearest wrangler.json/jsonc/toml)
  --env NAME         environment (env.NAME block) to use
  -X, --method M     request method (default GET, POST with --data)
  -H 'Name: value'   request header (repeatable)
  -d, --data BODY    request body; @file reads it from a file, @- from stdin
  --allow-net        let the handler's fetch() reach the network
  --timeout DUR      wall-clock limit (default 30s)
  --scheduled CRON   call scheduled() with this cron instead of fetch()

Other handlers (see docs/handlers.md):
  --queue NAME               deliver pending messages of queue NAME to queue(batch)
  --workflow NAME            start an instance of workflow NAME (binding, workflow
                             name or class) and run it to its end or first wait
    --params JSON            the instance's params (event.payload)
    --id ID                  the instance id (default: a new one)
  --workflow-event ID TYPE [JSON]
                             send an event to instance ID; a waiting instance
                             runs on, replaying its completed steps
  --do BINDING_OR_CLASS      call a Durable Object: --name NAME or --id HEX, then
    --method M [--args JSON] an RPC method with a JSON list of arguments, or
                             fetch() with PATH_AND_QUERY and -X/-H/-d (with
                             --do, --method names the RPC method, -X the HTTP one)
  --alarm                    fire the Durable Object alarms that are due
  --alarm-all                fire every set alarm, due or not
  --reset-state              delete the Worker's local state (bindings, objects,
                             workflows) first; alone, only that
`

type headerFlags [][2]string

func (h *headerFlags) String() string { return fmt.Sprint(*h) }
func (h *headerFlags) Set(v string) error {
	name, value, ok := dispatch.ParseHeader(v)
	if !ok || name == "" {
		return fmt.Errorf("header %q is not 'Name: value'", v)
	}
	*h = append(*h, [2]string{name, value})
	return nil
}

// Exit statuses of `run`.
const (
	exitOK     = 0 // a response (or the run completed)
	exitFailed = 1 // the handler raised, hit a limit, or the run failed
	exitUsage  = 2 // bad flags or config
)

// Main is `pyworkers-lsp run`; it returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	opts, code := parseRunFlags(args, stdout, stderr)
	if opts == nil {
		return code
	}
	return execute(opts, stdout, stderr)
}

// runOptions are `run`'s parsed flags: the Worker, its limits, and the run.
type runOptions struct {
	configPath, envName string
	allowNet            bool
	timeout             time.Duration
	resetState          bool
	run                 dispatch.Run // Kind "" with resetState: only the reset
}

// runFlags are the raw flags of `run`, before they are checked and turned
// into runOptions.
type runFlags struct {
	opts                    runOptions
	method, data, scheduled string
	methodFlag              string // --method: the HTTP method, or with --do the RPC method
	headers                 headerFlags
	h                       handlerFlags
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.opts.configPath, "config", "", "")
	fs.StringVar(&f.opts.envName, "env", "", "")
	fs.StringVar(&f.methodFlag, "method", "", "")
	fs.StringVar(&f.method, "X", "", "")
	fs.Var(&f.headers, "H", "")
	fs.Var(&f.headers, "header", "")
	fs.StringVar(&f.data, "data", "", "")
	fs.StringVar(&f.data, "d", "", "")
	fs.BoolVar(&f.opts.allowNet, "allow-net", false, "")
	fs.DurationVar(&f.opts.timeout, "timeout", runtime.DefaultWallClock, "")
	fs.StringVar(&f.scheduled, "scheduled", "", "")
	f.h.register(fs)
}

// parseRunFlags reads and checks the flags. On a usage error, or -h, it
// prints and returns nil with the exit status.
func parseRunFlags(args []string, stdout, stderr io.Writer) (*runOptions, int) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var f runFlags
	f.register(fs)
	usage := func(format string, a ...any) (*runOptions, int) {
		fmt.Fprintf(stderr, "pyworkers-lsp run: "+format+"\n\n%s", append(a, runUsage)...)
		return nil, exitUsage
	}
	if err := fs.Parse(interleave(args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, runUsage)
			return nil, exitOK
		}
		return usage("%v", err)
	}
	opts, h, method, scheduled := &f.opts, &f.h, f.method, f.scheduled
	if h.do != "" {
		h.rpcMethod = f.methodFlag
	} else if f.methodFlag != "" {
		method = f.methodFlag
	}
	positional := fs.Args()
	if h.workflowEvent != "" {
		if len(positional) < 1 || len(positional) > 2 {
			return usage("--workflow-event ID TYPE [JSON]: got %q", positional)
		}
		h.eventType = positional[0]
		if len(positional) == 2 {
			h.eventPayload = positional[1]
		}
		positional = nil
	}
	if msg := h.validate(scheduled != "", len(positional) > 0); msg != "" {
		return usage("%s", msg)
	}
	if len(positional) > 1 {
		return usage("one PATH_AND_QUERY at most, got %q", positional)
	}
	target := "/"
	if len(positional) == 1 {
		target = positional[0]
	}
	if !strings.HasPrefix(target, "/") {
		fmt.Fprintf(stderr, "pyworkers-lsp run: the path must start with '/', got %q\n", target)
		return nil, exitUsage
	}
	body, err := readBody(f.data)
	if err != nil {
		fmt.Fprintf(stderr, "pyworkers-lsp run: %v\n", err)
		return nil, exitUsage
	}
	if method == "" {
		method = "GET"
		if body != nil {
			method = "POST"
		}
	}
	opts.resetState = h.resetState
	opts.run = dispatch.Run{Method: method, Path: target, Headers: f.headers, Body: body}
	switch {
	case h.any():
		h.fill(&opts.run)
	case scheduled != "":
		opts.run.Kind, opts.run.Cron = handlers.Scheduled, scheduled
	case !h.resetState || len(positional) > 0:
		opts.run.Kind = handlers.Fetch
	}
	return opts, exitOK
}

// maxBody bounds a request body read from a file or stdin.
const maxBody = 64 << 20

// readBody reads --data: BODY, @file, or @- for stdin; nil without it. The
// file is one the user names (a pipe such as @<(cmd) is fine), so it is
// not required to be regular, only bounded.
func readBody(data string) ([]byte, error) {
	switch {
	case data == "@-":
		return readBounded(os.Stdin, "stdin")
	case strings.HasPrefix(data, "@"):
		f, err := os.Open(data[1:])
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readBounded(f, data[1:])
	case data != "":
		return []byte(data), nil
	}
	return nil, nil
}

func readBounded(r io.Reader, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("the request body in %s is larger than %d MiB", name, maxBody>>20)
	}
	return b, nil
}

// execute loads the Worker, resets its state when asked, and runs the
// handler in a warmed engine.
func execute(opts *runOptions, stdout, stderr io.Writer) int {
	spec, err := workerspec.Load(opts.configPath, opts.envName)
	if err != nil {
		fmt.Fprintf(stderr, "pyworkers-lsp run: %v\n", err)
		return exitUsage
	}
	spec.AllowNet = opts.allowNet
	spec.Limits.WallClock = opts.timeout
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if opts.resetState {
		if _, err := dispatch.Do(ctx, nil, spec, dispatch.Run{ResetState: true}); err != nil {
			fmt.Fprintf(stderr, "pyworkers-lsp run: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(stderr, "local state reset: %s\n", actors.StateDir(spec))
		if opts.run.Kind == "" {
			return exitOK
		}
	}
	engine := actors.NewEngine(runtime.EngineOptions{OnPackageProgress: func(msg string) {
		if strings.Contains(msg, "native module") {
			fmt.Fprintf(stderr, "pyworkers-lsp run: %s\n", msg)
			return
		}
		fmt.Fprintf(stderr, "pyodide packages: %s\n", msg)
	}})
	defer engine.Close()
	if err := engine.Warm(ctx, warmProgress(stderr)); err != nil {
		fmt.Fprintf(stderr, "pyworkers-lsp run: %v\n", err)
		return exitFailed
	}
	out, err := dispatch.Do(ctx, engine, spec, opts.run)
	if err != nil {
		fmt.Fprintf(stderr, "pyworkers-lsp run: %v\n", err)
		return exitFailed
	}
	return printOutcome(out, stdout, stderr)
}

// interleave moves flags after the positional argument before it, so
// `run /path -H x` works like `run -H x /path`.
func interleave(args []string) []string {
	var flags, pos []string
	takesValue := map[string]bool{"-config": true, "-env": true, "-method": true, "-X": true, "-H": true, "-header": true,
		"-data": true, "-d": true, "-timeout": true, "-scheduled": true, "-queue": true, "-workflow": true, "-params": true,
		"-id": true, "-workflow-event": true, "-do": true, "-name": true, "-args": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
			name := "-" + strings.TrimLeft(a, "-")
			if !strings.Contains(a, "=") && takesValue[name] && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

func warmProgress(stderr io.Writer) func(string, int) {
	return func(msg string, pct int) {
		if strings.Contains(msg, "compiling") {
			fmt.Fprintf(stderr, "pyworkers-lsp: %s\n", msg)
		}
	}
}

func report(res *runtime.RunResult, stdout, stderr io.Writer) int {
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	for _, l := range res.Logs {
		fmt.Fprintln(stderr, l.Text)
	}
	if res.Status != 0 {
		fmt.Fprintf(stdout, "HTTP/1.1 %d %s\n", res.Status, res.StatusText)
		hasLength := false
		for _, h := range res.Headers {
			fmt.Fprintf(stdout, "%s: %s\n", h.Name, h.Value)
			hasLength = hasLength || strings.EqualFold(h.Name, "content-length")
		}
		// The length of the body as sent, unless the app set it itself.
		if !hasLength {
			fmt.Fprintf(stdout, "content-length: %d\n", len(res.Body))
		}
		fmt.Fprint(stdout, "\n")
		stdout.Write(res.Body)
	}
	if res.Error != nil {
		if res.Error.Traceback != "" {
			fmt.Fprint(stderr, strings.TrimRight(res.Error.Traceback, "\n")+"\n")
		} else {
			fmt.Fprintf(stderr, "error: %s\n", res.Error.Error())
		}
		return 1
	}
	return 0
}

const runtimeUsage = `Usage: pyworkers-lsp runtime warm

Compiles the embedded Python runtime into the compilation cache (about 30 s
the first time) so later starts take well under a second.
`

// RuntimeMain is `pyworkers-lsp runtime SUBCOMMAND`.
func RuntimeMain(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "warm" {
		if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, runtimeUsage)
			return 0
		}
		fmt.Fprint(stderr, runtimeUsage)
		return 2
	}
	start := time.Now()
	engine := runtime.NewEngine(runtime.EngineOptions{})
	defer engine.Close()
	err := engine.Warm(context.Background(), func(msg string, pct int) {
		fmt.Fprintf(stderr, "[%3d%%] %s\n", pct, msg)
	})
	if err != nil {
		fmt.Fprintf(stderr, "pyworkers-lsp runtime warm: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "runtime ready in %s (artifacts %s, compile cache %s)\n",
		time.Since(start).Round(time.Millisecond), runtime.DefaultArtifactsDir(), runtime.DefaultCompileCacheDir())
	return 0
}
