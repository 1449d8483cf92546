// Package bundle holds the runtime's files when the binary carries them:
// a release build (`make release`, build tag pyworkers_bundle) embeds the
// artifacts directory that runtime/artifacts/build.sh produces as one
// gzip-compressed tar, and the first run unpacks it into the user cache,
// where the rest of the runtime reads it like any artifacts directory.
package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// archive is the embedded tar.gz (embed.go), nil in a plain `go build`.
var archive []byte

// stampName marks a completely unpacked bundle; it holds the archive's hash.
const stampName = ".bundle-complete"

// maxUnpacked bounds what one archive may unpack to: the real one is ~12 MB,
// so a corrupt or hostile one cannot fill the disk.
const maxUnpacked = 256 << 20

// Present reports whether this binary carries the runtime's files.
func Present() bool { return len(archive) > 0 }

var (
	idOnce sync.Once
	id     string
)

// ID names this binary's bundle: the first 16 hex digits of its sha256.
func ID() string {
	idOnce.Do(func() {
		sum := sha256.Sum256(archive)
		id = hex.EncodeToString(sum[:])[:16]
	})
	return id
}

// Dir is where the bundle unpacks under base: one directory per bundle, so
// binaries of different releases sharing a cache never mix their files.
func Dir(base, version string) string {
	return filepath.Join(base, "runtime-"+version+"-"+ID())
}

// Unpack makes sure the bundle is unpacked in dir and returns dir. A
// complete earlier unpacking (its stamp matches) is reused as it is; else
// the archive unpacks into a temporary sibling that is renamed into place,
// so concurrent processes (the editor's server and a `run` in a terminal)
// never see half a directory.
func Unpack(dir string) (string, error) {
	if !Present() {
		return "", errors.New("this binary carries no runtime bundle")
	}
	if complete(dir) {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("unpacking the Python runtime: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return "", fmt.Errorf("unpacking the Python runtime: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := unpackTo(tmp, archive); err != nil {
		return "", fmt.Errorf("unpacking the Python runtime into %s: %w", filepath.Dir(dir), err)
	}
	if err := os.WriteFile(filepath.Join(tmp, stampName), []byte(ID()+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("unpacking the Python runtime: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another process won the race (or left a broken copy: replace it).
		if complete(dir) {
			return dir, nil
		}
		if rmErr := os.RemoveAll(dir); rmErr != nil {
			return "", fmt.Errorf("unpacking the Python runtime: %w", rmErr)
		}
		if err := os.Rename(tmp, dir); err != nil {
			if complete(dir) {
				return dir, nil
			}
			return "", fmt.Errorf("unpacking the Python runtime: %w", err)
		}
	}
	return dir, nil
}

func complete(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, stampName))
	return err == nil && strings.TrimSpace(string(b)) == ID()
}

// unpackTo writes the regular files and directories of a tar.gz under dir;
// any other entry, or a name leaving dir, is an error.
func unpackTo(dir string, data []byte) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	var total int64
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if name == "." {
			continue
		}
		if !fs.ValidPath(name) {
			return fmt.Errorf("bad entry name %q", h.Name)
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			total += h.Size
			if total > maxUnpacked {
				return fmt.Errorf("the bundle unpacks to more than %d MB", maxUnpacked>>20)
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			if err := writeFile(target, tr, h.Size); err != nil {
				return err
			}
		default:
			return fmt.Errorf("entry %q is not a file or directory", h.Name)
		}
	}
}

func writeFile(target string, r io.Reader, size int64) error {
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(r, size))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != size {
		err = fmt.Errorf("%s: truncated", filepath.Base(target))
	}
	return err
}
