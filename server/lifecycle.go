package server

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"go.lsp.dev/protocol"
)

func init() {
	registerNotification("initialized", initialized)
}

// initializeParams holds the parts of InitializeParams we read; decoding
// into our own type keeps unknown or newer client fields harmless.
type initializeParams struct {
	RootURI               protocol.DocumentURI `json:"rootUri"`
	RootPath              string               `json:"rootPath"`
	InitializationOptions json.RawMessage      `json:"initializationOptions"`
	WorkspaceFolders      []struct {
		URI  protocol.DocumentURI `json:"uri"`
		Name string               `json:"name"`
	} `json:"workspaceFolders"`
	ClientInfo *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"clientInfo"`
	Capabilities struct {
		Workspace struct {
			Configuration         bool `json:"configuration"`
			DidChangeWatchedFiles struct {
				DynamicRegistration bool `json:"dynamicRegistration"`
			} `json:"didChangeWatchedFiles"`
			CodeLens struct {
				RefreshSupport bool `json:"refreshSupport"`
			} `json:"codeLens"`
		} `json:"workspace"`
		Window struct {
			WorkDoneProgress bool `json:"workDoneProgress"`
			ShowDocument     struct {
				Support bool `json:"support"`
			} `json:"showDocument"`
		} `json:"window"`
		TextDocument struct {
			PublishDiagnostics struct {
				VersionSupport bool `json:"versionSupport"`
			} `json:"publishDiagnostics"`
		} `json:"textDocument"`
	} `json:"capabilities"`
}

func (s *Server) initialize(ctx context.Context, raw json.RawMessage) (any, error) {
	var p initializeParams
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, invalidParams(err)
		}
	}
	c := p.Capabilities
	s.client = clientInfo{
		watchedFilesDynamic:   c.Workspace.DidChangeWatchedFiles.DynamicRegistration,
		configurationRequests: c.Workspace.Configuration,
		showDocument:          c.Window.ShowDocument.Support,
		workDoneProgress:      c.Window.WorkDoneProgress,
		codeLensRefresh:       c.Workspace.CodeLens.RefreshSupport,
		diagnosticsVersion:    c.TextDocument.PublishDiagnostics.VersionSupport,
	}
	if p.ClientInfo != nil {
		s.client.name = p.ClientInfo.Name
	}
	var folders []string
	for _, f := range p.WorkspaceFolders {
		if path := uriToPath(f.URI); path != "" {
			folders = append(folders, path)
		}
	}
	if len(folders) == 0 {
		if path := uriToPath(p.RootURI); path != "" {
			folders = append(folders, path)
		} else if p.RootPath != "" {
			folders = append(folders, p.RootPath)
		}
	}
	settings := settingsFromOptions(p.InitializationOptions)
	s.update(true, func(next *Snapshot) error {
		next.folders = folders
		if settings != nil {
			next.settings = *settings
		}
		return nil
	})
	s.state.Store(stateInitialized)
	return &protocol.InitializeResult{
		Capabilities: s.capabilities(),
		ServerInfo:   &protocol.ServerInfo{Name: "pyworkers-lsp", Version: s.opts.Version},
	}, nil
}

// internalCommandPrefix starts the names of commands that are not
// advertised.
const internalCommandPrefix = "pyworkers.internal."

// capabilities advertises exactly what registered handlers implement.
func (s *Server) capabilities() protocol.ServerCapabilities {
	caps := protocol.ServerCapabilities{
		TextDocumentSync: &protocol.TextDocumentSyncOptions{
			OpenClose: true,
			Change:    protocol.TextDocumentSyncKindIncremental,
			Save:      &protocol.SaveOptions{IncludeText: false},
		},
		Workspace: &protocol.ServerCapabilitiesWorkspace{
			WorkspaceFolders: &protocol.ServerCapabilitiesWorkspaceFolders{Supported: true, ChangeNotifications: true},
		},
	}
	for _, hook := range capabilityHooks {
		hook(&caps)
	}
	// Internal commands (tests, bug reports) stay callable but are not
	// advertised: a client lists advertised commands to its user.
	var names []string
	for _, name := range commandNames {
		if !strings.HasPrefix(name, internalCommandPrefix) {
			names = append(names, name)
		}
	}
	if len(names) > 0 {
		sort.Strings(names)
		caps.ExecuteCommandProvider = &protocol.ExecuteCommandOptions{Commands: names}
	}
	return caps
}

func initialized(ctx context.Context, s *Server, _ json.RawMessage) error {
	// Client requests wait for answers read by this goroutine: send them
	// from another one.
	go func() {
		s.registerWatchers()
		s.fetchSettings()
		s.runtime.warmInBackground()
	}()
	return nil
}
