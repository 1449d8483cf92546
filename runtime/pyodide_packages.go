package runtime

// Pyodide's own packages for Workers that import them without vendoring
// them (issue 11): a finder at the end of sys.meta_path (boot.go) asks
// install_package for a top-level name; a name of a pyodide-lock.json
// package is installed into the user cache (packages.Installer) and its
// folders are mounted into the interpreter under /pyodide-packages.

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/js"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/memfs"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/packages"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"
)

// EnvPackagesURL points the installer at a mirror of Pyodide's distribution
// folder for the version, or a local folder holding its package files.
const EnvPackagesURL = "PYWORKERS_PACKAGES_URL"

// packagesRoot is where installed packages appear inside the interpreter.
const packagesRoot = "/pyodide-packages"

// DefaultPackagesCacheDir is the user cache of installed Pyodide packages,
// shared by all projects.
func DefaultPackagesCacheDir() string {
	return filepath.Join(filepath.Dir(DefaultCompileCacheDir()), "pyodide-packages", pyodide.PyodideVersion)
}

// SetPackagesURL changes where packages not yet cached come from ("" goes
// back to EngineOptions.PackagesURL, env PYWORKERS_PACKAGES_URL or the CDN).
func (e *Engine) SetPackagesURL(u string) { e.pkgSource.Store(&u) }

func (e *Engine) packagesSource() string {
	if u := e.chosenPackagesSource(); u != "" {
		return u
	}
	return packages.DefaultSource(pyodide.PyodideVersion)
}

// chosenPackagesSource is the mirror or folder the user set, "" for none.
func (e *Engine) chosenPackagesSource() string {
	if p := e.pkgSource.Load(); p != nil && *p != "" {
		return *p
	}
	if e.opts.PackagesURL != "" {
		return e.opts.PackagesURL
	}
	return os.Getenv(EnvPackagesURL)
}

func (e *Engine) installer() (*packages.Installer, error) {
	e.pkgOnce.Do(func() {
		lockFile := e.opts.PackageLock
		if lockFile == "" && e.art != nil {
			lockFile = e.art.LockFile
		}
		lock, err := packages.ReadLock(lockFile)
		if err != nil {
			e.pkgErr = err
			return
		}
		dir := e.opts.PackagesCacheDir
		if dir == "" {
			dir = DefaultPackagesCacheDir()
		}
		e.pkgs = &packages.Installer{Lock: lock, Source: e.packagesSource, Dir: dir, Progress: func(msg string) {
			e.log.Info("pyodide packages: " + msg)
			if e.opts.OnPackageProgress != nil {
				e.opts.OnPackageProgress(msg)
			}
		}}
		// The runtime's own builds of ssl, sqlite3, … stand in for Pyodide's
		// files unless the user pointed the installer at a copy of those.
		if e.art != nil && e.art.CPythonModules != "" && e.opts.PackageLock == "" {
			b, err := packages.ReadBuiltin(e.art.CPythonModules, lock)
			if err != nil {
				e.log.Warn("the runtime's CPython modules are unreadable", "err", err)
			}
			e.pkgs.Builtin = b
			e.pkgs.SourceChosen = func() bool { return e.chosenPackagesSource() != "" }
		}
	})
	return e.pkgs, e.pkgErr
}

// installPackageFunc answers the finder: "" (not a lock package: the
// import goes on to fail as usual), "ok:" and the folders to search,
// "missing:" and a hint (a lock package the project does not declare), or
// "error:" and why the package cannot be had.
//
// The cpython_module packages are always installed: Cloudflare's runtime has
// them. Other lock packages only when the project declares them (pyproject.toml
// dependencies, requirements.txt): libraries probe optional imports (urllib3
// tries brotli and zstandard, both in the lock), and on Cloudflare a package
// nobody vendored is not there.
func (e *Engine) installPackageFunc(w *pyodide.World, projectDir string) func(Value, []Value) Value {
	var declared map[string]bool
	return func(_ Value, a []Value) Value {
		name := js.ToString(js.Arg(a, 0))
		in, err := e.installer()
		if err != nil {
			e.log.Debug("no package lock", "err", err)
			return ""
		}
		p := in.Lock.ForImport(name)
		if p == nil {
			return ""
		}
		if p.PackageType != "cpython_module" {
			if declared == nil {
				declared = declaredDependencies(projectDir)
			}
			if !declared[project.NormalizeName(p.Name)] {
				return "missing:No module named '" + name + "': Pyodide " + pyodide.PyodideVersion + " has it (package " + p.Name + " " +
					p.Version + "), but the project does not declare it: add it to pyproject.toml's dependencies and run `uv run pywrangler sync`"
			}
		}
		got, err := in.Install(p)
		if err != nil {
			why := err.Error()
			var ie *packages.InstallError
			if errors.As(err, &ie) && ie.Package != p {
				why = p.Name + " " + p.Version + " needs " + why
			}
			return "error:No module named '" + name + "': " + why +
				". Installed packages are cached once downloaded (shared by all projects); offline, put Pyodide " +
				pyodide.PyodideVersion + "'s package files in a folder and point " + EnvPackagesURL +
				" (the editor setting pyworkers.packagesURL) at it, or vendor the package into python_modules/ (`uv run pywrangler sync`)."
		}
		var dirs, libDirs []string
		for _, d := range got.Dirs {
			inFS := packagesRoot + "/" + filepath.Base(d)
			w.Inst.MountHost(inFS, d)
			if slices.Contains(got.LibDirs, d) {
				libDirs = append(libDirs, inFS)
			} else {
				dirs = append(dirs, inFS)
			}
		}
		w.Inst.AddLibraryDirs(libDirs...)
		return "ok:" + strings.Join(dirs, "\x00")
	}
}

// mountInstalledPackages makes every installed package visible in a run's
// file system, so that a snapshot taken after one was imported restores
// with its files (and native modules) in place.
func (e *Engine) mountInstalledPackages(fs *memfs.FS) {
	dir := e.opts.PackagesCacheDir
	if dir == "" {
		dir = DefaultPackagesCacheDir()
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, ent := range ents {
		if ent.IsDir() && !strings.HasPrefix(ent.Name(), ".") {
			if _, err := os.Stat(filepath.Join(dir, ent.Name(), ".pyworkers-sha256")); err == nil {
				fs.MountHost(packagesRoot+"/"+ent.Name(), filepath.Join(dir, ent.Name()))
			}
		}
	}
}
