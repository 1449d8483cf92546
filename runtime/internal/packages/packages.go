// Package packages installs Pyodide's own packages (the entries of the
// Pyodide version's pyodide-lock.json) for Workers that import them without
// vendoring them: the cpython_module stdlib parts Pyodide ships apart
// (ssl, sqlite3, hashlib, lzma, …) and any lock package whose import name
// is imported. Files come from Pyodide's distribution for the version (its
// CDN by default, or a mirror URL or local folder), are checked against the
// sha256 the lock records, and are unpacked once into a cache shared by all
// projects.
package packages

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Package is one entry of pyodide-lock.json.
type Package struct {
	Name        string   `json:"name"`
	Version     string   `json:"version"`
	FileName    string   `json:"file_name"`
	SHA256      string   `json:"sha256"`
	Imports     []string `json:"imports"`
	Depends     []string `json:"depends"`
	PackageType string   `json:"package_type"` // package, cpython_module, shared_library
}

// Lock is a parsed pyodide-lock.json.
type Lock struct {
	Info struct {
		Version string `json:"version"`
		Python  string `json:"python"`
	} `json:"info"`
	Packages map[string]*Package `json:"packages"`
	byImport map[string]*Package
}

func ParseLock(b []byte) (*Lock, error) {
	var l Lock
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("pyodide-lock.json: %w", err)
	}
	l.byImport = map[string]*Package{}
	names := make([]string, 0, len(l.Packages))
	for n := range l.Packages {
		names = append(names, n)
	}
	sort.Strings(names) // the first package to claim an import name keeps it
	for _, n := range names {
		p := l.Packages[n]
		for _, imp := range p.Imports {
			if _, taken := l.byImport[imp]; !taken {
				l.byImport[imp] = p
			}
		}
	}
	return &l, nil
}

func ReadLock(file string) (*Lock, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return ParseLock(b)
}

// ForImport is the lock package providing the top-level module name.
func (l *Lock) ForImport(name string) *Package { return l.byImport[name] }

// closure lists p and what it depends on, dependencies first; the
// dependencies of a package for which skipDeps is true are left out.
func (l *Lock) closure(p *Package, skipDeps func(*Package) bool) ([]*Package, error) {
	var out []*Package
	seen := map[string]bool{}
	var visit func(p *Package) error
	visit = func(p *Package) error {
		if seen[p.Name] {
			return nil
		}
		seen[p.Name] = true
		if skipDeps != nil && skipDeps(p) {
			out = append(out, p)
			return nil
		}
		for _, d := range p.Depends {
			dp := l.Packages[strings.ToLower(d)]
			if dp == nil {
				return fmt.Errorf("package %s depends on %s, which the lock does not list", p.Name, d)
			}
			if err := visit(dp); err != nil {
				return err
			}
		}
		out = append(out, p)
		return nil
	}
	return out, visit(p)
}

// Installer fetches and unpacks lock packages into Dir.
type Installer struct {
	Lock *Lock
	// Source gives Pyodide's distribution folder for the version: an
	// http(s) URL or a local folder (a path or file:// URL).
	Source func() string
	Dir    string // the cache: one folder per package file
	Client *http.Client
	// Progress, if set, is told about each download.
	Progress func(msg string)
	// Builtin holds the runtime's own builds of cpython_module packages
	// (runtime/artifacts/cpython), by package name. One is installed instead
	// of Pyodide's file unless Pyodide's is cached already or SourceChosen
	// says the user pointed the installer at a mirror or folder.
	Builtin      map[string]BuiltinFile
	SourceChosen func() bool

	mu sync.Mutex // one install at a time per process
}

// BuiltinFile is a package file the runtime carries, with its checksum.
type BuiltinFile struct {
	Path   string
	SHA256 string
}

// ReadBuiltin lists the wheels of dir (runtime/artifacts/cpython/build.sh's
// output) by the lock package they stand for, from the SHA256SUMS there.
// A file not listed in the lock is ignored.
func ReadBuiltin(dir string, lock *Lock) (map[string]BuiltinFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return nil, err
	}
	byFile := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			byFile[strings.TrimPrefix(f[1], "*")] = f[0]
		}
	}
	out := map[string]BuiltinFile{}
	for _, p := range lock.Packages {
		if sum, ok := byFile[p.FileName]; ok && p.PackageType == "cpython_module" {
			out[p.Name] = BuiltinFile{Path: filepath.Join(dir, p.FileName), SHA256: sum}
		}
	}
	return out, nil
}

// DefaultSource is Pyodide's CDN folder for a version.
func DefaultSource(pyodideVersion string) string {
	return "https://cdn.jsdelivr.net/pyodide/v" + pyodideVersion + "/full/"
}

// Installed is an installed package and its dependencies.
type Installed struct {
	Package  *Package
	Dirs     []string // unpacked folders, dependencies first
	LibDirs  []string // the shared_library ones, where needed .so files are
	Download bool     // something was downloaded (not all from the cache)
}

// InstallError explains why a package cannot be had.
type InstallError struct {
	Package *Package
	URL     string
	Err     error
}

func (e *InstallError) Error() string {
	return fmt.Sprintf("%s %s (Pyodide's %s package) could not be installed from %s: %v",
		e.Package.Name, e.Package.Version, e.Package.PackageType, e.URL, e.Err)
}

func (e *InstallError) Unwrap() error { return e.Err }

// ErrChecksum marks a file whose sha256 is not the lock's.
var ErrChecksum = errors.New("checksum mismatch")

// PackageDir is where p's file is unpacked in the cache.
func (in *Installer) PackageDir(p *Package) string {
	return filepath.Join(in.Dir, strings.TrimSuffix(strings.TrimSuffix(p.FileName, ".whl"), ".zip"))
}

// Install makes p and its dependencies available in the cache.
func (in *Installer) Install(p *Package) (*Installed, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	// A built-in package links what it needs statically: its lock
	// dependencies (libopenssl for ssl) are not installed with it.
	builtin := map[*Package]*BuiltinFile{}
	pkgs, err := in.Lock.closure(p, func(q *Package) bool {
		builtin[q] = in.builtinFor(q)
		return builtin[q] != nil
	})
	if err != nil {
		return nil, err
	}
	res := &Installed{Package: p}
	for _, q := range pkgs {
		dir := in.PackageDir(q)
		if b := builtin[q]; b != nil {
			dir = in.BuiltinDir(q)
			if !stamped(dir, b.SHA256) {
				if err := in.installBuiltin(q, b, dir); err != nil {
					return nil, err
				}
			}
		} else if !stamped(dir, q.SHA256) {
			if err := in.fetch(q, dir); err != nil {
				return nil, err
			}
			res.Download = true
		}
		res.Dirs = append(res.Dirs, dir)
		if q.PackageType == "shared_library" {
			res.LibDirs = append(res.LibDirs, dir)
		}
	}
	return res, nil
}

// builtinFor is the runtime's own build of q, when one is used: not when
// Pyodide's file is cached already, nor when the user chose a source.
func (in *Installer) builtinFor(q *Package) *BuiltinFile {
	b, ok := in.Builtin[q.Name]
	if !ok || stamped(in.PackageDir(q), q.SHA256) || (in.SourceChosen != nil && in.SourceChosen()) {
		return nil
	}
	return &b
}

// BuiltinDir is where the runtime's own build of p is unpacked in the
// cache, beside (never in place of) Pyodide's file.
func (in *Installer) BuiltinDir(p *Package) string { return in.PackageDir(p) + ".pyworkers-build" }

func (in *Installer) installBuiltin(p *Package, b *BuiltinFile, dir string) error {
	fail := func(err error) error { return &InstallError{Package: p, URL: b.Path, Err: err} }
	data, err := in.read(b.Path)
	if err != nil {
		return fail(err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != b.SHA256 {
		return fail(fmt.Errorf("%w: the runtime's own build has sha256 %s, its SHA256SUMS says %s (rebuild it: make artifacts)", ErrChecksum, got, b.SHA256))
	}
	if err := in.unpack(data, b.SHA256, dir); err != nil {
		return fail(err)
	}
	if in.Progress != nil {
		in.Progress(fmt.Sprintf("installed %s (built from CPython's sources, carried by the runtime)", p.FileName))
	}
	return nil
}

// stamped: the folder's stamp holds the checksum of the file it was
// unpacked from.
func stamped(dir, sha string) bool {
	b, err := os.ReadFile(filepath.Join(dir, ".pyworkers-sha256"))
	return err == nil && strings.TrimSpace(string(b)) == sha
}

func (in *Installer) fileURL(p *Package) string {
	src := in.Source()
	if strings.Contains(src, "://") {
		return strings.TrimSuffix(src, "/") + "/" + url.PathEscape(p.FileName)
	}
	return filepath.Join(src, p.FileName)
}

// maxPackageFile bounds one download (Pyodide's largest packages are ~40 MB).
const maxPackageFile = 512 << 20

func (in *Installer) fetch(p *Package, dir string) error {
	where := in.fileURL(p)
	fail := func(err error) error {
		if in.Progress != nil {
			in.Progress(fmt.Sprintf("failed: %s: %v", p.FileName, err))
		}
		return &InstallError{Package: p, URL: where, Err: err}
	}
	if path.Base(p.FileName) != p.FileName || p.FileName == "" || strings.HasPrefix(p.FileName, ".") {
		return fail(fmt.Errorf("bad file name %q in the lock", p.FileName))
	}
	if in.Progress != nil {
		in.Progress(fmt.Sprintf("downloading %s from %s", p.FileName, where))
	}
	start := time.Now()
	data, err := in.read(where)
	if err != nil {
		return fail(err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != p.SHA256 {
		return fail(fmt.Errorf("%w: the file's sha256 is %s, the lock says %s; it was not cached", ErrChecksum, got, p.SHA256))
	}
	if err := in.unpack(data, p.SHA256, dir); err != nil {
		return fail(err)
	}
	if in.Progress != nil {
		in.Progress(fmt.Sprintf("installed %s (%d kB) in %s", p.FileName, len(data)>>10, time.Since(start).Round(time.Millisecond)))
	}
	return nil
}

// unpack puts a package file into dir with its stamp, atomically: a
// half-unpacked folder is never seen as installed.
func (in *Installer) unpack(data []byte, sha, dir string) error {
	if err := os.MkdirAll(in.Dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(in.Dir, ".unpack-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := unzip(data, tmp); err != nil {
		return fmt.Errorf("unpacking: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, ".pyworkers-sha256"), []byte(sha+"\n"), 0o644); err != nil {
		return err
	}
	os.RemoveAll(dir)
	return os.Rename(tmp, dir)
}

func (in *Installer) read(where string) ([]byte, error) {
	if strings.HasPrefix(where, "file://") {
		u, err := url.Parse(where)
		if err != nil {
			return nil, err
		}
		where = u.Path
	}
	if !strings.Contains(where, "://") {
		f, err := os.Open(where)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readLimited(f)
	}
	client := in.Client
	if client == nil {
		client = &http.Client{Timeout: 2 * time.Minute}
	}
	resp, err := client.Get(where)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	return readLimited(resp.Body)
}

func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPackageFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPackageFile {
		return nil, fmt.Errorf("more than %d MiB", maxPackageFile>>20)
	}
	return data, nil
}

// unzip extracts regular files and folders; entries that would leave dst
// (absolute, "..") and symlinks are refused.
func unzip(data []byte, dst string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	var total uint64
	for _, f := range zr.File {
		name := path.Clean(strings.ReplaceAll(f.Name, "\\", "/"))
		if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("entry %q leaves the package folder", f.Name)
		}
		mode := f.Mode()
		if mode&os.ModeSymlink != 0 {
			return fmt.Errorf("entry %q is a symlink", f.Name)
		}
		target := filepath.Join(dst, filepath.FromSlash(name))
		if mode.IsDir() || strings.HasSuffix(f.Name, "/") {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		}
		total += f.UncompressedSize64
		if total > 4*maxPackageFile {
			return errors.New("unpacks to more than 2 GiB")
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			rc.Close()
			return err
		}
		_, err = io.Copy(out, io.LimitReader(rc, int64(f.UncompressedSize64)+1))
		rc.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}
