// Command pyworkers-lsp is a language server for Cloudflare Python Workers.
//
//	pyworkers-lsp [serve] [--stdio | --listen 127.0.0.1:PORT]   speak LSP
//	pyworkers-lsp check [--env NAME] [--format text|json|sarif] [PATH...]
//	pyworkers-lsp run [flags] [/path?query]                     run a handler
//	pyworkers-lsp dev [--port N] [-c CONFIG]...                 serve the Worker locally
//	pyworkers-lsp runtime warm                                  prepare the runtime
//	pyworkers-lsp version                                       print the version
//	pyworkers-lsp help                                          print the usage
//
// serve's flags --log-file PATH and --log-level debug|info|warn|error send
// logs elsewhere; they never go to stdout, which carries JSON-RPC.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"syscall"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/checkcmd"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	runcli "github.com/pyworkers-lsp/pyworkers-lsp/runtime/cli"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/devserver"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/localdata"
	"github.com/pyworkers-lsp/pyworkers-lsp/server"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	os.Exit(profiled(func() int { return run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr) }))
}

// profiled runs a command under the profilers the environment asks for,
// for measuring it from outside (docs/benchmarks.md):
// PYWORKERS_CPUPROFILE=FILE a CPU profile, PYWORKERS_TRACE=FILE an
// execution trace (go tool trace: where a slow request waited), and
// PYWORKERS_ALLOCPROFILE=FILE the allocations, written at exit.
func profiled(command func() int) int {
	if f := os.Getenv("PYWORKERS_CPUPROFILE"); f != "" {
		if out, err := os.Create(f); err == nil && pprof.StartCPUProfile(out) == nil {
			defer out.Close()
			defer pprof.StopCPUProfile()
		}
	}
	if f := os.Getenv("PYWORKERS_TRACE"); f != "" {
		if out, err := os.Create(f); err == nil && trace.Start(out) == nil {
			defer out.Close()
			defer trace.Stop()
		}
	}
	if f := os.Getenv("PYWORKERS_ALLOCPROFILE"); f != "" {
		defer func() {
			if out, err := os.Create(f); err == nil {
				pprof.Lookup("allocs").WriteTo(out, 0)
				out.Close()
			}
		}()
	}
	return command()
}

const usage = `pyworkers-lsp — a language server for Cloudflare Python Workers

Usage:
  pyworkers-lsp [serve] [--stdio]            speak LSP on stdin/stdout (default)
  pyworkers-lsp serve --listen 127.0.0.1:PORT speak LSP over TCP (for debugging)
  pyworkers-lsp check [--env NAME] [--format text|json|sarif] [PATH...]
                                             report Python Workers pitfalls (exit 1 on errors)
  pyworkers-lsp run [--env NAME] [--method M] [-H 'K: V'] [--data BODY|@file] [--allow-net] [/path?query]
                                             run the Worker's fetch handler in the embedded
                                             Python runtime and print the response
  pyworkers-lsp run --scheduled CRON | --queue QUEUE | --workflow FLOW [--params JSON]
                    | --do CLASS --name NAME --method M [--args JSON] | --reset-state
                                             run another handler, or reset the local state
  pyworkers-lsp dev [--port 8787] [--ip 127.0.0.1] [-c CONFIG]... [--env NAME] [--persist-to DIR] [--allow-net] [--var K:V]
                                             serve the Worker on a local HTTP server (reloads on change)
  pyworkers-lsp d1 execute DB --command SQL | --file F [--json];  d1 migrations list|apply DB
  pyworkers-lsp kv key put|get|list|delete KEY [--binding B];  r2 object put|get|delete BUCKET/KEY [--file F]
                                             the local state, as wrangler's --local commands
  pyworkers-lsp runtime warm                 prepare the embedded runtime (compile cache)
  pyworkers-lsp version                      print the version
  pyworkers-lsp help                         print this help

Flags of serve:
  --log-file PATH     write logs to PATH instead of stderr
  --log-level LEVEL   debug, info, warn or error (default info)

` + "`pyworkers-lsp COMMAND --help`" + ` lists the flags of one command.
`

// run dispatches subcommands; it returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		switch a := args[0]; {
		case a == "-h" || a == "-help" || a == "--help" || a == "--version" || a == "-version":
			cmd, args = strings.TrimLeft(a, "-"), args[1:]
		case !strings.HasPrefix(a, "-"):
			cmd, args = a, args[1:]
		}
	}
	switch cmd {
	case "serve":
		return serve(args, stdin, stdout, stderr)
	case "check":
		return checkcmd.Main(args, stdout, stderr)
	case "run":
		return runcli.Main(args, stdout, stderr)
	case "runtime":
		return runcli.RuntimeMain(args, stdout, stderr)
	case "dev":
		return devserver.Main(args, stdout, stderr)
	case "d1", "kv", "r2":
		return localdata.Main(cmd, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "pyworkers-lsp", version)
		if runtime.BundledRuntime() {
			fmt.Fprintf(stdout, "Python runtime: embedded (Pyodide %s)\n", runtime.PyodideVersion)
		} else {
			fmt.Fprintf(stdout, "Python runtime: not embedded (Pyodide %s from %s)\n", runtime.PyodideVersion, runtime.DefaultArtifactsDir())
		}
		return 0
	case "help", "h":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "pyworkers-lsp: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

// logFlags are the flags every subcommand accepts.
type logFlags struct {
	file  string
	level string
}

func (l *logFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.file, "log-file", "", "write logs to this file instead of stderr")
	fs.StringVar(&l.level, "log-level", "info", "debug, info, warn or error")
}

// logger builds the slog logger; the returned closer closes a log file.
func (l *logFlags) logger(stderr io.Writer) (*slog.Logger, func(), error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.level)); err != nil {
		return nil, nil, fmt.Errorf("--log-level: %w", err)
	}
	out, closeFn := stderr, func() {}
	if l.file != "" {
		f, err := os.OpenFile(l.file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("--log-file: %w", err)
		}
		out, closeFn = f, func() { f.Close() }
	}
	return slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level})), closeFn, nil
}

func serve(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var lf logFlags
	lf.register(fs)
	stdio := fs.Bool("stdio", false, "speak LSP on stdin/stdout (the default)")
	listen := fs.String("listen", "", "speak LSP over TCP on this address, e.g. 127.0.0.1:7777")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *stdio && *listen != "" {
		fmt.Fprintln(stderr, "serve: --stdio and --listen exclude each other")
		return 2
	}
	log, closeLog, err := lf.logger(stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	defer closeLog()
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Over stdio the client shows stderr where it shows window/logMessage.
	opts := server.Options{Version: version, Logger: log, LogToClient: true, ClientTakesLog: lf.file == "" && *listen == ""}

	if *listen == "" {
		return server.Serve(ctx, stdin, nopCloser{stdout}, opts)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(stderr, "serve:", err)
		return 1
	}
	defer ln.Close()
	log.Info("listening for one LSP client", "address", ln.Addr().String())
	fmt.Fprintf(stderr, "pyworkers-lsp listening on %s\n", ln.Addr())
	go func() { <-ctx.Done(); ln.Close() }()
	conn, err := ln.Accept()
	if err != nil {
		if errors.Is(err, net.ErrClosed) {
			return 0
		}
		fmt.Fprintln(stderr, "serve:", err)
		return 1
	}
	return server.Serve(ctx, conn, conn, opts)
}

// nopCloser keeps Serve from closing the process's stdout.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
