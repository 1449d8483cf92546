package server

import (
	"context"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

// DocKind says what an open document is to us.
type DocKind int

// The document kinds.
const (
	KindOther DocKind = iota
	KindPython
	KindWranglerConfig
	KindPyproject
	KindDevVars
)

// Document is one version of an open document. It never changes.
type Document struct {
	URI        protocol.DocumentURI
	Path       string // file system path; "" for non-file URIs
	Version    int32
	LanguageID string
	Kind       DocKind
	text       string
	lines      *lineIndex
	py         *lazyPy // set for Python documents
}

// Py returns a Python document's syntax tree and text (parsed on first use
// of this version), or nil for other documents and for Python documents
// too large to analyse (see maxAnalysisBytes).
func (d *Document) Py() *pysyntax.File {
	if d.py == nil || d.tooLargeToAnalyse() {
		return nil
	}
	return d.py.get()
}

// Text returns the document's text.
func (d *Document) Text() string { return d.text }

// Lines returns the document's line index.
func (d *Document) Lines() *textpos.Index { return d.lines.get() }

func kindOf(path, languageID string) DocKind {
	base := filepath.Base(path)
	switch {
	case project.IsConfigName(base):
		return KindWranglerConfig
	case base == "pyproject.toml":
		return KindPyproject
	case base == ".dev.vars" || strings.HasPrefix(base, ".dev.vars.") || base == ".env" || strings.HasPrefix(base, ".env."):
		return KindDevVars
	case strings.HasSuffix(base, ".py") || languageID == "python":
		return KindPython
	}
	return KindOther
}

// isProjectFile says whether a change to path can change a Worker's model.
func isProjectFile(path string) bool {
	k := kindOf(path, "")
	return k == KindWranglerConfig || k == KindPyproject || k == KindDevVars ||
		filepath.Base(path) == "requirements.txt" || filepath.Base(path) == "cf-requirements.txt" ||
		strings.Contains(filepath.ToSlash(path), "/python_modules/")
}

// uriToPath converts a file URI to a path; other schemes give "".
func uriToPath(u protocol.DocumentURI) string {
	p := uriToPathOn(runtime.GOOS, u)
	if p != "" && caseInsensitive(runtime.GOOS) {
		p = onDiskCase(p, os.ReadDir)
	}
	return p
}

// pathToURI converts a path to a file URI.
func pathToURI(p string) protocol.DocumentURI { return pathToURIOn(runtime.GOOS, p) }

// uriToPathOn is uriToPath for goos. On Windows, clients send drive letters
// in either case and with the colon escaped or not (VS Code sends
// file:///c%3A/Users/…, Neovim file:///C:/Users/…), and UNC paths as a
// host: all become one path, C:\Users\… or \\host\share\….
func uriToPathOn(goos string, u protocol.DocumentURI) string {
	parsed, err := url.Parse(string(u))
	if err != nil || parsed.Scheme != "file" {
		return ""
	}
	p := parsed.Path
	if goos != "windows" {
		return p
	}
	if h := parsed.Host; h != "" && h != "localhost" {
		return `\\` + h + strings.ReplaceAll(p, "/", `\`)
	}
	p = strings.TrimPrefix(p, "/")
	if hasDriveLetter(p) {
		p = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.ReplaceAll(p, "/", `\`)
}

// pathToURIOn is pathToURI for goos: file:///C:/Users/… on Windows (the
// form Neovim and Helix send; VS Code accepts it), file:///home/… elsewhere.
func pathToURIOn(goos, p string) protocol.DocumentURI {
	u := url.URL{Scheme: "file", Path: p}
	if goos == "windows" {
		p = strings.ReplaceAll(p, `\`, "/")
		switch {
		case strings.HasPrefix(p, "//"): // UNC: //host/share/…
			host, rest, _ := strings.Cut(p[2:], "/")
			u.Host, u.Path = host, "/"+rest
		case hasDriveLetter(p):
			u.Path = "/" + strings.ToUpper(p[:1]) + p[1:]
		default:
			u.Path = p
		}
	}
	return protocol.DocumentURI(u.String())
}

func hasDriveLetter(p string) bool {
	return len(p) >= 2 && p[1] == ':' && ('a' <= p[0] && p[0] <= 'z' || 'A' <= p[0] && p[0] <= 'Z')
}

// Settings are the user's settings for this server.
type Settings struct {
	// Environment selects the env.<name> block; "" is the top level.
	Environment string `json:"environment"`
	// ConfigPath forces one wrangler config instead of the nearest one.
	ConfigPath string `json:"configPath"`
	// DisabledRules turns rules off by code.
	DisabledRules []string `json:"disabledRules"`
	// Runtime settings for the code lenses.
	RunTimeoutSeconds float64 `json:"runTimeoutSeconds"`
	AllowNet          bool    `json:"allowNet"`
	MemoryLimitMB     int     `json:"memoryLimitMB"`
	// PackagesURL is where Pyodide's own packages come from: a mirror of
	// Pyodide's distribution folder or a local folder ("" = the CDN, or
	// env PYWORKERS_PACKAGES_URL).
	PackagesURL string `json:"packagesURL"`
}

// Snapshot is an immutable view of the session: open documents, settings
// and (computed on demand, once) the project model. Every edit makes a new
// snapshot; handlers read the one current when their request arrived. It
// holds everything it reads (no pointer back to the server), so a change
// of the server's state after it was taken does not change what it sees.
type Snapshot struct {
	id       uint64
	docs     map[protocol.DocumentURI]*Document
	byPath   map[string]*Document
	folders  []string
	settings Settings
	// watchingFiles is whether the client watched project files for us
	// when the snapshot was taken (then a new .py file rebuilds the models,
	// and a Worker's file list can be kept per model).
	watchingFiles bool

	// ctx is cancelled when a newer snapshot replaces this one, so work
	// still running on it stops.
	ctx    context.Context
	cancel context.CancelFunc

	// models memoizes project models; it is shared with the next snapshot
	// when no project file changed (see withChanges).
	models *modelCache
	// files and facts memoize parsing per file version; every snapshot of
	// a session shares them (an entry depends only on its file's content).
	files *fileCache
	facts *factsCache
}

// modelCache holds the Workers loaded through one consistent file view.
type modelCache struct {
	mu       sync.Mutex
	byConfig map[string]*project.Worker
	dirs     map[string]string // folder → config path ("" none)
	all      []*project.Worker // every Worker under the workspace folders
	allDone  bool
	// pyPaths lists each Worker folder's Python files on disk, walked once
	// per model while the client reports file changes to us.
	pyPaths map[string][]string
}

func newModelCache() *modelCache {
	return &modelCache{byConfig: map[string]*project.Worker{}, dirs: map[string]string{}, pyPaths: map[string][]string{}}
}

// firstSnapshot is a session's empty snapshot, with the session's caches.
func firstSnapshot() *Snapshot {
	ctx, cancel := context.WithCancel(context.Background())
	return &Snapshot{docs: map[protocol.DocumentURI]*Document{}, byPath: map[string]*Document{}, ctx: ctx, cancel: cancel,
		models: newModelCache(), files: newFileCache(), facts: newFactsCache()}
}

// next starts the snapshot that follows snap: the same documents, folders,
// settings and caches, new project models, and the server state given.
func (snap *Snapshot) next(watchingFiles bool) *Snapshot {
	ctx, cancel := context.WithCancel(context.Background())
	n := &Snapshot{id: snap.id + 1, docs: make(map[protocol.DocumentURI]*Document, len(snap.docs)), byPath: make(map[string]*Document, len(snap.byPath)),
		folders: snap.folders, settings: snap.settings, watchingFiles: watchingFiles,
		ctx: ctx, cancel: cancel, models: newModelCache(), files: snap.files, facts: snap.facts}
	for k, v := range snap.docs {
		n.docs[k] = v
	}
	for k, v := range snap.byPath {
		n.byPath[k] = v
	}
	return n
}

// update replaces the current snapshot with one derived by edit. When
// projectChanged is false the previous project models are kept.
func (s *Server) update(projectChanged bool, edit func(next *Snapshot) error) (*Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.snap
	next := prev.next(s.watching.Load())
	if err := edit(next); err != nil {
		next.cancel()
		return prev, err
	}
	if !projectChanged {
		next.models = prev.models
	}
	s.snap = next
	prev.cancel()
	return next, nil
}

// Context is cancelled once a newer snapshot exists.
func (snap *Snapshot) Context() context.Context { return snap.ctx }

// Settings returns the settings in force.
func (snap *Snapshot) Settings() Settings { return snap.settings }

// Document returns an open document, or nil.
func (snap *Snapshot) Document(u protocol.DocumentURI) *Document { return snap.docs[u] }

// DocumentAt returns the open document for a path, or nil.
func (snap *Snapshot) DocumentAt(path string) *Document { return snap.byPath[path] }

// Documents returns the open documents, sorted by URI.
func (snap *Snapshot) Documents() []*Document {
	out := make([]*Document, 0, len(snap.docs))
	for _, d := range snap.docs {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URI < out[j].URI })
	return out
}

// FS returns a file view where open documents override the disk.
func (snap *Snapshot) FS() project.FS { return overlayFS{snap} }

type overlayFS struct{ snap *Snapshot }

// ReadFile reads an open buffer, else the disk through project.ReadFile
// (regular files only, never blocking, capped): a FIFO or a link to
// /dev/zero named like a config cannot hang or exhaust the server.
func (o overlayFS) ReadFile(p string) ([]byte, error) {
	return o.ReadFileLimit(p, project.MaxSourceBytes)
}

// ReadFileLimit is ReadFile with the caller's size cap (project.LimitFS).
func (o overlayFS) ReadFileLimit(p string, limit int64) ([]byte, error) {
	if d := o.snap.byPath[p]; d != nil {
		if int64(len(d.text)) > limit {
			return nil, &project.FileError{Path: p, Err: project.ErrTooLarge, Limit: limit}
		}
		return []byte(d.text), nil
	}
	return project.ReadFile(p, limit)
}

// ReadDir lists the folder on disk plus the open documents below it that
// are not saved yet (a buffer in a folder not on disk yet shows as that
// folder), sorted by name as os.ReadDir sorts.
func (o overlayFS) ReadDir(p string) ([]fs.DirEntry, error) {
	entries, err := os.ReadDir(p)
	var unsaved []fs.DirEntry
	prefix := p + string(filepath.Separator)
	for path, d := range o.snap.byPath {
		rest, ok := strings.CutPrefix(path, prefix)
		if !ok {
			continue
		}
		name, below, _ := strings.Cut(rest, string(filepath.Separator))
		if hasEntry(entries, name) || hasEntry(unsaved, name) {
			continue
		}
		e := bufferEntry{name: name, dir: below != ""}
		if !e.dir {
			e.size = int64(len(d.text))
		}
		unsaved = append(unsaved, e)
		sort.Slice(unsaved, func(i, j int) bool { return unsaved[i].Name() < unsaved[j].Name() })
	}
	if err != nil && len(unsaved) == 0 {
		return nil, err
	}
	if len(unsaved) == 0 {
		return entries, nil
	}
	all := append(append([]fs.DirEntry{}, entries...), unsaved...)
	sort.Slice(all, func(i, j int) bool { return all[i].Name() < all[j].Name() })
	return all, nil
}

func hasEntry(entries []fs.DirEntry, name string) bool {
	i := sort.Search(len(entries), func(i int) bool { return entries[i].Name() >= name })
	return i < len(entries) && entries[i].Name() == name
}

// bufferEntry is an open document that exists only in the editor, or a
// folder that holds one.
type bufferEntry struct {
	name string
	dir  bool
	size int64
}

func (b bufferEntry) Name() string               { return b.name }
func (b bufferEntry) IsDir() bool                { return b.dir }
func (b bufferEntry) Type() fs.FileMode          { return bufferInfo(b).Mode().Type() }
func (b bufferEntry) Info() (fs.FileInfo, error) { return bufferInfo(b), nil }

type bufferInfo bufferEntry

func (b bufferInfo) Name() string { return b.name }
func (b bufferInfo) Size() int64  { return b.size }
func (b bufferInfo) Mode() fs.FileMode {
	if b.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (b bufferInfo) ModTime() time.Time { return time.Time{} }
func (b bufferInfo) IsDir() bool        { return b.dir }
func (b bufferInfo) Sys() any           { return nil }

// WorkerFor returns the Worker a file belongs to: the configured config
// path if set, else the nearest wrangler config above it; nil if none.
func (snap *Snapshot) WorkerFor(path string) *project.Worker {
	if path == "" {
		return nil
	}
	cfg := snap.settings.ConfigPath
	if cfg != "" && !filepath.IsAbs(cfg) && len(snap.folders) > 0 {
		cfg = filepath.Join(snap.folders[0], cfg)
	}
	if cfg == "" {
		cfg = snap.configFor(filepath.Dir(path))
	}
	if cfg == "" {
		return nil
	}
	return snap.worker(cfg)
}

func (snap *Snapshot) configFor(dir string) string {
	m := snap.models
	m.mu.Lock()
	if c, ok := m.dirs[dir]; ok {
		m.mu.Unlock()
		return c
	}
	m.mu.Unlock()
	c := project.FindConfig(snap.FS(), dir)
	m.mu.Lock()
	m.dirs[dir] = c
	m.mu.Unlock()
	return c
}

func (snap *Snapshot) worker(cfg string) *project.Worker {
	m := snap.models
	m.mu.Lock()
	defer m.mu.Unlock()
	if w, ok := m.byConfig[cfg]; ok {
		return w
	}
	w := project.Load(snap.FS(), cfg)
	m.byConfig[cfg] = w
	return w
}

// Env returns the selected environment of w (the top level when the
// setting names an environment w does not have).
func (snap *Snapshot) Env(w *project.Worker) *project.Environment {
	e, _ := w.Env(snap.settings.Environment)
	return e
}

// Workers returns every Worker found under the workspace folders.
func (snap *Snapshot) Workers() []*project.Worker {
	m := snap.models
	m.mu.Lock()
	if m.allDone {
		all := m.all
		m.mu.Unlock()
		return all
	}
	m.mu.Unlock()
	var configs []string
	for _, folder := range snap.folders {
		configs = append(configs, project.FindConfigs(snap.FS(), folder, workspaceLimits)...)
	}
	var all []*project.Worker
	for _, c := range configs {
		all = append(all, snap.worker(c))
	}
	m.mu.Lock()
	m.all, m.allDone = all, true
	m.mu.Unlock()
	return all
}

// Discovery bounds: a home folder opened as a workspace must not stall
// the server, and a keystroke must not list a huge tree.
var (
	workspaceLimits = project.Limits{Dirs: 20000}
	workerLimits    = project.Limits{Files: 2000}
)

// PythonFiles returns the Worker's Python files (its folder, minus vendored
// and virtual-env folders), open buffers first, others parsed from disk
// through the server's file cache.
func (snap *Snapshot) PythonFiles(w *project.Worker) map[string]*pysyntax.File {
	out := map[string]*pysyntax.File{}
	for _, p := range snap.pythonPaths(w) {
		if doc := snap.byPath[p]; doc != nil && doc.py != nil {
			if f := doc.Py(); f != nil {
				out[p] = f
			}
		} else if f := snap.files.get(snap.ctx, p); f != nil {
			out[p] = f
		}
	}
	for p, doc := range snap.byPath { // open but not yet saved to disk
		if doc.py != nil && strings.HasPrefix(p, w.Dir+string(filepath.Separator)) {
			if _, ok := out[p]; !ok {
				if f := doc.Py(); f != nil {
					out[p] = f
				}
			}
		}
	}
	return out
}

// pythonPaths lists the Worker's .py files on disk. While the client
// watches files for us (a created or deleted .py file rebuilds the models)
// the walk is done once per model instead of on every keystroke.
func (snap *Snapshot) pythonPaths(w *project.Worker) []string {
	cached := snap.watchingFiles
	m := snap.models
	if cached {
		m.mu.Lock()
		paths, ok := m.pyPaths[w.Dir]
		m.mu.Unlock()
		if ok {
			return paths
		}
	}
	paths := project.PythonFiles(project.OSFS{}, w.Dir, workerLimits)
	if cached {
		m.mu.Lock()
		m.pyPaths[w.Dir] = paths
		m.mu.Unlock()
	}
	return paths
}

// fileCache keeps parsed Python files read from disk, keyed by path, size
// and modification time, shared by all snapshots.
type fileCache struct {
	mu    sync.Mutex
	files map[string]cachedFile
}

type cachedFile struct {
	size  int64
	mtime int64
	file  *pysyntax.File
}

func newFileCache() *fileCache { return &fileCache{files: map[string]cachedFile{}} }

func (c *fileCache) get(ctx context.Context, p string) *pysyntax.File {
	st, err := os.Stat(p)
	if err != nil || st.Size() > maxAnalysisBytes {
		return nil // a file that large is not analysed (see maxAnalysisBytes)
	}
	c.mu.Lock()
	cf, ok := c.files[p]
	c.mu.Unlock()
	if ok && cf.size == st.Size() && cf.mtime == st.ModTime().UnixNano() {
		return cf.file
	}
	data, err := project.ReadFile(p, project.MaxSourceBytes)
	if err != nil {
		return nil
	}
	f, err := pysyntax.Parse(ctx, string(data))
	if err != nil {
		return nil
	}
	c.mu.Lock()
	c.files[p] = cachedFile{size: st.Size(), mtime: st.ModTime().UnixNano(), file: f}
	c.mu.Unlock()
	return f
}
