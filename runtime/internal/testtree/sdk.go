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
// runtime's own, value "") and "realsdk" (Cloudflare's, value its folder).
func SDKs(t testing.TB) map[string]string {
	t.Helper()
	return map[string]string{"builtin": "", "realsdk": RealSDK(t)}
}
