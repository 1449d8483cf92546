// Package server is the wire side of pyworkers-lsp: JSON-RPC over a stream,
// the LSP lifecycle, open documents and the immutable snapshots that
// features read. Feature logic lives in analysis/ and completion/; files in
// this package only convert between LSP and those packages.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/internal/gcfloor"
)

// Name is the server's name, used as the diagnostics source.
const Name = "pyworkers"

// JSON-RPC and LSP error codes the library does not name.
const (
	codeServerNotInitialized jsonrpc2.Code = -32002
	codeRequestCancelled     jsonrpc2.Code = -32800
	codeContentModified      jsonrpc2.Code = -32801
)

// Options configure a server.
type Options struct {
	Version string
	Logger  *slog.Logger
	// LogToClient forwards log records to window/logMessage.
	LogToClient bool
	// ClientTakesLog: while records are forwarded, Logger does not get
	// them. VS Code, Neovim and Helix show a server's stderr and its
	// window/logMessage in the same panel or file, so with stderr as the
	// Logger every line would appear twice. Records before initialize and
	// after exit still reach Logger.
	ClientTakesLog bool
}

// Server is one LSP session.
type Server struct {
	opts Options
	log  *slog.Logger
	conn jsonrpc2.Conn

	state atomic.Int32 // lifecycle: see the state* constants

	mu   sync.Mutex // guards snap and the document edits that replace it
	snap *Snapshot

	inflightMu sync.Mutex
	inflight   map[string]context.CancelFunc
	// running counts requests being answered; background diagnostics wait
	// briefly for them (a completion right after a keystroke gets the CPU).
	running inFlight

	client clientInfo
	// watching is true while the client watches project files for us
	// (dynamic registration accepted); saves trigger re-reads otherwise.
	watching    atomic.Bool
	diagnostics *diagnosticsLoop
	runtime     *runtimeState

	pkgProgressMu sync.Mutex
	pkgProgress   *progress // the Pyodide package download being shown
	// treeJobs holds the newest edited version whose tree to build ahead
	// (see prepareTree).
	treeJobs chan treeJob

	exitCode atomic.Int32
	done     chan struct{}
}

const (
	stateNew int32 = iota
	stateInitialized
	stateShutdown
)

// clientInfo is what the client told us at initialize.
type clientInfo struct {
	name                  string
	watchedFilesDynamic   bool // the client can register file watchers
	configurationRequests bool
	showDocument          bool
	workDoneProgress      bool
	codeLensRefresh       bool
	diagnosticsVersion    bool
}

// gcHeapFloor is how far above the live heap the collector's goal stays
// (package gcfloor): with a 5,000-line module open the collector runs about
// every 30 keystrokes instead of every 8. 64 MB made no clear difference in
// latency and doubled the extra memory.
const gcHeapFloor = 32 << 20

// Serve runs one session over r and w until the client exits or the stream
// ends. It returns the process exit code LSP asks for: 0 after shutdown +
// exit, 1 for an exit without shutdown or a lost stream.
func Serve(ctx context.Context, r io.Reader, w io.WriteCloser, opts Options) int {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	gcfloor.Start(gcHeapFloor)
	s := &Server{
		opts:     opts,
		inflight: map[string]context.CancelFunc{},
		done:     make(chan struct{}),
	}
	s.exitCode.Store(1)
	s.log = opts.Logger
	if opts.LogToClient {
		s.log = slog.New(&clientLogHandler{next: opts.Logger.Handler(), server: s})
	}
	s.snap = firstSnapshot()
	s.diagnostics = newDiagnosticsLoop(s)
	s.runtime = newRuntimeState(s)
	s.treeJobs = make(chan treeJob, 1)
	stopTrees := make(chan struct{})
	defer close(stopTrees)
	go s.buildTrees(stopTrees)

	st := newStream(r, w, opts.Logger)
	s.conn = jsonrpc2.NewConn(st)
	s.conn.Go(ctx, s.handle)
	select {
	case <-s.conn.Done():
	case <-s.done:
		s.conn.Close()
	case <-ctx.Done():
		s.conn.Close()
	}
	s.diagnostics.stop()
	return int(s.exitCode.Load())
}

// current returns the newest snapshot.
func (s *Server) current() *Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap
}

// handle is the connection's single entry point. Notifications run in
// order on the reading goroutine (they edit state and must not reorder);
// requests run concurrently against the snapshot current when they arrived.
func (s *Server) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	gcfloor.Active()
	method := req.Method()
	call, isCall := req.(*jsonrpc2.Call)

	switch method {
	case "$/cancelRequest":
		var p struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(req.Params(), &p) == nil {
			s.cancel(string(p.ID))
		}
		return nil
	case "exit":
		if s.state.Load() == stateShutdown {
			s.exitCode.Store(0)
		}
		select {
		case <-s.done:
		default:
			close(s.done)
		}
		return nil
	case "initialize":
		if !isCall {
			return nil
		}
		if s.state.Load() != stateNew {
			return reply(ctx, nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "initialize was already called"))
		}
		return s.safeReply(ctx, reply, method, func() (any, error) { return s.initialize(ctx, req.Params()) })
	}

	switch s.state.Load() {
	case stateNew:
		if isCall {
			return reply(ctx, nil, jsonrpc2.NewError(codeServerNotInitialized, "the server is not initialized: send initialize first"))
		}
		return nil // notifications before initialize are dropped, as LSP says
	case stateShutdown:
		if isCall {
			return reply(ctx, nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is shutting down"))
		}
		return nil
	}

	if method == "shutdown" {
		s.state.Store(stateShutdown)
		s.runtime.close()
		return reply(ctx, nil, nil)
	}

	if h, ok := notificationHandlers[method]; ok {
		if isCall {
			// A client sent a notification method as a request; answer it.
			return s.safeReply(ctx, reply, method, func() (any, error) { return nil, h(ctx, s, req.Params()) })
		}
		s.safeNotify(ctx, method, func() error { return h(ctx, s, req.Params()) })
		return nil
	}
	h, ok := requestHandlers[method]
	if !ok {
		if isCall {
			return reply(ctx, nil, jsonrpc2.NewError(jsonrpc2.MethodNotFound, "method not supported: "+method))
		}
		return nil
	}
	if !isCall {
		return nil
	}
	snap := s.current()
	key := idKey(call.ID())
	rctx, cancel := context.WithCancel(ctx)
	s.inflightMu.Lock()
	s.inflight[key] = cancel
	s.inflightMu.Unlock()
	s.running.start()
	go func() {
		defer func() {
			s.running.finish()
			s.inflightMu.Lock()
			delete(s.inflight, key)
			s.inflightMu.Unlock()
			cancel()
		}()
		s.safeReply(rctx, reply, method, func() (any, error) {
			res, err := h.fn(rctx, s, snap, req.Params())
			if rctx.Err() != nil {
				return nil, jsonrpc2.NewError(codeRequestCancelled, "request cancelled")
			}
			return res, err
		})
	}()
	return nil
}

// idKey renders a request id the way $/cancelRequest carries it.
func idKey(id jsonrpc2.ID) string {
	b, _ := json.Marshal(&id)
	return string(b)
}

func (s *Server) cancel(key string) {
	s.inflightMu.Lock()
	cancel := s.inflight[key]
	s.inflightMu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// safeReply runs fn and replies with its result; a panic becomes an
// InternalError response instead of killing the process.
func (s *Server) safeReply(ctx context.Context, reply jsonrpc2.Replier, method string, fn func() (any, error)) (err error) {
	var res any
	var ferr error
	func() {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("handler panicked", "method", method, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				res, ferr = nil, jsonrpc2.NewError(jsonrpc2.InternalError, fmt.Sprintf("internal error in %s: %v", method, r))
			}
		}()
		res, ferr = fn()
	}()
	if ferr != nil {
		var rpcErr *jsonrpc2.Error
		if !errors.As(ferr, &rpcErr) {
			ferr = jsonrpc2.NewError(jsonrpc2.InternalError, ferr.Error())
		}
	}
	if rerr := reply(context.Background(), res, ferr); rerr != nil {
		s.log.Warn("reply failed", "method", method, "error", rerr)
	}
	return nil
}

func (s *Server) safeNotify(ctx context.Context, method string, fn func() error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("notification handler panicked", "method", method, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	if err := fn(); err != nil {
		s.log.Warn("notification failed", "method", method, "error", err)
	}
}

// notify sends a notification to the client, logging failures.
func (s *Server) notify(method string, params any) {
	if s.conn == nil {
		return
	}
	if err := s.conn.Notify(context.Background(), method, params); err != nil {
		s.log.Debug("notify failed", "method", method, "error", err)
	}
}

// call sends a request to the client. It must not be called from the
// reading goroutine (the answer is read there): use it from goroutines.
func (s *Server) call(ctx context.Context, method string, params, result any) error {
	_, err := s.conn.Call(ctx, method, params, result)
	return err
}

// showMessage shows a message to the user.
func (s *Server) showMessage(typ protocol.MessageType, msg string) {
	s.notify("window/showMessage", &protocol.ShowMessageParams{Type: typ, Message: msg})
}

// invalidParams is the error for params that do not decode.
func invalidParams(err error) error {
	return jsonrpc2.NewError(jsonrpc2.InvalidParams, "invalid params: "+err.Error())
}

// decode unmarshals params, mapping failures to InvalidParams.
func decode(params json.RawMessage, v any) error {
	if len(params) == 0 || string(params) == "null" {
		return invalidParams(errors.New("missing params"))
	}
	if err := json.Unmarshal(params, v); err != nil {
		return invalidParams(err)
	}
	return nil
}
