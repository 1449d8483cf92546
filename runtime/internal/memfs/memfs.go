package memfs

// An in-memory file system for the interpreter, with host directories mounted
// read-only (the Worker's folder and its python_modules). Emscripten opens
// files with __syscall_openat but reads them with WASI fd_read, so both sets
// of imports share the fd table here.

import (
	crand "crypto/rand"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Errno values as Emscripten numbers them (WASI numbering).
const (
	EBADF     = 8
	EEXIST    = 20
	EINVAL    = 28
	EISDIR    = 31
	ENOENT    = 44
	ENOSYS    = 52
	eNOTDIR   = 54
	eNOTEMPTY = 55
	ENOTTY    = 59
	ERANGE    = 68
	EROFS     = 69
	ESPIPE    = 70
)

type Node struct {
	Dir bool
	// Device is "null" or "random" for Emscripten's /dev/null and
	// /dev/(u)random: reads give nothing or fresh random bytes, writes are
	// dropped. OpenSSL seeds itself from /dev/urandom.
	Device   string
	Children map[string]*Node
	Data     []byte
	Ino      uint64
	hostPath string // read-only node backed by a host file or directory
	hostRoot string // real path of the mounted directory: symlinks may not leave it
	loaded   bool   // host directory listed
	hostSize int64  // host file: its size when listed (contents are read by range, never kept)
	overlay  bool   // host directory whose listing may gain in-memory files and folders
	Readonly bool
	Mtime    time.Time
}

type OpenFile struct {
	Node  *Node
	path  string
	Pos   int64
	Flags int32
	Dents []string
}

type FS struct {
	root  *Node
	Cwd   string
	Fds   map[int32]*OpenFile
	Next  int32
	ino   uint64
	Start time.Time
}

func New() *FS {
	fs := &FS{Fds: map[int32]*OpenFile{}, Next: 3, ino: 10, Start: time.Now()}
	fs.root = fs.newDir()
	return fs
}

func (fs *FS) newDir() *Node {
	fs.ino++
	return &Node{Dir: true, Children: map[string]*Node{}, Ino: fs.ino, Mtime: fs.Start}
}

// AddDevices lays out /dev as Emscripten's file system has it.
func (fs *FS) AddDevices() {
	d := fs.MkdirAll("/dev")
	for name, kind := range map[string]string{"null": "null", "random": "random", "urandom": "random"} {
		fs.ino++
		d.Children[name] = &Node{Device: kind, Ino: fs.ino, Mtime: fs.Start}
	}
	fs.MkdirAll("/dev/shm")
}

func (fs *FS) MkdirAll(p string) *Node {
	cur := fs.root
	for _, part := range strings.Split(strings.Trim(path.Clean(p), "/"), "/") {
		if part == "" {
			continue
		}
		fs.Load(cur)
		c, ok := cur.Children[part]
		if !ok {
			c = fs.newDir()
			cur.Children[part] = c
		}
		cur = c
	}
	return cur
}

func (fs *FS) WriteFile(p string, b []byte) {
	d := fs.MkdirAll(path.Dir(p))
	fs.ino++
	d.Children[path.Base(p)] = &Node{Data: b, Ino: fs.ino, Mtime: fs.Start}
}

// mountHost makes host directory dir visible read-only at p.
func (fs *FS) MountHost(p, dir string) {
	parent := fs.MkdirAll(path.Dir(p))
	fs.ino++
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		root = dir
	}
	parent.Children[path.Base(p)] = &Node{Dir: true, hostPath: dir, hostRoot: root, Readonly: true, Ino: fs.ino, Mtime: fs.Start}
}

// MountOverlay makes host directory dir visible at p with its files
// read-only, while new files and folders can be made below it in memory
// (the bytecode cache: CPython writes new .pyc files, reads the host's
// older ones). NewFiles lists what was made.
func (fs *FS) MountOverlay(p, dir string) {
	fs.MountHost(p, dir)
	n := fs.MkdirAll(path.Dir(p)).Children[path.Base(p)]
	n.overlay, n.Readonly = true, false
}

// NewFiles lists the in-memory files below p (an overlay mount), by path
// relative to p.
func (fs *FS) NewFiles(p string) map[string][]byte {
	out := map[string][]byte{}
	var walk func(n *Node, rel string)
	walk = func(n *Node, rel string) {
		for name, c := range n.Children {
			switch {
			case c.Dir:
				walk(c, path.Join(rel, name))
			case c.hostPath == "" && c.Device == "":
				out[path.Join(rel, name)] = c.Data
			}
		}
	}
	if n := fs.Lookup(p); n != nil && n.Dir {
		walk(n, "")
	}
	return out
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
func (fs *FS) Load(n *Node) {
	if n.hostPath == "" || n.loaded {
		return
	}
	n.loaded = true
	if n.Dir {
		n.Children = map[string]*Node{}
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
			dir := info.IsDir()
			n.Children[name] = &Node{Dir: dir, hostPath: hp, hostRoot: n.hostRoot, Readonly: !(dir && n.overlay), overlay: dir && n.overlay,
				Ino: fs.ino, Mtime: info.ModTime(), hostSize: info.Size()}
		}
		return
	}
	// A host file's contents are not loaded: ReadAt reads them by range, so
	// a multi-GiB file in the Worker's folder costs the host nothing until
	// the Worker reads it, and then only what one read asks for (issue 17).
}

// ReadAt reads file n at off into dst, returning how many bytes it read
// (0 at the end of the file or on a host read error).
func (fs *FS) ReadAt(n *Node, dst []byte, off int64) int {
	if off < 0 || n.Dir {
		return 0
	}
	switch n.Device {
	case "null":
		return 0
	case "random":
		_, _ = crand.Read(dst)
		return len(dst)
	}
	if n.hostPath == "" {
		if off >= int64(len(n.Data)) {
			return 0
		}
		return copy(dst, n.Data[off:])
	}
	f, err := os.Open(n.hostPath)
	if err != nil {
		return 0
	}
	defer f.Close()
	total := 0
	for total < len(dst) {
		k, err := f.ReadAt(dst[total:], off+int64(total))
		total += k
		if err != nil || k == 0 {
			break
		}
	}
	return total
}

func (fs *FS) Lookup(p string) *Node {
	cur := fs.root
	for _, part := range strings.Split(strings.Trim(path.Clean(p), "/"), "/") {
		if part == "" || part == "." {
			continue
		}
		if !cur.Dir {
			return nil
		}
		fs.Load(cur)
		c, ok := cur.Children[part]
		if !ok {
			return nil
		}
		cur = c
	}
	return cur
}

func (fs *FS) Abs(dirfd int32, p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	base := fs.Cwd
	if dirfd != -100 { // AT_FDCWD
		if f, ok := fs.Fds[dirfd]; ok {
			base = f.path
		}
	}
	return path.Clean(path.Join(base, p))
}

func (fs *FS) Size(n *Node) int64 {
	if n.Dir {
		return 4096
	}
	if n.hostPath != "" {
		return n.hostSize
	}
	return int64(len(n.Data))
}

func (fs *FS) Open(p string, flags int32) (int32, int32) {
	const oCreat, oExcl, oTrunc, oDirectory, oAccMode = 0x40, 0x80, 0x200, 0x10000, 3
	n := fs.Lookup(p)
	if n != nil && flags&(oCreat|oExcl) == oCreat|oExcl {
		return -1, EEXIST
	}
	// POSIX: a directory opens for reading only. SQLite relies on EISDIR to
	// tell "unable to open database file" from an I/O error.
	if n != nil && n.Dir && flags&oAccMode != 0 {
		return -1, EISDIR
	}
	if n == nil {
		if flags&oCreat == 0 {
			return -1, ENOENT
		}
		d := fs.Lookup(path.Dir(p))
		if d == nil || !d.Dir {
			return -1, ENOENT
		}
		if d.Readonly {
			return -1, EROFS
		}
		fs.Load(d) // an overlay folder: its host entries first
		fs.ino++
		n = &Node{Ino: fs.ino, Mtime: time.Now()}
		d.Children[path.Base(p)] = n
	}
	if flags&oDirectory != 0 && !n.Dir {
		return -1, eNOTDIR
	}
	if flags&oAccMode != 0 && n.Readonly {
		return -1, EROFS
	}
	if flags&oTrunc != 0 && !n.Dir {
		n.Data = nil
	}
	if n.Dir {
		fs.Load(n)
	}
	fd := fs.Next
	fs.Next++
	fs.Fds[fd] = &OpenFile{Node: n, path: p, Flags: flags}
	return fd, 0
}

// dirEntries lists a directory for getdents64, "." and ".." first.
func (fs *FS) DirEntries(n *Node) []string {
	fs.Load(n)
	names := []string{".", ".."}
	var kids []string
	for k := range n.Children {
		kids = append(kids, k)
	}
	sort.Strings(kids)
	return append(names, kids...)
}

func (fs *FS) Unlink(p string, dir bool) int32 {
	d := fs.Lookup(path.Dir(p))
	if d == nil || !d.Dir {
		return ENOENT
	}
	n, ok := d.Children[path.Base(p)]
	if !ok {
		return ENOENT
	}
	if d.Readonly || n.Readonly {
		return EROFS
	}
	if dir != n.Dir {
		if dir {
			return eNOTDIR
		}
		return EISDIR
	}
	if dir && len(n.Children) > 0 {
		return eNOTEMPTY
	}
	delete(d.Children, path.Base(p))
	return 0
}
