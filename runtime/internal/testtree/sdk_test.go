package testtree

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// The versions here must be the ones build.sh fetches, and the SDK's wheel
// must have its checksum recorded.
func TestVersionsMatchTheBuildScript(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("..", "..", "artifacts", "build.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"PYODIDE_VERSION": PyodideVersion, "SDK_VERSION": SDKVersion} {
		m := regexp.MustCompile(`(?m)^` + name + `=(\S+)$`).FindSubmatch(script)
		if m == nil || string(m[1]) != want {
			t.Errorf("build.sh sets %s to %q, testtree expects %q", name, m, want)
		}
	}
	sums, err := os.ReadFile(filepath.Join("..", "..", "artifacts", "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^[0-9a-f]{64}  workers_runtime_sdk-` + regexp.QuoteMeta(SDKVersion) + `-py3-none-any\.whl$`).Match(sums) {
		t.Errorf("SHA256SUMS records no checksum for workers-runtime-sdk %s", SDKVersion)
	}
}

func TestRealSDKIsUnpacked(t *testing.T) {
	dir := RealSDK(t)
	for _, f := range []string{"workers/__init__.py", "workers/entrypoints.py"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}
