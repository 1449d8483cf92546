package runtime

// The bytecode cache: CPython compiles every module it imports from source,
// and in the interpreter that is most of a first import (FastAPI's 214
// files: 6.4 s of 6.6 s). The host keeps the .pyc files of a project's
// Worker and python_modules between runs: they appear read-only in an
// overlay at /pyworkers-pycache (sys.pycache_prefix, set by the runner),
// new ones are written into memory there and saved to the host after the
// run. CPython checks each .pyc against its source's size and mtime (in
// whole seconds), so an edited file is compiled again; a .pyc of a source
// modified in the last two seconds is not kept, or an edit of the same size
// within that second would run the old code.

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/memfs"
)

const (
	pycacheRoot = "/pyworkers-pycache"
	// pycacheProjects is how many projects' caches are kept (least recently
	// used removed); pycacheMaxFile bounds one .pyc.
	pycacheProjects = 32
	pycacheMaxFile  = 16 << 20
	// pycacheMaxSave bounds what one run saves: the folder is writable by
	// the Worker, which must not fill the host's disk through it.
	pycacheMaxSave = 128 << 20
)

// pycacheDir is the host folder of the project's bytecode, "" when the
// engine has no cache folder.
func (e *Engine) pycacheDir(spec WorkerSpec) string {
	if e.snapDir == "" || e.opts.NoBytecodeCache {
		return ""
	}
	abs, err := filepath.Abs(spec.ProjectDir)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(filepath.Dir(e.snapDir), "pyworkers-pycache", hex.EncodeToString(sum[:8]))
}

// mountPycache puts the project's bytecode cache into fs.
func (e *Engine) mountPycache(fs *memfs.FS, spec WorkerSpec) {
	dir := e.pycacheDir(spec)
	if dir == "" || os.MkdirAll(dir, 0o755) != nil {
		return
	}
	now := time.Now()
	_ = os.Chtimes(dir, now, now) // recently used: kept by prunePycache
	fs.MountOverlay(pycacheRoot, dir)
}

// savePycache writes the .pyc files the run compiled to the host.
func (e *Engine) savePycache(fs *memfs.FS, spec WorkerSpec) {
	dir := e.pycacheDir(spec)
	if dir == "" {
		return
	}
	files := fs.NewFiles(pycacheRoot)
	if len(files) == 0 {
		return
	}
	saved, total := 0, 0
	for rel, data := range files {
		if total += len(data); total > pycacheMaxSave {
			e.log.Warn("bytecode cache: the run wrote more than can be kept", "project", spec.ProjectDir)
			break
		}
		clean := path.Clean("/" + rel)[1:]
		if !strings.HasSuffix(clean, ".pyc") || len(data) > pycacheMaxFile || len(data) < 16 {
			continue // CPython's temporary files, or not bytecode
		}
		// The header: magic, flags (0: checked by timestamp), source mtime, size.
		if binary.LittleEndian.Uint32(data[4:]) == 0 && time.Now().Unix()-int64(binary.LittleEndian.Uint32(data[8:])) < 2 {
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(clean))
		if os.MkdirAll(filepath.Dir(target), 0o755) != nil {
			continue
		}
		tmp, err := os.CreateTemp(filepath.Dir(target), ".pyc-*")
		if err != nil {
			continue
		}
		_, err = tmp.Write(data)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), target)
		}
		if err != nil {
			os.Remove(tmp.Name())
			continue
		}
		saved++
	}
	e.log.Debug("bytecode cache", "saved", saved, "project", spec.ProjectDir)
	prunePycache(filepath.Dir(dir))
}

// prunePycache keeps the most recently used projects' caches.
func prunePycache(root string) {
	pruneLeastRecent(root, pycacheProjects, os.DirEntry.IsDir)
}
