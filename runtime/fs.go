package runtime

// An in-memory file system for the interpreter, with host directories mounted
// read-only (the Worker's folder and its python_modules). Emscripten opens
// files with __syscall_openat but reads them with WASI fd_read, so both sets
// of imports share the fd table here.

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Errno values as Emscripten numbers them (WASI numbering).
const (
	eBADF     = 8
	eEXIST    = 20
	eINVAL    = 28
	eISDIR    = 31
	eNOENT    = 44
	eNOSYS    = 52
	eNOTDIR   = 54
	eNOTEMPTY = 55
	eNOTTY    = 59
	eRANGE    = 68
	eROFS     = 69
	eSPIPE    = 70
)

type fsNode struct {
	dir      bool
	children map[string]*fsNode
	data     []byte
	ino      uint64
	hostPath string // read-only node backed by a host file or directory
	hostRoot string // real path of the mounted directory: symlinks may not leave it
	loaded   bool   // host contents read
	readonly bool
	mtime    time.Time
}

type openFile struct {
	node  *fsNode
	path  string
	pos   int64
	flags int32
	dents []string
}

type memFS struct {
	root  *fsNode
	cwd   string
	fds   map[int32]*openFile
	next  int32
	ino   uint64
	start time.Time
}

func newMemFS() *memFS {
	fs := &memFS{fds: map[int32]*openFile{}, next: 3, ino: 10, start: time.Now()}
	fs.root = fs.newDir()
	return fs
}

func (fs *memFS) newDir() *fsNode {
	fs.ino++
	return &fsNode{dir: true, children: map[string]*fsNode{}, ino: fs.ino, mtime: fs.start}
}

func (fs *memFS) mkdirAll(p string) *fsNode {
	cur := fs.root
	for _, part := range strings.Split(strings.Trim(path.Clean(p), "/"), "/") {
		if part == "" {
			continue
		}
		fs.load(cur)
		c, ok := cur.children[part]
		if !ok {
			c = fs.newDir()
			cur.children[part] = c
		}
		cur = c
	}
	return cur
}

func (fs *memFS) writeFile(p string, b []byte) {
	d := fs.mkdirAll(path.Dir(p))
	fs.ino++
	d.children[path.Base(p)] = &fsNode{data: b, ino: fs.ino, mtime: fs.start}
}

// mountHost makes host directory dir visible read-only at p.
func (fs *memFS) mountHost(p, dir string) {
	parent := fs.mkdirAll(path.Dir(p))
	fs.ino++
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		root = dir
	}
	parent.children[path.Base(p)] = &fsNode{dir: true, hostPath: dir, hostRoot: root, readonly: true, ino: fs.ino, mtime: fs.start}
}

// inside reports whether host path p, symlinks resolved, stays below root.
func inside(root, p string) bool {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(root, real)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// load reads a host-backed node's contents on first use.
func (fs *memFS) load(n *fsNode) {
	if n.hostPath == "" || n.loaded {
		return
	}
	n.loaded = true
	if n.dir {
		n.children = map[string]*fsNode{}
		ents, err := os.ReadDir(n.hostPath)
		if err != nil {
			return
		}
		for _, e := range ents {
			name := e.Name()
			if strings.HasPrefix(name, ".") && name != ".venv-workers" {
				continue // .dev.vars and friends never reach the Worker
			}
			hp := filepath.Join(n.hostPath, name)
			if e.Type()&os.ModeSymlink != 0 && !inside(n.hostRoot, hp) {
				continue // the Worker sees its own folder only
			}
			info, err := os.Stat(hp) // follows symlinks
			if err != nil || !(info.IsDir() || info.Mode().IsRegular()) {
				continue
			}
			fs.ino++
			n.children[name] = &fsNode{dir: info.IsDir(), hostPath: hp, hostRoot: n.hostRoot, readonly: true, ino: fs.ino, mtime: info.ModTime()}
		}
		return
	}
	b, err := os.ReadFile(n.hostPath)
	if err == nil {
		n.data = b
	}
}

func (fs *memFS) lookup(p string) *fsNode {
	cur := fs.root
	for _, part := range strings.Split(strings.Trim(path.Clean(p), "/"), "/") {
		if part == "" || part == "." {
			continue
		}
		if !cur.dir {
			return nil
		}
		fs.load(cur)
		c, ok := cur.children[part]
		if !ok {
			return nil
		}
		cur = c
	}
	return cur
}

func (fs *memFS) abs(dirfd int32, p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	base := fs.cwd
	if dirfd != -100 { // AT_FDCWD
		if f, ok := fs.fds[dirfd]; ok {
			base = f.path
		}
	}
	return path.Clean(path.Join(base, p))
}

func (fs *memFS) size(n *fsNode) int64 {
	if n.dir {
		return 4096
	}
	fs.load(n)
	return int64(len(n.data))
}

func (fs *memFS) open(p string, flags int32) (int32, int32) {
	const oCreat, oTrunc, oDirectory, oAccMode = 0x40, 0x200, 0x10000, 3
	n := fs.lookup(p)
	if n == nil {
		if flags&oCreat == 0 {
			return -1, eNOENT
		}
		d := fs.lookup(path.Dir(p))
		if d == nil || !d.dir {
			return -1, eNOENT
		}
		if d.readonly {
			return -1, eROFS
		}
		fs.ino++
		n = &fsNode{ino: fs.ino, mtime: time.Now()}
		d.children[path.Base(p)] = n
	}
	if flags&oDirectory != 0 && !n.dir {
		return -1, eNOTDIR
	}
	if flags&oAccMode != 0 && n.readonly {
		return -1, eROFS
	}
	if flags&oTrunc != 0 && !n.dir {
		n.data = nil
	}
	if n.dir {
		fs.load(n)
	}
	fd := fs.next
	fs.next++
	fs.fds[fd] = &openFile{node: n, path: p, flags: flags}
	return fd, 0
}

// dirEntries lists a directory for getdents64, "." and ".." first.
func (fs *memFS) dirEntries(n *fsNode) []string {
	fs.load(n)
	names := []string{".", ".."}
	var kids []string
	for k := range n.children {
		kids = append(kids, k)
	}
	sort.Strings(kids)
	return append(names, kids...)
}

func (fs *memFS) unlink(p string, dir bool) int32 {
	d := fs.lookup(path.Dir(p))
	if d == nil || !d.dir {
		return eNOENT
	}
	n, ok := d.children[path.Base(p)]
	if !ok {
		return eNOENT
	}
	if d.readonly || n.readonly {
		return eROFS
	}
	if dir != n.dir {
		if dir {
			return eNOTDIR
		}
		return eISDIR
	}
	if dir && len(n.children) > 0 {
		return eNOTEMPTY
	}
	delete(d.children, path.Base(p))
	return 0
}
