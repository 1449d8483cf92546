package testtree

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Versions the artifacts build (runtime/artifacts/build.sh) pins; a test in
// this package checks they agree with the script.
const (
	PyodideVersion = "0.28.2"
	SDKVersion     = "1.9.5"
)

// ArtifactsDir is where runtime/artifacts/build.sh puts its output, resolved
// as runtime.DefaultArtifactsDir does ($PYWORKERS_ARTIFACTS, else the user
// cache dir) — without importing the runtime, which tests of packages below
// it cannot.
func ArtifactsDir() string {
	if d := os.Getenv("PYWORKERS_ARTIFACTS"); d != "" {
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "pyworkers-lsp", "pyodide-"+PyodideVersion)
}

// RealSDK returns the folder of Cloudflare's workers-runtime-sdk as
// build.sh unpacks it from PyPI (the folder holding the `workers` package).
// A missing or incomplete one fails the test: `make test` fetches it, so
// tests that promise to run against the real SDK never skip silently.
func RealSDK(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(ArtifactsDir(), "workers-runtime-sdk-"+SDKVersion)
	stamp, err := os.ReadFile(filepath.Join(dir, ".complete"))
	if err == nil && !strings.Contains(string(stamp), "workers_runtime_sdk-"+SDKVersion+"-") {
		err = os.ErrInvalid
	}
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "workers", "__init__.py"))
	}
	if err != nil {
		t.Fatalf("workers-runtime-sdk %s is not unpacked in %s (%v): run `bash runtime/artifacts/build.sh` (the Makefile does)", SDKVersion, dir, err)
	}
	return dir
}

// VendorSDK copies the SDK's `workers` package from sdk (a RealSDK folder)
// into the Worker at workerDir, as pywrangler vendors it into
// python_modules/. An empty sdk leaves the Worker on the built-in SDK.
func VendorSDK(t testing.TB, sdk, workerDir string) {
	t.Helper()
	if sdk != "" {
		Copy(t, filepath.Join(sdk, "workers"), filepath.Join(workerDir, "python_modules", "workers"))
	}
}

// SDKs names the SDKs the runtime's tests run Workers under: "builtin" (the
// runtime's own, value "": the test sets WorkerSpec.SDK = "builtin", since
// a Worker that vendors none otherwise gets the real SDK shipped with the
// artifacts) and "realsdk" (Cloudflare's, value its folder, vendored).
func SDKs(t testing.TB) map[string]string {
	t.Helper()
	return map[string]string{"builtin": "", "realsdk": RealSDK(t)}
}

// PackagesDir is the site-packages tree testdata/packages/fetch.sh unpacks
// the pinned PyPI test packages into ($PYWORKERS_TEST_PACKAGES/site, else
// <repo>/.cache/test-packages/site). A missing one fails the test: `make
// test` fetches them.
func PackagesDir(t testing.TB) string {
	t.Helper()
	base := os.Getenv("PYWORKERS_TEST_PACKAGES")
	if base == "" {
		root, err := repoRoot()
		if err != nil {
			t.Fatal(err)
		}
		base = filepath.Join(root, ".cache", "test-packages")
	}
	site := filepath.Join(base, "site")
	if _, err := os.Stat(filepath.Join(site, ".complete")); err != nil {
		t.Fatalf("the test packages are not in %s (%v): run `bash testdata/packages/fetch.sh` (the Makefile does)", site, err)
	}
	return site
}

// VendorPackages copies the named top-level packages (import names, e.g.
// "requests", "urllib3") of PackagesDir into the Worker's python_modules/,
// with their .dist-info folders, as `pywrangler sync` vendors them.
func VendorPackages(t testing.TB, workerDir string, names ...string) {
	t.Helper()
	site := PackagesDir(t)
	ents, err := os.ReadDir(site)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		found := false
		for _, e := range ents {
			n := e.Name()
			dist := strings.HasSuffix(n, ".dist-info") && strings.EqualFold(strings.SplitN(n, "-", 2)[0], name)
			if n == name || n == name+".py" || dist {
				found = found || !dist
				Copy(t, filepath.Join(site, n), filepath.Join(workerDir, "python_modules", n))
			}
		}
		if !found {
			t.Fatalf("package %q is not among the test packages in %s (testdata/packages/requirements.txt)", name, site)
		}
	}
}

// repoRoot is the folder holding go.mod, found upwards from the working
// directory (a test runs in its package's folder).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// NativeDir is the python_modules-like tree testdata/native/build.sh
// compiles the native test modules into ($PYWORKERS_NATIVE_FIXTURES/site,
// else <repo>/.cache/native/site). A missing one fails the test: `make
// test` builds them.
func NativeDir(t testing.TB) string {
	t.Helper()
	base := os.Getenv("PYWORKERS_NATIVE_FIXTURES")
	if base == "" {
		root, err := repoRoot()
		if err != nil {
			t.Fatal(err)
		}
		base = filepath.Join(root, ".cache", "native")
	}
	site := filepath.Join(base, "site")
	if _, err := os.Stat(filepath.Join(site, ".complete")); err != nil {
		t.Fatalf("the native test modules are not in %s (%v): run `bash testdata/native/build.sh` (the Makefile does)", site, err)
	}
	return site
}

// CPythonTestsDir holds CPython's own test suites of the modules
// runtime/artifacts/cpython/build.sh compiles (test/support,
// test/test_sqlite3), from the same CPython source ($PYWORKERS_CPYTHON_TESTS,
// else <repo>/.cache/cpython-tests). A missing one fails the test: `make
// artifacts` builds it.
func CPythonTestsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("PYWORKERS_CPYTHON_TESTS")
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, ".cache", "cpython-tests")
	}
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err != nil {
		t.Fatalf("CPython's test suites are not in %s (%v): run `bash runtime/artifacts/cpython/build.sh` (make artifacts does)", dir, err)
	}
	return dir
}
