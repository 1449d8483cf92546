package devserver

// Reload on change: a file watcher over each Worker's folder (its sources,
// config, .dev.vars and python_modules/), debounced, skipping what the
// runtime itself writes (local state) and what editors and tools churn.

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// debounce is how long the watcher waits after the last event of a burst
// (an editor's save is several events) before reloading.
const debounce = 80 * time.Millisecond

// maxWatchedDirs bounds the folders watched per Worker (inotify watches are
// a per-user resource).
const maxWatchedDirs = 4000

// skippedDir: folders whose changes never reload the Worker.
func skippedDir(name string) bool {
	switch name {
	case ".pyworkers", ".wrangler", ".git", ".hg", "node_modules", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".venv", "venv", ".cache":
		return true
	}
	return false
}

// ignoredFile: editor swap and backup files, bytecode.
func ignoredFile(name string) bool {
	return strings.HasSuffix(name, "~") || strings.HasSuffix(name, ".swp") || strings.HasSuffix(name, ".swx") ||
		strings.HasSuffix(name, ".pyc") || name == "4913" || strings.HasPrefix(name, ".#")
}

// Watch reloads the Worker when its files change, until ctx ends.
func (s *Server) Watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	roots := map[string]bool{}
	for _, sp := range append([]string{s.Spec().ProjectDir}, s.otherDirs()...) {
		if abs, err := filepath.Abs(sp); err == nil {
			roots[abs] = true
		}
	}
	n := 0
	for root := range roots {
		n += addTree(w, root, maxWatchedDirs-n)
	}
	var timer *time.Timer
	var fire <-chan time.Time
	changed := ""
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if !relevant(ev.Name, roots) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if info, err := os.Lstat(ev.Name); err == nil && info.IsDir() && n < maxWatchedDirs {
					n += addTree(w, ev.Name, maxWatchedDirs-n)
				}
			}
			if changed == "" {
				changed = ev.Name
			}
			if timer == nil {
				timer = time.NewTimer(debounce)
			} else {
				timer.Reset(debounce)
			}
			fire = timer.C
		case <-fire:
			fire = nil
			what := displayName(changed, s.Spec().ProjectDir)
			changed = ""
			s.Reload(ctx, what)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			s.logf("[pyworkers] file watcher: %v", err)
		}
	}
}

func (s *Server) otherDirs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var dirs []string
	for _, o := range s.others {
		dirs = append(dirs, o.ProjectDir)
	}
	return dirs
}

// relevant: a change that can change what the Worker does (judged by the
// path below the watched root it is in).
func relevant(path string, roots map[string]bool) bool {
	rel := path
	for root := range roots {
		if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
			rel = r
			break
		}
	}
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if skippedDir(part) {
			return false
		}
	}
	return !ignoredFile(filepath.Base(path))
}

// addTree watches root and the folders below it (not following symlinks),
// at most limit of them; it returns how many it added.
func addTree(w *fsnotify.Watcher, root string, limit int) int {
	n := 0
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != root && skippedDir(d.Name()) {
			return filepath.SkipDir
		}
		if n >= limit {
			return filepath.SkipAll
		}
		if w.Add(p) == nil {
			n++
		}
		return nil
	})
	return n
}

func displayName(path, projectDir string) string {
	if abs, err := filepath.Abs(projectDir); err == nil {
		if rel, err := filepath.Rel(abs, path); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return path
}
