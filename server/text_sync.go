package server

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"unicode/utf8"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

func init() {
	registerNotification("textDocument/didOpen", didOpen)
	registerNotification("textDocument/didChange", didChange)
	registerNotification("textDocument/didClose", didClose)
	registerNotification("textDocument/didSave", didSave)
}

// contentChange is TextDocumentContentChangeEvent with an optional range:
// the library's type cannot tell "no range" (replace everything) from an
// empty range at 0:0.
type contentChange struct {
	Range *protocol.Range `json:"range,omitempty"`
	Text  string          `json:"text"`
}

type didChangeParams struct {
	TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
	ContentChanges []contentChange                          `json:"contentChanges"`
}

func newDocument(ctx context.Context, u protocol.DocumentURI, version int32, languageID, text string) (*Document, error) {
	path := uriToPath(u)
	d := &Document{URI: u, Path: path, Version: version, LanguageID: languageID, Kind: kindOf(path, languageID), text: text}
	if d.Kind == KindPython {
		f, err := pysyntax.Parse(ctx, text)
		if err != nil {
			return nil, err
		}
		d.Py = f
		d.lines = f.Lines()
	} else {
		d.lines = textpos.New(text)
	}
	return d, nil
}

func didOpen(ctx context.Context, s *Server, params json.RawMessage) error {
	var p protocol.DidOpenTextDocumentParams
	if err := decode(params, &p); err != nil {
		return err
	}
	td := p.TextDocument
	if !utf8.ValidString(td.Text) {
		s.log.Warn("document is not valid UTF-8; positions count each invalid byte as one character", "uri", td.URI)
	}
	doc, err := newDocument(ctx, td.URI, td.Version, string(td.LanguageID), td.Text)
	if err != nil {
		return err
	}
	if doc.Py != nil && doc.Py.TooLarge {
		s.showMessage(protocol.MessageTypeWarning, fmt.Sprintf("pyworkers: %s is larger than %d MiB; Workers features are off for it.", doc.Path, pysyntax.MaxParseBytes>>20))
	}
	snap, err := s.update(isProjectFile(doc.Path), func(next *Snapshot) error {
		next.docs[doc.URI] = doc
		if doc.Path != "" {
			next.byPath[doc.Path] = doc
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.afterChange(snap, doc)
	return nil
}

func didChange(ctx context.Context, s *Server, params json.RawMessage) error {
	var p didChangeParams
	if err := decode(params, &p); err != nil {
		return err
	}
	var changed *Document
	projectFile := false
	if old := s.current().Document(p.TextDocument.URI); old != nil {
		projectFile = isProjectFile(old.Path)
	}
	snap, err := s.update(projectFile, func(next *Snapshot) error {
		old := next.docs[p.TextDocument.URI]
		if old == nil {
			return fmt.Errorf("didChange for a document that is not open: %s", p.TextDocument.URI)
		}
		doc, err := applyChanges(ctx, old, p.TextDocument.Version, p.ContentChanges)
		if err != nil {
			return err
		}
		next.docs[doc.URI] = doc
		if doc.Path != "" {
			next.byPath[doc.Path] = doc
		}
		changed = doc
		return nil
	})
	if err != nil {
		// The document keeps its last good version; the client's view may
		// now differ, so say so rather than guess.
		s.showMessage(protocol.MessageTypeError, "pyworkers: an edit could not be applied ("+err.Error()+"); reopen the file to resync.")
		return err
	}
	s.afterChange(snap, changed)
	return nil
}

// applyChanges applies content changes in order. Python documents get
// tree.Edit plus one incremental reparse; others only new text.
func applyChanges(ctx context.Context, old *Document, version int32, changes []contentChange) (*Document, error) {
	doc := *old
	doc.Version = version
	text, lines := old.text, old.lines
	var edits []pysyntax.Edit
	for i, c := range changes {
		if c.Range == nil {
			edits = append(edits, pysyntax.Edit{Start: 0, End: len(text), NewText: c.Text})
			text = c.Text
			lines = textpos.New(text)
			continue
		}
		start, err := offsetOf(lines, c.Range.Start)
		if err != nil {
			return nil, fmt.Errorf("change start: %w", err)
		}
		end, err := offsetOf(lines, c.Range.End)
		if err != nil {
			return nil, fmt.Errorf("change end: %w", err)
		}
		if end < start {
			return nil, fmt.Errorf("change range ends before it starts")
		}
		edits = append(edits, pysyntax.Edit{Start: start, End: end, NewText: c.Text})
		if old.Py != nil && i == len(changes)-1 {
			break // pysyntax builds the final text and its line index
		}
		text = text[:start] + c.Text + text[end:]
		lines = textpos.New(text) // the next change's coordinates
	}
	if old.Py != nil {
		f, err := old.Py.Apply(ctx, edits)
		if err != nil {
			return nil, err
		}
		doc.Py = f
		doc.text = f.Text()
		doc.lines = f.Lines()
	} else {
		doc.text = text
		doc.lines = lines
	}
	return &doc, nil
}

func didClose(ctx context.Context, s *Server, params json.RawMessage) error {
	var p protocol.DidCloseTextDocumentParams
	if err := decode(params, &p); err != nil {
		return err
	}
	var closed *Document
	projectFile := false
	if old := s.current().Document(p.TextDocument.URI); old != nil {
		projectFile = isProjectFile(old.Path)
	}
	_, err := s.update(projectFile, func(next *Snapshot) error {
		closed = next.docs[p.TextDocument.URI]
		delete(next.docs, p.TextDocument.URI)
		if closed != nil && closed.Path != "" {
			delete(next.byPath, closed.Path)
		}
		return nil
	})
	if err != nil || closed == nil {
		return err
	}
	if projectFile {
		s.diagnostics.scheduleAll() // the disk version is authoritative again
	}
	// Clear what we published for it.
	s.notify("textDocument/publishDiagnostics", &protocol.PublishDiagnosticsParams{URI: closed.URI, Diagnostics: []protocol.Diagnostic{}})
	return nil
}

func didSave(ctx context.Context, s *Server, params json.RawMessage) error {
	var p protocol.DidSaveTextDocumentParams
	if err := decode(params, &p); err != nil {
		return err
	}
	path := uriToPath(p.TextDocument.URI)
	if isProjectFile(path) && !s.watching.Load() {
		// Without file watching, a save is our cue to re-read the project.
		s.projectFilesChanged()
	}
	return nil
}

// afterChange schedules the work an edit triggers.
func (s *Server) afterChange(snap *Snapshot, doc *Document) {
	if isProjectFile(doc.Path) {
		s.diagnostics.scheduleAll()
		s.refreshClientViews()
		return
	}
	s.diagnostics.schedule(doc.URI)
	// Config diagnostics can depend on Python code (a class_name's class);
	// recheck the Worker's open config documents too.
	if doc.Kind == KindPython {
		if w := snap.WorkerFor(doc.Path); w != nil {
			for _, other := range snap.Documents() {
				if other.Kind != KindPython && filepath.Dir(other.Path) == w.Dir {
					s.diagnostics.schedule(other.URI)
				}
			}
		}
	}
}
