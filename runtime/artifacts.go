package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/bundle"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"
)

// PyodideVersion is the Pyodide release the runtime loads (Python 3.13, the
// interpreter Cloudflare's runtime uses for compatibility dates from 2025-09-29).
const PyodideVersion = pyodide.PyodideVersion

// BundledSDKVersion is the workers-runtime-sdk release the artifacts ship
// (runtime/artifacts/build.sh fetches it from PyPI): the SDK a Worker that
// vendors none runs with.
const BundledSDKVersion = "1.9.5"

// BuildCommand is what a developer runs in a checkout to create the artifacts.
const BuildCommand = "make artifacts"

// Environment variables that move the runtime's files.
const (
	EnvArtifacts    = "PYWORKERS_ARTIFACTS"     // directory holding the built Pyodide artifacts
	EnvCompileCache = "PYWORKERS_COMPILE_CACHE" // directory for wazero's compilation cache
	EnvCacheDir     = "PYWORKERS_CACHE_DIR"     // base of both caches when the specific ones are unset
)

// DefaultArtifactsDir is $PYWORKERS_ARTIFACTS, else where
// runtime/artifacts/build.sh writes them in the user cache.
func DefaultArtifactsDir() string {
	if d := os.Getenv(EnvArtifacts); d != "" {
		return d
	}
	return filepath.Join(userCacheBase(), "pyodide-"+pyodide.PyodideVersion)
}

// userCacheBase is pyworkers-lsp's folder in the platform's user cache
// (~/.cache, ~/Library/Caches, %LocalAppData%).
func userCacheBase() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "pyworkers-lsp")
}

// BundledRuntime reports whether this binary carries the runtime's files.
func BundledRuntime() bool { return bundle.Present() }

// bundleDir is where this binary's embedded runtime unpacks:
// $PYWORKERS_CACHE_DIR, else the user cache.
func bundleDir() string {
	base := os.Getenv(EnvCacheDir)
	if base == "" {
		base = userCacheBase()
	}
	return bundle.Dir(base, pyodide.PyodideVersion)
}

// DefaultCompileCacheDir is $PYWORKERS_COMPILE_CACHE, else the user cache dir.
func DefaultCompileCacheDir() string {
	if d := os.Getenv(EnvCompileCache); d != "" {
		return d
	}
	if d := os.Getenv(EnvCacheDir); d != "" {
		return filepath.Join(d, "wazero")
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "pyworkers-lsp", "wazero")
}

// CompileCacheCold reports whether the default compilation cache is empty:
// the next start compiles the interpreter (about 30 s) instead of loading it.
func CompileCacheCold() bool { return dirEmpty(DefaultCompileCacheDir()) }

// ErrArtifactsMissing is wrapped by FindArtifacts when the build has not run.
var ErrArtifactsMissing = errors.New("no Python runtime")

// FindArtifacts checks that every artifact exists in dir. With dir "" it is
// $PYWORKERS_ARTIFACTS, else the runtime this binary carries (unpacked into
// the cache on first use), else build.sh's output in the user cache.
func FindArtifacts(dir string) (*pyodide.Artifacts, error) {
	if dir == "" && os.Getenv(EnvArtifacts) == "" && bundle.Present() {
		d, err := bundle.Unpack(bundleDir())
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if dir == "" {
		dir = DefaultArtifactsDir()
	}
	a := &pyodide.Artifacts{
		Dir:       dir,
		Wasm:      filepath.Join(dir, "pyodide.exnref.wasm"),
		Stdlib:    filepath.Join(dir, "python_stdlib.zip"),
		LoaderJS:  filepath.Join(dir, "pyodide.asm.js"),
		LockFile:  filepath.Join(dir, "pyodide-lock.json"),
		Checksums: filepath.Join(dir, ".complete"),
	}
	sdk := filepath.Join(dir, "workers-runtime-sdk-"+BundledSDKVersion)
	if _, err := os.Stat(filepath.Join(sdk, ".complete")); err == nil {
		a.SDK = sdk
	}
	mods := filepath.Join(dir, "cpython-modules")
	if _, err := os.Stat(filepath.Join(mods, ".complete")); err == nil {
		a.CPythonModules = mods
	}
	for _, f := range []string{a.Checksums, a.Wasm, a.Stdlib, a.LoaderJS} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("%w: %s", ErrArtifactsMissing, missingHint(f))
		}
	}
	return a, nil
}

// missingHint is the one line a user reads when no runtime is found.
func missingHint(file string) string {
	if os.Getenv(EnvArtifacts) != "" {
		return fmt.Sprintf("%s=%s has no %s (unset it, or build the files there with `PYWORKERS_ARTIFACTS=dir bash runtime/artifacts/build.sh`)",
			EnvArtifacts, os.Getenv(EnvArtifacts), filepath.Base(file))
	}
	return fmt.Sprintf("this build of pyworkers-lsp carries none and %s is missing: install a release binary (docs/install.md) or, in a checkout, run `%s`", file, BuildCommand)
}
