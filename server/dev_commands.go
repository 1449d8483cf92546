package server

// The dev server and D1 migrations from the editor: thin wire adapters over
// runtime/devserver and runtime/localdata (the Workers logic lives there).

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/devserver"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/localdata"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

const (
	CommandStartDevServer    = "pyworkers.startDevServer"
	CommandStopDevServer     = "pyworkers.stopDevServer"
	CommandApplyD1Migrations = "pyworkers.applyD1Migrations"
)

func init() {
	registerCommand(CommandStartDevServer, startDevServer)
	registerCommand(CommandStopDevServer, stopDevServer)
	registerCommand(CommandApplyD1Migrations, applyD1Migrations)
}

// DevServerStatus is the params of the pyworkers/devServerStatus
// notification (the VS Code status bar shows it) and the commands' result.
type DevServerStatus struct {
	Running bool   `json:"running"`
	URL     string `json:"url,omitempty"`
	Worker  string `json:"worker,omitempty"` // the Worker's folder
}

// devState is the one dev server the language server runs.
type devState struct {
	mu      sync.Mutex
	running *devserver.Running
	status  DevServerStatus
}

type devArgs struct {
	URI  protocol.DocumentURI `json:"uri"`
	Port int                  `json:"port"` // 0 = 8787
	IP   string               `json:"ip"`   // "" = 127.0.0.1
}

// startDevServer serves the Worker of args.uri (replacing a running dev
// server); the Worker's output goes to the server's log.
func startDevServer(ctx context.Context, s *Server, snap *Snapshot, raw json.RawMessage) (any, error) {
	var list []devArgs
	if err := json.Unmarshal(raw, &list); err != nil || len(list) != 1 || list[0].URI == "" {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "pyworkers.startDevServer takes {uri, port?, ip?}")
	}
	a := list[0]
	w := snap.WorkerFor(uriToPath(a.URI))
	if w == nil || w.ConfigPath == "" {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "no wrangler config found for "+string(a.URI))
	}
	eng, err := s.runtime.engineFor(ctx)
	if err != nil {
		return nil, err
	}
	port, ip := a.Port, a.IP
	if port == 0 {
		port = 8787
	}
	if ip == "" {
		ip = "127.0.0.1"
	}
	d := &s.runtime.dev
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running != nil {
		d.running.Stop()
		d.running = nil
	}
	out := &lineWriter{emit: func(line string) {
		s.notify("window/logMessage", &protocol.LogMessageParams{Type: protocol.MessageTypeLog, Message: "dev: " + line})
	}}
	r, err := devserver.Start(ctx, devserver.Options{Configs: []string{w.ConfigPath}, Env: snap.Settings().Environment,
		AllowNet: snap.Settings().AllowNet, Log: out, Engine: eng}, net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, "starting the dev server: "+err.Error())
	}
	d.running = r
	d.status = DevServerStatus{Running: true, URL: r.URL(), Worker: w.Dir}
	s.notify("pyworkers/devServerStatus", d.status)
	s.showMessage(protocol.MessageTypeInfo, fmt.Sprintf("dev server for %s on %s", filepath.Base(w.Dir), r.URL()))
	return d.status, nil
}

func stopDevServer(ctx context.Context, s *Server, snap *Snapshot, raw json.RawMessage) (any, error) {
	s.runtime.stopDev()
	return DevServerStatus{}, nil
}

// stopDev stops the dev server, if one runs, and says so.
func (r *runtimeState) stopDev() {
	d := &r.dev
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running == nil {
		return
	}
	d.running.Stop()
	d.running = nil
	d.status = DevServerStatus{}
	r.s.notify("pyworkers/devServerStatus", d.status)
}

type migrationArgs struct {
	URI      protocol.DocumentURI `json:"uri"`
	Database string               `json:"database"` // a D1 binding or database_name; "" = the only one
}

// applyD1Migrations applies the unapplied migrations of a D1 database of
// the Worker of args.uri, as `pyworkers-lsp d1 migrations apply DB`.
func applyD1Migrations(ctx context.Context, s *Server, snap *Snapshot, raw json.RawMessage) (any, error) {
	var list []migrationArgs
	if err := json.Unmarshal(raw, &list); err != nil || len(list) != 1 || list[0].URI == "" {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "pyworkers.applyD1Migrations takes {uri, database?}")
	}
	a := list[0]
	w := snap.WorkerFor(uriToPath(a.URI))
	if w == nil || w.ConfigPath == "" {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "no wrangler config found for "+string(a.URI))
	}
	args := []string{"migrations", "apply", a.Database, "-c", w.ConfigPath}
	if env := snap.Settings().Environment; env != "" {
		args = append(args, "--env", env)
	}
	var stdout, stderr strings.Builder
	code := localdata.Main("d1", args, &stdout, &stderr)
	msg := strings.TrimSpace(stdout.String() + "\n" + stderr.String())
	if code != 0 {
		s.showMessage(protocol.MessageTypeError, firstLines(msg))
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, msg)
	}
	s.showMessage(protocol.MessageTypeInfo, firstLines(msg))
	return map[string]any{"output": msg}, nil
}

func firstLines(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 4 {
		lines = append(lines[:4], "…")
	}
	return strings.Join(lines, " ")
}

// lineWriter calls emit for each complete line written.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	emit func(string)
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := strings.IndexByte(string(l.buf), '\n')
		if i < 0 {
			break
		}
		l.emit(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
	return len(p), nil
}

// migrationLenses: "▶ Apply D1 migrations (DB)" on a .sql file in the
// migrations folder of one of the Worker's D1 databases (migrations_dir,
// default migrations/).
func migrationLenses(snap *Snapshot, doc *Document) []protocol.CodeLens {
	lenses := []protocol.CodeLens{}
	w := snap.WorkerFor(doc.Path)
	if w == nil {
		return lenses
	}
	spec, err := workerspec.FromEnvironment(w, snap.Env(w))
	if err != nil {
		return lenses
	}
	for _, b := range spec.Bindings {
		if b.Kind != "d1_databases" {
			continue
		}
		dir := b.Field("migrations_dir")
		if dir == "" {
			dir = "migrations"
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(w.Dir, dir)
		}
		if filepath.Clean(filepath.Dir(doc.Path)) != filepath.Clean(dir) {
			continue
		}
		lenses = append(lenses, protocol.CodeLens{
			Range: protocol.Range{},
			Command: &protocol.Command{Title: "▶ Apply D1 migrations (" + b.Name + ")", Command: CommandApplyD1Migrations,
				Arguments: []any{migrationArgs{URI: doc.URI, Database: b.Name}}},
		})
	}
	return lenses
}
