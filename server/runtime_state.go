package server

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
)

// runtimeState owns the embedded Python runtime for code lenses.
//
// At start the server makes sure the runtime's compile cache exists by
// running `pyworkers-lsp runtime warm` as a child process: the one-time
// compile (≈13 s, ≈1 GB peak) then happens outside the server's memory and
// never blocks a request. The engine itself is loaded into the server on
// the first run (≈0.3 s from the warm cache).
type runtimeState struct {
	s *Server

	mu      sync.Mutex
	state   string // idle, compiling, ready, error
	message string
	warmed  chan struct{} // closed when the warm-up child finished
	engine  *runtime.Engine

	dev devState // the dev server started from the editor (dev_commands.go)
}

// RuntimeStatus is the params of the pyworkers/runtimeStatus notification
// (the VS Code status bar shows it).
type RuntimeStatus struct {
	State   string `json:"state"` // idle | compiling | ready | error
	Message string `json:"message"`
}

func newRuntimeState(s *Server) *runtimeState {
	r := &runtimeState{s: s, state: "idle", warmed: make(chan struct{})}
	return r
}

func (r *runtimeState) setState(state, msg string) {
	r.mu.Lock()
	r.state, r.message = state, msg
	r.mu.Unlock()
	r.s.notify("pyworkers/runtimeStatus", &RuntimeStatus{State: state, Message: msg})
}

var warmProgressLine = regexp.MustCompile(`^\[\s*(\d+)%\]\s*(.*)$`)

// warmInBackground runs the warm-up child with $/progress. Setting
// PYWORKERS_NO_WARMUP=1 skips it (tests and benchmarks of other features).
func (r *runtimeState) warmInBackground() {
	if os.Getenv("PYWORKERS_NO_WARMUP") == "1" {
		close(r.warmed)
		return
	}
	go func() {
		defer close(r.warmed)
		exe, err := os.Executable()
		if err != nil {
			r.setState("error", "cannot find the server binary to warm the runtime: "+err.Error())
			return
		}
		title := "Loading the Python runtime"
		if runtime.CompileCacheCold() {
			title = "Preparing the Python runtime (first start only)"
		}
		r.setState("compiling", title)
		progress := r.s.beginProgress(title)
		cmd := exec.Command(exe, "runtime", "warm")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			r.setState("error", err.Error())
			progress.end("failed")
			return
		}
		if err := cmd.Start(); err != nil {
			r.setState("error", err.Error())
			progress.end("failed")
			return
		}
		var last string
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			last = line
			if m := warmProgressLine.FindStringSubmatch(line); m != nil {
				pct, _ := strconv.Atoi(m[1])
				progress.report(m[2], pct)
			}
		}
		if err := cmd.Wait(); err != nil {
			msg := strings.TrimPrefix(last, "pyworkers-lsp runtime warm: ")
			r.setState("error", "the Python runtime is not available: "+msg)
			r.s.log.Warn("runtime warm-up failed", "error", err, "output", last)
			progress.end("failed")
			return
		}
		r.setState("ready", "Python runtime ready")
		progress.end("ready")
	}()
}

// engineFor returns the process's engine, waiting for the warm-up first.
func (r *runtimeState) engineFor(ctx context.Context) (*runtime.Engine, error) {
	select {
	case <-r.warmed:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.engine == nil {
		r.engine = newEngine(r.s)
	}
	return r.engine, nil
}

// newEngine builds the runtime engine with every simulated binding (one
// engine serves every Worker of the workspace: bindings pick each Worker's
// state from the run's spec).
func newEngine(s *Server) *runtime.Engine {
	e := actors.NewEngine(runtime.EngineOptions{Logger: s.log, OnPackageProgress: s.packageProgress})
	e.SetPackagesURL(s.current().Settings().PackagesURL)
	return e
}

func (r *runtimeState) setPackagesURL(u string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.engine != nil {
		r.engine.SetPackagesURL(u)
	}
}

// packageProgress shows a Pyodide package download as $/progress: one
// sequence from "downloading" to "installed" (or the failure).
func (s *Server) packageProgress(msg string) {
	s.pkgProgressMu.Lock()
	defer s.pkgProgressMu.Unlock()
	switch {
	case strings.HasPrefix(msg, "downloading "), strings.HasPrefix(msg, "compiling native module "):
		if s.pkgProgress == nil {
			title := "Installing Pyodide packages"
			if strings.HasPrefix(msg, "compiling ") {
				title = "Compiling native modules"
			}
			s.pkgProgress = s.beginProgress(title)
		}
		s.pkgProgress.report(msg, 50)
	case s.pkgProgress != nil:
		s.pkgProgress.end(msg)
		s.pkgProgress = nil
	}
}

func (r *runtimeState) close() {
	r.stopDev()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.engine != nil {
		r.engine.Close()
		r.engine = nil
	}
}

// progress is one $/progress sequence (a no-op when the client has no
// work-done progress support).
type progress struct {
	s     *Server
	token string
}

var progressCounter struct {
	sync.Mutex
	n int
}

func (s *Server) beginProgress(title string) *progress {
	if !s.client.workDoneProgress {
		return &progress{}
	}
	progressCounter.Lock()
	progressCounter.n++
	token := fmt.Sprintf("pyworkers-%d", progressCounter.n)
	progressCounter.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.call(ctx, "window/workDoneProgress/create", map[string]any{"token": token}, nil); err != nil {
		return &progress{}
	}
	s.notify("$/progress", map[string]any{"token": token, "value": map[string]any{"kind": "begin", "title": title, "percentage": 0}})
	return &progress{s: s, token: token}
}

func (p *progress) report(msg string, pct int) {
	if p.s == nil {
		return
	}
	p.s.notify("$/progress", map[string]any{"token": p.token, "value": map[string]any{"kind": "report", "message": msg, "percentage": pct}})
}

func (p *progress) end(msg string) {
	if p.s == nil {
		return
	}
	p.s.notify("$/progress", map[string]any{"token": p.token, "value": map[string]any{"kind": "end", "message": msg}})
}

// showMessageType is a helper for code that only has a level.
func messageTypeFor(ok bool) protocol.MessageType {
	if ok {
		return protocol.MessageTypeInfo
	}
	return protocol.MessageTypeError
}
