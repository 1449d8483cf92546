package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"
)

// PyodideVersion is the Pyodide release the runtime loads (Python 3.13, the
// interpreter Cloudflare's runtime uses for compatibility dates from 2025-09-29).
const PyodideVersion = pyodide.PyodideVersion

// BundledSDKVersion is the workers-runtime-sdk release the artifacts ship
// (runtime/artifacts/build.sh fetches it from PyPI): the SDK a Worker that
// vendors none runs with.
const BundledSDKVersion = "1.9.5"

// BuildCommand is what a user runs to create the artifacts.
const BuildCommand = "bash runtime/artifacts/build.sh"

// Environment variables that move the runtime's files.
const (
	EnvArtifacts    = "PYWORKERS_ARTIFACTS"     // directory holding the built Pyodide artifacts
	EnvCompileCache = "PYWORKERS_COMPILE_CACHE" // directory for wazero's compilation cache
	EnvCacheDir     = "PYWORKERS_CACHE_DIR"     // base of both caches when the specific ones are unset
)

// DefaultArtifactsDir is $PYWORKERS_ARTIFACTS, else the user cache dir.
func DefaultArtifactsDir() string {
	if d := os.Getenv(EnvArtifacts); d != "" {
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "pyworkers-lsp", "pyodide-"+pyodide.PyodideVersion)
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

// ErrArtifactsMissing is wrapped by FindArtifacts when the build has not run.
var ErrArtifactsMissing = errors.New("pyodide artifacts missing")

// FindArtifacts checks that every artifact exists in dir ("" = default).
func FindArtifacts(dir string) (*pyodide.Artifacts, error) {
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
	for _, f := range []string{a.Checksums, a.Wasm, a.Stdlib, a.LoaderJS} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("%w: %s not found; build them with `%s` (or set %s to their directory)",
				ErrArtifactsMissing, f, BuildCommand, EnvArtifacts)
		}
	}
	return a, nil
}
