package server

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"go.lsp.dev/protocol"
)

func init() {
	registerNotification("workspace/didChangeWatchedFiles", didChangeWatchedFiles)
	registerNotification("workspace/didChangeConfiguration", didChangeConfiguration)
	registerNotification("workspace/didChangeWorkspaceFolders", didChangeWorkspaceFolders)
	registerRequest("workspace/executeCommand", executeCommand, nil)
}

// watchedGlobs are the project files whose changes rebuild the model.
var watchedGlobs = []string{
	"**/wrangler.json", "**/wrangler.jsonc", "**/wrangler.toml", "**/pyproject.toml",
	"**/.dev.vars", "**/.dev.vars.*", "**/.env", "**/.env.*",
	"**/requirements.txt", "**/cf-requirements.txt", "**/python_modules/*",
	"**/*.py",
}

// registerWatchers asks the client to watch project files
// (workspace/didChangeWatchedFiles); clients without dynamic registration
// fall back to re-reading on save.
func (s *Server) registerWatchers() {
	if !s.client.watchedFilesDynamic {
		return
	}
	var watchers []map[string]any
	for _, g := range watchedGlobs {
		watchers = append(watchers, map[string]any{"globPattern": g})
	}
	params := map[string]any{"registrations": []map[string]any{{
		"id":              "pyworkers-watch",
		"method":          "workspace/didChangeWatchedFiles",
		"registerOptions": map[string]any{"watchers": watchers},
	}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.call(ctx, "client/registerCapability", params, nil); err != nil {
		s.log.Warn("file watching was not registered; project files are re-read on save", "error", err)
		return
	}
	s.watching.Store(true)
}

func didChangeWatchedFiles(ctx context.Context, s *Server, params json.RawMessage) error {
	var p protocol.DidChangeWatchedFilesParams
	if err := decode(params, &p); err != nil {
		return err
	}
	project := false
	for _, c := range p.Changes {
		if path := uriToPath(c.URI); isProjectFile(path) {
			project = true
		}
	}
	if project {
		s.projectFilesChanged()
	} else {
		// A Python file was created, changed or deleted on disk: the
		// Workers' file lists and cross-file facts (classes for class_name,
		// references) may change.
		s.update(true, func(*Snapshot) error { return nil })
		s.diagnostics.scheduleAll()
	}
	return nil
}

// projectFilesChanged rebuilds the project model and refreshes everything
// derived from it for the open files.
func (s *Server) projectFilesChanged() {
	s.update(true, func(*Snapshot) error { return nil })
	s.diagnostics.scheduleAll()
	s.refreshClientViews()
}

// refreshClientViews asks the client to re-request code lenses, whose
// content depends on the project model.
func (s *Server) refreshClientViews() {
	if !s.client.codeLensRefresh {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.call(ctx, "workspace/codeLens/refresh", nil, nil)
	}()
}

// settingsFromOptions reads settings from initializationOptions, which
// editors send either flat or under a "pyworkers" key.
func settingsFromOptions(raw json.RawMessage) *Settings {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var wrapped struct {
		Pyworkers *Settings `json:"pyworkers"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && wrapped.Pyworkers != nil {
		return wrapped.Pyworkers
	}
	var flat Settings
	if json.Unmarshal(raw, &flat) != nil {
		return nil
	}
	return &flat
}

// fetchSettings pulls the "pyworkers" section with workspace/configuration.
func (s *Server) fetchSettings() {
	if !s.client.configurationRequests {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var result []json.RawMessage
	params := map[string]any{"items": []map[string]any{{"section": "pyworkers"}}}
	if err := s.call(ctx, "workspace/configuration", params, &result); err != nil {
		s.log.Debug("workspace/configuration failed", "error", err)
		return
	}
	if len(result) == 0 || string(result[0]) == "null" {
		return
	}
	var st Settings
	if err := json.Unmarshal(result[0], &st); err != nil {
		s.log.Warn("ignoring malformed pyworkers settings", "error", err)
		return
	}
	s.applySettings(st)
}

func (s *Server) applySettings(st Settings) {
	prev := s.current().Settings()
	s.update(true, func(next *Snapshot) error {
		next.settings = st
		return nil
	})
	s.runtime.setPackagesURL(st.PackagesURL)
	if prev.Environment != st.Environment || prev.ConfigPath != st.ConfigPath {
		s.log.Info("settings changed", "environment", st.Environment, "configPath", st.ConfigPath)
	}
	s.diagnostics.scheduleAll()
	s.refreshClientViews()
}

func didChangeConfiguration(ctx context.Context, s *Server, params json.RawMessage) error {
	var p struct {
		Settings json.RawMessage `json:"settings"`
	}
	if err := decode(params, &p); err != nil {
		return err
	}
	if st := settingsFromOptions(p.Settings); st != nil {
		s.applySettings(*st)
		return nil
	}
	// Clients that send no settings expect a pull.
	go s.fetchSettings()
	return nil
}

func didChangeWorkspaceFolders(ctx context.Context, s *Server, params json.RawMessage) error {
	var p struct {
		Event struct {
			Added   []protocol.WorkspaceFolder `json:"added"`
			Removed []protocol.WorkspaceFolder `json:"removed"`
		} `json:"event"`
	}
	if err := decode(params, &p); err != nil {
		return err
	}
	s.update(true, func(next *Snapshot) error {
		removed := map[string]bool{}
		for _, f := range p.Event.Removed {
			removed[uriToPath(protocol.DocumentURI(f.URI))] = true
		}
		var folders []string
		for _, f := range next.folders {
			if !removed[f] {
				folders = append(folders, f)
			}
		}
		for _, f := range p.Event.Added {
			if path := uriToPath(protocol.DocumentURI(f.URI)); path != "" {
				folders = append(folders, path)
			}
		}
		next.folders = folders
		return nil
	})
	s.diagnostics.scheduleAll()
	return nil
}

func executeCommand(ctx context.Context, s *Server, snap *Snapshot, params json.RawMessage) (any, error) {
	var p struct {
		Command   string          `json:"command"`
		Arguments json.RawMessage `json:"arguments"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	h, ok := commandHandlers[p.Command]
	if !ok {
		return nil, invalidParams(errUnknownCommand(p.Command))
	}
	return h(ctx, s, snap, commandArgs(p.Arguments))
}

// commandArgs returns a command's arguments as a JSON array. LSP says
// "arguments" is an array, and the commands take [arg]; some clients
// (Helix among them) send a command's single argument bare, so an object,
// string or number is taken as the one-element array holding it.
func commandArgs(raw json.RawMessage) json.RawMessage {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] == '[' || bytes.Equal(trimmed, []byte("null")) {
		return raw
	}
	return json.RawMessage("[" + string(trimmed) + "]")
}

type errUnknownCommand string

func (e errUnknownCommand) Error() string { return "unknown command " + string(e) }
