package project

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Size caps of the files a Worker's model and `check`/`run` read. A file
// over its cap is reported, never read whole.
const (
	// MaxConfigBytes bounds a wrangler config, pyproject.toml, .dev.vars,
	// .env and requirements files.
	MaxConfigBytes = 10 << 20
	// MaxSourceBytes bounds a Python module.
	MaxSourceBytes = 32 << 20
)

// ErrNotRegular and ErrTooLarge classify the errors of ReadFile (match them
// with errors.Is).
var (
	ErrNotRegular = errors.New("not a regular file")
	ErrTooLarge   = errors.New("file too large")
)

// FileError is ReadFile's refusal of a file that exists: not a regular file
// (a FIFO, a device, a socket, a folder, a link to one of them) or larger
// than the cap.
type FileError struct {
	Path  string
	Err   error // ErrNotRegular or ErrTooLarge
	Limit int64 // for ErrTooLarge
	Dir   bool  // the path is a folder
}

func (e *FileError) Error() string {
	name := filepath.Base(e.Path)
	if errors.Is(e.Err, ErrTooLarge) {
		return fmt.Sprintf("%s is larger than %s; it was not read", name, formatSize(e.Limit))
	}
	return name + " is not a regular file"
}

func (e *FileError) Unwrap() error { return e.Err }

func formatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ReadFile is the one safe reader of project files: it reads path only if
// it is a regular file (after following links) of at most limit bytes. The
// file is opened without blocking (a FIFO cannot stall the caller), checked
// with fstat after the open (no window to swap the file), and read through
// a limit (a file that grows while read is refused, not read on). The
// refusals are *FileError values with a message meant for the user, e.g.
// "wrangler.jsonc is not a regular file".
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &FileError{Path: path, Err: ErrNotRegular, Dir: st.IsDir()}
	}
	if st.Size() > limit {
		return nil, &FileError{Path: path, Err: ErrTooLarge, Limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &FileError{Path: path, Err: ErrTooLarge, Limit: limit}
	}
	return data, nil
}

// LimitFS is an FS that bounds what it reads; OSFS is one. readLimited uses
// it when the FS has it, and otherwise checks the size after the read.
type LimitFS interface {
	FS
	ReadFileLimit(path string, limit int64) ([]byte, error)
}

// ReadFileFS reads a project file through fsys with a size cap: with
// ReadFileLimit when fsys is a LimitFS, else with ReadFile and a size check
// after the read (such an FS has to bound its reads itself).
func ReadFileFS(fsys FS, path string, limit int64) ([]byte, error) {
	return readLimited(fsys, path, limit)
}

// readLimited reads a project file through fsys with a size cap.
func readLimited(fsys FS, path string, limit int64) ([]byte, error) {
	if l, ok := fsys.(LimitFS); ok {
		return l.ReadFileLimit(path, limit)
	}
	data, err := fsys.ReadFile(path)
	if err == nil && int64(len(data)) > limit {
		return nil, &FileError{Path: path, Err: ErrTooLarge, Limit: limit}
	}
	return data, err
}

// Refused reports whether err is ReadFile's refusal of a file that exists
// (not regular, or too large); its message is meant for the user.
func Refused(err error) bool {
	var fe *FileError
	return errors.As(err, &fe)
}

// present says whether a read error still means the file is there (too
// large, a FIFO, a device): such a file is found, and reported, not
// skipped. A missing file or a folder is not there.
func present(err error) bool {
	if err == nil {
		return true
	}
	var fe *FileError
	if errors.As(err, &fe) {
		return !fe.Dir
	}
	return !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.EISDIR)
}

// CheckFile says, without opening it, whether ReadFile would accept path:
// nil for a regular file (after links) of at most limit bytes, a
// *FileError when it is not, the stat error when it cannot be seen. For
// files another component reads later (the runtime's view of a Worker's
// modules).
func CheckFile(path string, limit int64) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return &FileError{Path: path, Err: ErrNotRegular, Dir: st.IsDir()}
	}
	if st.Size() > limit {
		return &FileError{Path: path, Err: ErrTooLarge, Limit: limit}
	}
	return nil
}
