package server

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"unicode/utf8"

	"go.lsp.dev/protocol"
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

func newDocument(u protocol.DocumentURI, version int32, languageID, text string) *Document {
	path := uriToPath(u)
	d := &Document{URI: u, Path: path, Version: version, LanguageID: languageID, Kind: kindOf(path, languageID), text: text}
	if d.Kind == KindPython {
		d.py = newLazyPy(text, nil) // parsed on first use
	}
	d.lines = newLineIndex(text, d.py)
	return d
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
	doc := newDocument(td.URI, td.Version, string(td.LanguageID), td.Text)
	if doc.Kind == KindPython && doc.tooLargeToAnalyse() {
		s.showMessage(protocol.MessageTypeWarning, fmt.Sprintf("%s is larger than %d MiB; Workers features are off for it.", doc.Path, maxAnalysisBytes>>20))
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
	stale := false
	snap, err := s.update(projectFile, func(next *Snapshot) error {
		old := next.docs[p.TextDocument.URI]
		if old == nil {
			return fmt.Errorf("didChange for a document that is not open: %s", p.TextDocument.URI)
		}
		if p.TextDocument.Version <= old.Version {
			// Out of order or repeated: applying it would corrupt the
			// text (its ranges are in another version's coordinates).
			stale = true
			return fmt.Errorf("didChange version %d is not newer than the document's version %d: ignored", p.TextDocument.Version, old.Version)
		}
		doc, err := applyChanges(old, p.TextDocument.Version, p.ContentChanges)
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
	if stale {
		s.log.Warn("ignoring a stale didChange", "uri", p.TextDocument.URI, "error", err)
		return nil
	}
	if err != nil {
		// The document keeps its last good version; the client's view may
		// now differ, so say so rather than guess.
		s.showMessage(protocol.MessageTypeError, "an edit could not be applied ("+err.Error()+"); reopen the file to resync.")
		return err
	}
	s.afterChange(snap, changed)
	s.prepareTree(snap, changed)
	return nil
}

// prepareTree has a new version's syntax tree built in the background, so
// the request an editor sends right behind a keystroke finds it ready. One
// goroutine builds them, always for the newest keystroke: a version
// superseded before its turn is never parsed. Only documents up to
// prepareMaxBytes are prepared: a larger one's reparse takes long enough
// that building versions about to be superseded would delay the newest.
func (s *Server) prepareTree(snap *Snapshot, doc *Document) {
	if s.treeJobs == nil || doc.py == nil || len(doc.text) > prepareMaxBytes {
		return
	}
	job := treeJob{snap, doc}
	for {
		select {
		case s.treeJobs <- job:
			return
		default:
		}
		select {
		case <-s.treeJobs: // drop the older job
		default:
		}
	}
}

const prepareMaxBytes = 512 << 10

type treeJob struct {
	snap *Snapshot
	doc  *Document
}

func (s *Server) buildTrees(quit <-chan struct{}) {
	for {
		select {
		case <-quit:
			return
		case job := <-s.treeJobs:
			if job.snap.ctx.Err() == nil {
				job.doc.Py()
			}
		}
	}
}

// applyChanges applies content changes in order (see applyTextChanges).
// A Python document's tree is not touched here: the new version builds it
// when first asked, from the newest parsed version (see lazyPy), so edits
// queued faster than they are analysed cost no reparse each.
func applyChanges(old *Document, version int32, changes []contentChange) (*Document, error) {
	text, err := applyTextChanges(old.text, old.Lines(), changes)
	if err != nil {
		return nil, err
	}
	doc := *old
	doc.Version = version
	doc.text = text
	if old.py != nil {
		doc.py = newLazyPy(text, old.py.parsedOrBase())
	}
	doc.lines = newLineIndex(text, doc.py)
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
	if closed.Path != "" {
		snap := s.current()
		snap.facts.forget(closed.Path) // the disk version's facts are built when needed
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
