package runtime

// The stamp of a Worker's folders (names, sizes, mtimes of every file) keys
// its dedicated snapshot. Walking python_modules/ on every run cost Django's
// warm run ~37 ms of 72 (3,900 files), so a folder's stamp is kept until a
// file-system watch reports a change below it. Only on Linux: inotify costs
// one watch per folder, while kqueue (macOS) holds a descriptor per file.
// Where watching fails (the user's inotify watches used up) the folder is
// walked every time.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	goruntime "runtime"
	"sync"
	"sync/atomic"

	"github.com/fsnotify/fsnotify"
)

// maxWatchedTrees bounds the folders watched at once (all are dropped
// when more are asked for: they are watched again on their next run), so
// the user's inotify watches stay for their editor.
const maxWatchedTrees = 4

type treeStamps struct {
	mu    sync.Mutex
	trees map[string]*watchedTree
	walks atomic.Int64 // folders walked, for tests
}

type watchedTree struct {
	w           *fsnotify.Watcher
	unwatchable bool // no watcher can be had (not Linux, or it failed)
	mu          sync.Mutex
	gen         int // bumped by every event
	stamp       string
	files       int
	valid       bool
}

func newTreeWatcher() (*fsnotify.Watcher, error) {
	if goruntime.GOOS != "linux" {
		return nil, errors.ErrUnsupported
	}
	return fsnotify.NewWatcher()
}

func (t *watchedTree) bump() {
	t.mu.Lock()
	t.gen++
	t.valid = false
	t.mu.Unlock()
}

// stamp returns root's stamp and how many files it holds, walking it only
// when something below it changed since the last walk. budget bounds the
// files counted (errTooManyFiles past it).
func (s *treeStamps) stamp(root string, budget int) (string, int, error) {
	s.mu.Lock()
	if s.trees == nil {
		s.trees = map[string]*watchedTree{}
	}
	t := s.trees[root]
	if t == nil {
		if len(s.trees) >= maxWatchedTrees {
			s.closeLocked()
		}
		t = &watchedTree{}
		s.trees[root] = t
		s.mu.Unlock()
		// The first stamp of a folder only walks it: a one-shot `run`
		// process would pay for watches it never uses.
		s.walks.Add(1)
		return walkStamp(root, budget, nil)
	}
	t.mu.Lock()
	if t.w == nil && !t.unwatchable {
		if w, err := newTreeWatcher(); err != nil {
			t.unwatchable = true
		} else {
			t.w = w
			go func() {
				for {
					select {
					case _, ok := <-w.Events:
						if !ok {
							return
						}
						t.bump()
					case _, ok := <-w.Errors: // an overflow may have lost events
						if !ok {
							return
						}
						t.bump()
					}
				}
			}()
		}
	}
	t.mu.Unlock()
	s.mu.Unlock()

	t.mu.Lock()
	if t.valid && t.files <= budget {
		stamp, files := t.stamp, t.files
		t.mu.Unlock()
		return stamp, files, nil
	}
	gen, w := t.gen, t.w
	t.mu.Unlock()

	watching := w != nil
	s.walks.Add(1)
	stamp, n, err := walkStamp(root, budget, func(dir string) {
		if watching && w.Add(dir) != nil {
			watching = false // walked every time from now on
		}
	})
	if err != nil {
		return "", n, err
	}
	t.mu.Lock()
	if watching && t.gen == gen { // nothing changed while walking
		t.stamp, t.files, t.valid = stamp, n, true
	}
	if !watching && t.w != nil {
		t.w.Close()
		t.w = nil
		t.unwatchable = true
	}
	t.mu.Unlock()
	return stamp, n, nil
}

// walkStamp hashes the names, sizes and mtimes of the files below root
// (skipping tool folders), calling onDir for each folder it enters.
func walkStamp(root string, budget int, onDir func(string)) (string, int, error) {
	h := sha256.New()
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			switch d.Name() {
			case ".pyworkers", ".git", "node_modules", "__pycache__", ".venv", ".venv-workers":
				if p != root {
					return filepath.SkipDir
				}
			}
			if onDir != nil {
				onDir(p)
			}
			return nil
		}
		if n++; n > budget {
			return errTooManyFiles
		}
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(h, "%s:%d:%d;", p, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), n, err
}

func (s *treeStamps) closeLocked() {
	for root, t := range s.trees {
		t.mu.Lock()
		if t.w != nil {
			t.w.Close()
			t.w = nil
		}
		t.valid = false
		t.mu.Unlock()
		delete(s.trees, root)
	}
}

func (s *treeStamps) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
}
