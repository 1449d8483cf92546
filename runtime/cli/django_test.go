package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/localdata"
)

// Issues 11 and 12: a Django Worker on D1 through django-cf, with django,
// django-cf, asgiref, sqlparse and workers-runtime-sdk from PyPI vendored as
// `pywrangler sync` does, answers through `run`: Django's own `migrate`
// creates its tables in local D1 (run_sync under django-cf's backend, the
// sqlite3 module Django's SQLite backend imports built by the runtime), a
// POST stores a note, a GET lists it, and `d1 execute` reads it back from
// the same SQLite file.
func TestRunDjangoOnD1(t *testing.T) {
	dir := t.TempDir()
	testtree.Copy(t, "../../testdata/runtime/django", dir)
	testtree.VendorPackages(t, dir, "django", "django_cf", "asgiref", "sqlparse")
	testtree.VendorSDK(t, testtree.RealSDK(t), dir)
	config := filepath.Join(dir, "wrangler.jsonc")
	run := func(args ...string) (string, time.Duration) {
		t.Helper()
		start := time.Now()
		code, out, errOut := runCLI(t, append([]string{"--config", config, "--timeout", "2m"}, args...)...)
		if code != 0 {
			t.Fatalf("run %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errOut)
		}
		return out, time.Since(start)
	}
	if out, took := run("-X", "POST", "/__migrate__"); !strings.HasSuffix(out, `{"migrated": true}`) {
		t.Fatalf("migrate: %s", out)
	} else {
		t.Logf("first run (imports Django, takes the snapshot, migrates): %v", took.Round(time.Millisecond))
	}
	if out, _ := run("-d", `{"text": "from run"}`, "/notes/"); !strings.HasPrefix(out, "HTTP/1.1 201 Created") || !strings.HasSuffix(out, `{"id": 1, "text": "from run"}`) {
		t.Fatalf("POST: %s", out)
	}
	out, took := run("/notes/")
	if !strings.HasSuffix(out, `{"notes": ["from run"]}`) {
		t.Fatalf("GET: %s", out)
	}
	t.Logf("a later run (Django restored from the snapshot after the top level): %v", took.Round(time.Millisecond))
	if out, _ := run("/"); !strings.HasSuffix(out, "hello from django") {
		t.Fatalf("hello: %s", out)
	}

	var stdout, stderr bytes.Buffer
	if code := localdata.Main("d1", []string{"execute", "DB", "--config", config, "--json", "--command",
		"select text from notes_note; select count(*) as n from django_migrations where app = 'notes'"}, &stdout, &stderr); code != 0 {
		t.Fatalf("d1 execute: exit %d: %s", code, stderr.String())
	}
	if s := strings.Join(strings.Fields(stdout.String()), ""); !strings.Contains(s, `"text":"fromrun"`) || !strings.Contains(s, `"n":1`) {
		t.Fatalf("local D1 holds: %s", stdout.String())
	}
}
