package runtime

import (
	"errors"
	"strings"
	"testing"
)

// A binary without the runtime (a plain `go build`, no artifacts built)
// says in one line how to get one; a PYWORKERS_ARTIFACTS pointing at the
// wrong folder says so instead.
func TestMissingRuntimeMessage(t *testing.T) {
	if BundledRuntime() {
		t.Fatal("the test binary carries a runtime bundle: build it without -tags pyworkers_bundle")
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv(EnvArtifacts, "")
	_, err := FindArtifacts("")
	if !errors.Is(err, ErrArtifactsMissing) {
		t.Fatalf("FindArtifacts = %v, want ErrArtifactsMissing", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "carries none") ||
		!strings.Contains(msg, "docs/install.md") || !strings.Contains(msg, "`make artifacts`") {
		t.Errorf("message: %q", msg)
	}

	empty := t.TempDir()
	t.Setenv(EnvArtifacts, empty)
	_, err = FindArtifacts("")
	if !errors.Is(err, ErrArtifactsMissing) || !strings.Contains(err.Error(), "PYWORKERS_ARTIFACTS="+empty) ||
		strings.Contains(err.Error(), "\n") {
		t.Errorf("with %s set: %v", EnvArtifacts, err)
	}
}
