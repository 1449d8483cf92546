package devserver

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
)

const usage = `Usage: pyworkers-lsp dev [flags]

Serves the Worker in the current folder on a local HTTP server, in the
embedded Python runtime (no Node, wrangler or workerd). Prints
"Ready on http://IP:PORT" once it answers, then a line per request.
Reloads when the Worker's files, config, .dev.vars or python_modules/ change.
GET /__scheduled?cron=... runs the scheduled handler. Ctrl-C stops it.

Flags:
  --port N           port to listen on (default 8787; 0 picks a free one)
  --ip ADDR          address to bind (default 127.0.0.1: this machine only)
  -c, --config PATH  wrangler config (repeatable: the first Worker is served,
                     the others are reachable through service bindings)
  --env NAME         environment (env.NAME block) to use
  --persist-to DIR   keep local state (KV, D1, R2, Durable Objects, ...) in DIR
  --allow-net        let the Worker's fetch() reach the network
  --var KEY:VALUE    set a var (repeatable), over the config and .dev.vars
  --timeout DUR      wall-clock limit per request (default 30s)
`

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// Main is `pyworkers-lsp dev`; it returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var configs, vars multiFlag
	port := fs.Int("port", 8787, "")
	ip := fs.String("ip", "127.0.0.1", "")
	fs.Var(&configs, "c", "")
	fs.Var(&configs, "config", "")
	env := fs.String("env", "", "")
	persist := fs.String("persist-to", "", "")
	allowNet := fs.Bool("allow-net", false, "")
	timeout := fs.Duration("timeout", runtime.DefaultWallClock, "")
	fs.Var(&vars, "var", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "pyworkers-lsp dev: %v\n\n%s", err, usage)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "pyworkers-lsp dev: unexpected argument %q (the Worker is found from the current folder or -c)\n\n%s", fs.Arg(0), usage)
		return 2
	}
	if *port < 0 || *port > 65535 {
		fmt.Fprintf(stderr, "pyworkers-lsp dev: --port %d is not a port\n", *port)
		return 2
	}
	varMap := map[string]string{}
	for _, kv := range vars {
		k, v, ok := strings.Cut(kv, ":")
		if !ok || k == "" {
			fmt.Fprintf(stderr, "pyworkers-lsp dev: --var %q is not KEY:VALUE\n", kv)
			return 2
		}
		varMap[k] = v
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, Options{Configs: configs, Env: *env, Vars: varMap, AllowNet: *allowNet, PersistTo: *persist,
		Timeout: *timeout, Log: stdout}, net.JoinHostPort(*ip, strconv.Itoa(*port)), stderr)
}

// run serves until ctx ends (Ctrl-C), then shuts down cleanly.
func run(ctx context.Context, opts Options, addr string, stderr io.Writer) int {
	eng := actors.NewEngine(runtime.EngineOptions{OnPackageProgress: func(msg string) {
		fmt.Fprintf(opts.Log, "[pyworkers] pyodide packages: %s\n", msg)
	}})
	defer eng.Close()
	opts.Engine = eng
	r, err := Start(ctx, opts, addr)
	if err != nil {
		if ctx.Err() != nil {
			return 0
		}
		var se *StartError
		if errors.As(err, &se) && se.Usage {
			fmt.Fprintf(stderr, "pyworkers-lsp dev: %v\n", err)
			return 2
		}
		fmt.Fprintf(stderr, "pyworkers-lsp dev: %v\n", err)
		return 1
	}
	select {
	case <-ctx.Done():
		r.Stop()
		return 0
	case <-r.Done():
		fmt.Fprintf(stderr, "pyworkers-lsp dev: %v\n", r.Err())
		r.Stop()
		return 1
	}
}

// StartError is why Start failed; Usage marks bad input (a config that
// cannot be read).
type StartError struct {
	Usage bool
	Err   error
}

func (e *StartError) Error() string { return e.Err.Error() }
func (e *StartError) Unwrap() error { return e.Err }

// Running is a started dev server.
type Running struct {
	srv    *Server
	hs     *http.Server
	url    string
	stopBG context.CancelFunc
	err    error
	done   chan struct{}
	once   sync.Once
}

// Start loads the Workers, listens on addr, starts the served Worker's
// isolate, the file watcher and the background work, and prints "Ready on
// URL" to opts.Log. opts.Engine is used, not closed.
func Start(ctx context.Context, opts Options, addr string) (*Running, error) {
	srv, err := New(opts)
	if err != nil {
		return nil, &StartError{Usage: true, Err: err}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, &StartError{Err: fmt.Errorf("%s is already in use (another dev server?); choose another with --port", addr)}
		}
		return nil, &StartError{Err: fmt.Errorf("cannot listen on %s: %v", addr, err)}
	}
	if err := srv.eng.Warm(ctx, func(msg string, pct int) {
		if strings.Contains(msg, "compiling") {
			srv.logf("[pyworkers] %s", msg)
		}
	}); err != nil {
		ln.Close()
		return nil, &StartError{Err: err}
	}
	srv.Start(ctx)
	r := &Running{srv: srv, hs: &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second},
		url: "http://" + displayAddr(ln.Addr()), done: make(chan struct{})}
	go func() {
		r.err = r.hs.Serve(ln)
		close(r.done)
	}()
	bg, stopBG := context.WithCancel(context.Background())
	r.stopBG = stopBG
	go func() {
		if err := srv.Watch(bg); err != nil {
			srv.logf("[pyworkers] not watching for changes: %v", err)
		}
	}()
	go srv.Background(bg)
	srv.logf("Ready on %s", r.url)
	return r, nil
}

// URL is where the server answers, e.g. http://127.0.0.1:8787.
func (r *Running) URL() string { return r.url }

// Done is closed when the HTTP server stopped on its own (Err says why).
func (r *Running) Done() <-chan struct{} { return r.done }

// Err is why the HTTP server stopped.
func (r *Running) Err() error { return r.err }

// Stop shuts the server down: requests in flight get 5 s to finish, then
// the isolate ends and local state is flushed. Safe to call twice.
func (r *Running) Stop() {
	r.once.Do(func() {
		r.stopBG()
		r.srv.logf("[pyworkers] stopping")
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.hs.Shutdown(shut)
		r.srv.Close()
	})
}

// displayAddr is the URL host of the listener: an unspecified address
// (0.0.0.0, ::) is shown as 127.0.0.1 so the printed URL works.
func displayAddr(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := ta.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(ta.Port))
}
