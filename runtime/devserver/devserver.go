// Package devserver is `pyworkers-lsp dev`: a local HTTP server for Python
// Workers, in the process, without Node, wrangler or workerd. Each Worker
// runs in an isolate (runtime.Isolate): one interpreter restored from the
// snapshot taken after the Worker's top level, answering request after
// request, interleaving them at their awaits. A change to the Worker's
// files starts a new isolate; the old one finishes what it was answering.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/assets"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/bindings"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/localdata"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

// MaxBody is the largest request body accepted; Cloudflare answers 413
// above 100 MB (the Free and Pro plans' limit).
const MaxBody = 100 << 20

// Options configure a Server.
type Options struct {
	Configs   []string          // wrangler configs; the first Worker is served ("" = the nearest config)
	Env       string            // environment (env.NAME block)
	Vars      map[string]string // --var K:V, over the config's vars and .dev.vars
	AllowNet  bool
	PersistTo string        // local state root ("" = each Worker's .pyworkers/state)
	Timeout   time.Duration // wall-clock limit per request (0 = the runtime's default)
	// HibernateAfter is how long an idle Durable Object with only
	// hibernatable WebSockets stays in memory (0 = Cloudflare's 10 s).
	HibernateAfter time.Duration
	Log            io.Writer // the terminal: request lines, the Workers' output, reloads
	Engine         *runtime.Engine
}

// Server serves the first Worker of Options.Configs over HTTP.
type Server struct {
	opts Options
	eng  *runtime.Engine

	logMu sync.Mutex

	mu     sync.Mutex // guards the fields below; held while an isolate starts
	spec   runtime.WorkerSpec
	others []runtime.WorkerSpec
	iso    *runtime.Isolate
	side   []*runtime.Isolate // isolates of the -c Workers after the first (nil where one did not start)

	liveMu    sync.Mutex // the running isolates, for isolateOf (never held while waiting)
	live      []*runtime.Isolate
	liveSpecs []runtime.WorkerSpec
	startErr  error // why the Worker's isolate could not start, until the next change
	paths     *strings.Replacer
	warned    map[string]bool
	sockets   map[*websocket.Conn]bool // open WebSocket connections, closed by Close
}

// New loads the Workers' configs. It does not start anything yet.
func New(opts Options) (*Server, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if len(opts.Configs) == 0 {
		opts.Configs = []string{""}
	}
	s := &Server{opts: opts, eng: opts.Engine}
	spec, others, err := s.loadSpecs()
	if err != nil {
		return nil, err
	}
	s.setSpecs(spec, others)
	s.eng.SetIsolates(s.isolateOf)
	return s, nil
}

// Spec is the served Worker's spec as last loaded.
func (s *Server) Spec() runtime.WorkerSpec {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spec
}

// loadSpecs reads every config, with the dev server's overrides.
func (s *Server) loadSpecs() (runtime.WorkerSpec, []runtime.WorkerSpec, error) {
	var specs []runtime.WorkerSpec
	for _, c := range s.opts.Configs {
		spec, err := workerspec.Load(c, s.opts.Env)
		if err != nil {
			return runtime.WorkerSpec{}, nil, err
		}
		spec.AllowNet = s.opts.AllowNet
		spec.RealTime = true // workflow sleeps and timeouts take their time, objects hibernate
		spec.HibernateAfter = s.opts.HibernateAfter
		if s.opts.Timeout > 0 {
			spec.Limits.WallClock = s.opts.Timeout
		}
		if len(s.opts.Vars) > 0 {
			vars := map[string]any{}
			for k, v := range spec.Vars {
				vars[k] = v
			}
			for k, v := range s.opts.Vars {
				vars[k] = v
				delete(spec.Secrets, k)
			}
			spec.Vars = vars
		}
		specs = append(specs, spec)
	}
	return specs[0], specs[1:], nil
}

// setSpecs makes the loaded specs current: their state roots and the
// registry service bindings find them in. Caller holds mu (or owns s).
func (s *Server) setSpecs(spec runtime.WorkerSpec, others []runtime.WorkerSpec) {
	s.spec, s.others = spec, others
	for _, sp := range append([]runtime.WorkerSpec{spec}, others...) {
		if s.opts.PersistTo != "" {
			bindings.PersistTo(sp.ProjectDir, localdata.PersistRoot(s.opts.PersistTo, sp))
		}
		actors.RegisterWorker(sp)
	}
	s.paths = runtime.HostPaths(spec)
}

// Start starts the served Worker's isolate (taking its snapshot when
// needed), so the first request finds it ready. A Worker whose top level
// raises is reported and answers 500 until a change fixes it.
func (s *Server) Start(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.startLocked(ctx)
	s.startSideLocked(ctx)
}

// startSideLocked starts an isolate for each other -c Worker, so service
// bindings reach a live interpreter (its globals, its WebSockets). One that
// cannot start is reported; calls to it then run in fresh interpreters.
func (s *Server) startSideLocked(ctx context.Context) {
	for _, iso := range s.side {
		if iso != nil {
			go iso.Close()
		}
	}
	s.side = make([]*runtime.Isolate, len(s.others))
	for i, spec := range s.others {
		name := spec.Name
		iso, err := s.eng.StartIsolate(ctx, spec, runtime.IsolateOptions{OnOutput: func(stream, line string) {
			s.output(stream, "["+name+"] "+line)
		}})
		if err != nil {
			s.logf("[pyworkers] %s: %s", name, s.describeStartError(err))
			continue
		}
		s.side[i] = iso
	}
	s.publish()
}

// isolateOf is the running isolate of a Worker of this server (the
// engine's SetIsolates lookup); nil when it has none running. It never
// starts one: it is called from inside a running isolate.
func (s *Server) isolateOf(spec runtime.WorkerSpec) *runtime.Isolate {
	// Not s.mu: that is held while isolates start, which can wait for the
	// caller's isolate to let go of the run lock.
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	for i, iso := range s.live {
		o := s.liveSpecs[i]
		if iso != nil && iso.Err() == nil && spec.ProjectDir == o.ProjectDir && spec.Env == o.Env && spec.Main == o.Main {
			return iso
		}
	}
	return nil
}

// publish records the running isolates for isolateOf. Caller holds mu.
func (s *Server) publish() {
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	s.live = append([]*runtime.Isolate{s.iso}, s.side...)
	s.liveSpecs = append([]runtime.WorkerSpec{s.spec}, s.others...)
	if len(s.side) < len(s.others) {
		s.liveSpecs = s.liveSpecs[:1+len(s.side)]
	}
}

func (s *Server) startLocked(ctx context.Context) *runtime.Isolate {
	if s.iso != nil && s.iso.Err() == nil {
		return s.iso
	}
	if s.startErr != nil {
		return nil
	}
	iso, err := s.eng.StartIsolate(ctx, s.spec, runtime.IsolateOptions{OnOutput: s.output})
	if err != nil && ctx.Err() != nil {
		return nil // the request that started it went away: the next one tries again
	}
	if err != nil {
		s.startErr = err
		s.publish()
		s.logf("%s", s.describeStartError(err))
		return nil
	}
	for _, w := range iso.Warnings() {
		s.logf("warning: %s", w)
	}
	s.iso = iso
	s.publish()
	return iso
}

func (s *Server) describeStartError(err error) string {
	var re *runtime.RunError
	if errors.As(err, &re) && re.Traceback != "" {
		return fmt.Sprintf("[pyworkers] the Worker failed to start: %s\n%s", re.Message, s.paths.Replace(re.Traceback))
	}
	return fmt.Sprintf("[pyworkers] the Worker failed to start: %v", err)
}

// isolate returns the running isolate, starting one when there is none
// (first request, after a reload, after a limit stopped the last one).
func (s *Server) isolate(ctx context.Context) (*runtime.Isolate, runtime.WorkerSpec, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	iso := s.startLocked(ctx)
	if iso == nil {
		return nil, s.spec, s.startErr
	}
	return iso, s.spec, nil
}

// Reload reads the configs again and starts a new isolate for the Worker's
// current files; the old isolate ends once its requests are answered. A
// broken config keeps the running version.
func (s *Server) Reload(ctx context.Context, why string) {
	start := time.Now()
	spec, others, err := s.loadSpecs()
	if err != nil {
		s.logf("[pyworkers] %s changed, but the config cannot be read (still serving the previous version): %v", why, err)
		return
	}
	s.mu.Lock()
	old := s.iso
	s.iso, s.startErr = nil, nil
	s.setSpecs(spec, others)
	iso := s.startLocked(ctx)
	s.startSideLocked(ctx)
	s.mu.Unlock()
	if old != nil {
		go old.Close()
	}
	if iso != nil {
		s.logf("[pyworkers] Reloaded (%s changed, %d ms)", why, time.Since(start).Milliseconds())
	}
}

// Close stops the isolate (after its requests) and flushes local state.
func (s *Server) Close() {
	s.mu.Lock()
	iso := s.iso
	s.iso = nil
	s.mu.Unlock()
	s.mu.Lock()
	for c := range s.sockets {
		c.Close(websocket.StatusGoingAway, "the dev server is stopping")
	}
	side := s.side
	s.side = nil
	s.publish()
	s.mu.Unlock()
	s.eng.SetIsolates(nil)
	if iso != nil {
		iso.Close()
	}
	for _, o := range side {
		if o != nil {
			o.Close()
		}
	}
	actors.CloseState()
}

// output prints a line of the Worker's output, naming the user's files.
func (s *Server) output(stream, line string) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintln(s.opts.Log, s.paths.Replace(line))
}

func (s *Server) logf(format string, a ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.opts.Log, format+"\n", a...)
}

// ServeHTTP answers one request through the Worker.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	status := s.serve(w, r)
	s.logf("[pyworkers] %s %s %d %s (%d ms)", r.Method, r.URL.RequestURI(), status, http.StatusText(status), time.Since(start).Milliseconds())
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) int {
	if r.URL.Path == "/__scheduled" {
		return s.serveScheduled(w, r)
	}
	if r.ContentLength > MaxBody {
		return plain(w, http.StatusRequestEntityTooLarge, "413 Payload Too Large: the request body is larger than 100 MB\n")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	switch {
	case err != nil:
		return plain(w, http.StatusBadRequest, "400 Bad Request: reading the request body: "+err.Error()+"\n")
	case len(body) > MaxBody:
		return plain(w, http.StatusRequestEntityTooLarge, "413 Payload Too Large: the request body is larger than 100 MB\n")
	}
	req := runtime.HTTPRequest{Method: r.Method, URL: requestURL(r), Headers: requestHeaders(r), Body: body}
	if len(body) == 0 && r.ContentLength <= 0 && r.Header.Get("Transfer-Encoding") == "" {
		req.Body = nil
	}
	spec := s.Spec()
	res, served, aerr := assets.ServeFirst(spec, req)
	if aerr != nil {
		s.warnOnce("assets: " + aerr.Error() + " (nothing is served from it)")
	}
	if served {
		return s.write(w, r, res)
	}
	for attempt := 0; ; attempt++ {
		iso, _, err := s.isolate(r.Context())
		if iso == nil {
			if err == nil {
				err = errors.New("the Worker is not running")
			}
			return plain(w, http.StatusInternalServerError, "Error: "+s.paths.Replace(s.describeStartError(err))+"\n")
		}
		res, err = iso.Fetch(r.Context(), req)
		if errors.Is(err, runtime.ErrIsolateStopped) && attempt == 0 {
			continue // replaced by a reload meanwhile: the new one answers
		}
		if err != nil {
			if r.Context().Err() != nil {
				s.logf("[pyworkers] %s %s: the client went away before the response", r.Method, r.URL.RequestURI())
				return 499
			}
			return plain(w, http.StatusInternalServerError, "Error: "+err.Error()+"\n")
		}
		break
	}
	for _, warn := range res.Warnings {
		s.logf("warning: %s", warn)
	}
	if res.Error != nil {
		s.reportError(res.Error)
	}
	if res.Status == 0 {
		msg := "the Worker gave no response"
		if res.Error != nil {
			msg = res.Error.Error()
		}
		return plain(w, http.StatusInternalServerError, "Error: "+msg+"\n")
	}
	if res.Status == http.StatusInternalServerError && res.Error != nil {
		res.Body = []byte(s.paths.Replace(string(res.Body)))
	}
	if res.WebSocket != nil {
		return s.upgrade(w, r, res.WebSocket)
	}
	return s.write(w, r, res)
}

// write sends a response.
func (s *Server) write(w http.ResponseWriter, r *http.Request, res *runtime.RunResult) int {
	h := w.Header()
	for _, kv := range res.Headers {
		if strings.EqualFold(kv.Name, "content-length") && r.Method != http.MethodHead {
			continue // Go's server sets it from the body
		}
		h.Add(kv.Name, kv.Value)
	}
	w.WriteHeader(res.Status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(res.Body) // a client that went away is not the Worker's error
	}
	return res.Status
}

// warnOnce logs a warning the first time it is seen.
func (s *Server) warnOnce(msg string) {
	s.mu.Lock()
	if s.warned == nil {
		s.warned = map[string]bool{}
	}
	seen := s.warned[msg]
	s.warned[msg] = true
	s.mu.Unlock()
	if !seen {
		s.logf("[pyworkers] warning: %s", msg)
	}
}

func (s *Server) reportError(e *runtime.RunError) {
	if e.Traceback != "" {
		s.logf("%s", strings.TrimRight(s.paths.Replace(e.Traceback), "\n"))
		return
	}
	s.logf("[pyworkers] error: %s", e.Error())
}

// serveScheduled is wrangler's --test-scheduled endpoint:
// GET /__scheduled?cron=*+*+*+*+* runs the scheduled handler.
func (s *Server) serveScheduled(w http.ResponseWriter, r *http.Request) int {
	cron := r.URL.Query().Get("cron")
	spec := s.Spec()
	ctx, cancel := context.WithTimeout(r.Context(), s.runLimit(spec))
	defer cancel()
	// In the isolate, as on Cloudflare: the handler shares the module's
	// globals and Durable Objects with the requests.
	var res *runtime.RunResult
	var err error
	if iso, _, _ := s.isolate(ctx); iso != nil {
		res, err = iso.RunScheduled(ctx, spec, cron, time.Now())
	} else {
		res, err = s.eng.RunScheduled(ctx, spec, cron, time.Now())
	}
	if err != nil {
		return plain(w, http.StatusInternalServerError, "Error: "+err.Error()+"\n")
	}
	for _, l := range res.Logs {
		s.output(l.Stream, l.Text)
	}
	if res.Error != nil {
		s.reportError(res.Error)
		return plain(w, http.StatusInternalServerError, "Error: "+res.Error.Error()+"\n")
	}
	return plain(w, http.StatusOK, "Ran scheduled event")
}

func plain(w http.ResponseWriter, status int, text string) int {
	w.Header().Set("content-type", "text/plain;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, text)
	return status
}

// requestURL is the URL the Worker sees: the Host the client used.
func requestURL(r *http.Request) string {
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return "http://" + host + r.URL.RequestURI()
}

// requestHeaders are the client's headers, lower-cased and sorted, with
// host and cf-connecting-ip as Cloudflare's edge adds them.
func requestHeaders(r *http.Request) [][2]string {
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	out := [][2]string{{"host", r.Host}}
	for _, k := range names {
		for _, v := range r.Header[k] {
			out = append(out, [2]string{strings.ToLower(k), v})
		}
	}
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil && r.Header.Get("cf-connecting-ip") == "" {
		out = append(out, [2]string{"cf-connecting-ip", ip})
	}
	return out
}

// upgrade completes a WebSocket the Worker accepted (its 101 response) with
// the client, and pumps messages both ways until either side closes.
func (s *Server) upgrade(w http.ResponseWriter, r *http.Request, ws *runtime.WebSocketConn) int {
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true}) // a local dev server: any Origin
	if err != nil {
		ws.Send(runtime.WSMessage{Close: true, Code: 1006, Reason: "the upgrade failed"})
		s.logf("[pyworkers] %s %s: the WebSocket upgrade failed: %v", r.Method, r.URL.RequestURI(), err)
		return http.StatusBadRequest
	}
	conn.SetReadLimit(1 << 20) // Cloudflare's message limit
	s.mu.Lock()
	if s.sockets == nil {
		s.sockets = map[*websocket.Conn]bool{}
	}
	s.sockets[conn] = true
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { // the Worker → the client
		defer cancel()
		for {
			select {
			case m, ok := <-ws.Outgoing():
				if !ok {
					return
				}
				if m.Close {
					conn.Close(websocket.StatusCode(m.Code), m.Reason)
					return
				}
				typ, data := websocket.MessageText, []byte(m.Text)
				if m.IsBinary {
					typ, data = websocket.MessageBinary, m.Binary
				}
				if conn.Write(ctx, typ, data) != nil {
					return
				}
			case <-ws.Done():
				conn.Close(websocket.StatusInternalError, "the Worker stopped")
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { // the client → the Worker
		defer func() {
			s.mu.Lock()
			delete(s.sockets, conn)
			s.mu.Unlock()
			cancel()
		}()
		for {
			typ, data, err := conn.Read(ctx)
			if err != nil {
				code := websocket.CloseStatus(err)
				if code == -1 {
					code = websocket.StatusAbnormalClosure
				}
				ws.Send(runtime.WSMessage{Close: true, Code: int(code), Reason: ""})
				return
			}
			if typ == websocket.MessageBinary {
				ws.Send(runtime.WSMessage{Binary: data, IsBinary: true})
			} else {
				ws.Send(runtime.WSMessage{Text: string(data)})
			}
		}
	}()
	return http.StatusSwitchingProtocols
}
