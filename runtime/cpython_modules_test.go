package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

func sqliteSpec() WorkerSpec {
	return WorkerSpec{ProjectDir: "../testdata/runtime/sqlite", Main: "src/entry.py",
		CompatibilityDate: "2025-10-01", CompatibilityFlags: []string{"python_workers"}}
}

// Issue 11: `import sqlite3` with nothing vendored installs the runtime's
// own build of Pyodide's sqlite3 package (CPython 3.13.5's _sqlite and
// SQLite compiled by runtime/artifacts/cpython/build.sh) from the
// artifacts, offline, and it works: a file database, FTS5, JSON, serialize.
func TestSQLite3BuiltFromSource(t *testing.T) {
	var progress []string
	e := NewEngine(EngineOptions{PackagesCacheDir: t.TempDir(), OnPackageProgress: func(m string) {
		if !strings.Contains(m, "native module") { // the first compile's report: TestLargeNativeModuleCompileReported
			progress = append(progress, m)
		}
	}})
	t.Cleanup(e.Close)
	t.Setenv(EnvPackagesURL, "")
	ctx := context.Background()
	res, err := e.RunFetch(ctx, sqliteSpec(), HTTPRequest{URL: "http://localhost/"})
	if err != nil {
		t.Fatal(err)
	}
	wantOK(t, res)
	var got struct {
		SQLite, Installed, FTS5, JSON, Serialized string
		Rows                                      [][]any
	}
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatalf("%v: %s", err, res.Body)
	}
	if got.SQLite != "3.51.1" || !strings.HasSuffix(got.Installed, ".pyworkers-build") || got.FTS5 != "the quick brown fox" ||
		got.JSON != `{"n":3,"pi":3.142}` || got.Serialized != "SQLite format 3\x00" || fmt.Sprint(got.Rows) != "[[1 héllo 5] [2 wörld 5] [3 中文 2]]" {
		t.Fatalf("body %s", res.Body)
	}
	if len(progress) != 1 || !strings.Contains(progress[0], "sqlite3-1.0.0-cp313-cp313-pyodide_2025_0_wasm32.whl (built from CPython's sources") {
		t.Fatalf("progress %q", progress)
	}
}

// CPython's own test suite of sqlite3 (Lib/test/test_sqlite3 of the same
// CPython 3.13.5 source), run inside a Worker against the built module:
// every test passes or is skipped by the suite itself.
func TestCPythonSQLiteSuite(t *testing.T) {
	dir := t.TempDir()
	spec := writeWorker(t, dir, `
import io, unittest
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        out = io.StringIO()
        suite = unittest.defaultTestLoader.loadTestsFromName("test.test_sqlite3")
        r = unittest.TextTestRunner(stream=out, verbosity=1).run(suite)
        return Response.json({"run": r.testsRun, "failures": len(r.failures), "errors": len(r.errors),
                              "skipped": len(r.skipped), "report": out.getvalue()[-6000:]})
`)
	testtree.Copy(t, filepath.Join(testtree.CPythonTestsDir(t), "test"), filepath.Join(dir, "python_modules", "test"))
	spec.Limits.WallClock = 5 * time.Minute
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	var got struct {
		Run, Failures, Errors, Skipped int
		Report                         string
	}
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatalf("%v: %s", err, res.Body)
	}
	t.Logf("test_sqlite3: %d run, %d skipped", got.Run, got.Skipped)
	if got.Run < 450 || got.Failures != 0 || got.Errors != 0 {
		t.Fatalf("test_sqlite3: %d run, %d failures, %d errors\n%s", got.Run, got.Failures, got.Errors, got.Report)
	}
}

// ssl and hashlib from the runtime's own builds (CPython 3.13.5's _ssl and
// _hashopenssl with OpenSSL 3.0 linked in): a default client context loads
// certifi's CA bundle (vendored from PyPI) with every certificate in it,
// randomness comes from /dev/urandom as Emscripten's file system has it,
// and OpenSSL's hashes and PBKDF2 give the known answers.
func TestSSLAndHashlibBuiltFromSource(t *testing.T) {
	dir := t.TempDir()
	spec := writeWorker(t, dir, `
import ssl, _hashlib, certifi
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        ctx = ssl.create_default_context(cafile=certifi.where())
        return Response.json({
            "openssl": ssl.OPENSSL_VERSION,
            "cas": len(ctx.get_ca_certs()),
            "verify": ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname,
            "minimum": ctx.minimum_version.name,
            "rand": len(set(ssl.RAND_bytes(16) for _ in range(4))),
            "sha256": _hashlib.new("sha256", b"abc").hexdigest(),
            "sha3": _hashlib.new("sha3_256", b"abc").hexdigest(),
            "pbkdf2": _hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 1000).hex(),
        })
`)
	testtree.VendorPackages(t, dir, "certifi")
	pem, err := os.ReadFile(filepath.Join(testtree.PackagesDir(t), "certifi", "cacert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	var got struct {
		OpenSSL, Minimum, SHA256, SHA3, PBKDF2 string
		CAs, Rand                              int
		Verify                                 bool
	}
	if err := json.Unmarshal(res.Body, &got); err != nil {
		t.Fatalf("%v: %s", err, res.Body)
	}
	// Known answers: FIPS 180-2 and FIPS 202 for "abc"; PBKDF2 from CPython's own hashlib on the host.
	if got.OpenSSL != "OpenSSL 3.0.20 7 Apr 2026" || got.CAs != bytes.Count(pem, []byte("BEGIN CERTIFICATE")) || !got.Verify ||
		got.Minimum != "TLSv1_2" || got.Rand != 4 ||
		got.SHA256 != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" ||
		got.SHA3 != "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532" ||
		got.PBKDF2 != "0a38253555ce37f5c72a6b703f996814ebf241f203af146e93dcdeb031c5567e" {
		t.Fatalf("body %s (certifi has %d certificates)", res.Body, bytes.Count(pem, []byte("BEGIN CERTIFICATE")))
	}
}

// A Worker's snapshot on disk that had loaded a native module from a
// packages cache that is gone (emptied, or another cache folder) is stale:
// the run drops it and takes a new one instead of failing.
func TestStaleDedicatedSnapshotIsRetaken(t *testing.T) {
	t.Setenv(EnvPackagesURL, "")
	dir := t.TempDir()
	testtree.Copy(t, "../testdata/runtime/sqlite", dir)
	spec := sqliteSpec()
	spec.ProjectDir = dir
	for i, cache := range []string{t.TempDir(), t.TempDir()} {
		e := NewEngine(EngineOptions{PackagesCacheDir: cache})
		res, err := e.RunFetch(context.Background(), spec, HTTPRequest{URL: "http://localhost/"})
		e.Close()
		if err != nil {
			t.Fatalf("engine %d: %v", i+1, err)
		}
		wantOK(t, res)
		if !strings.Contains(string(res.Body), `"fts5": "the quick brown fox"`) {
			t.Fatalf("engine %d: %s", i+1, res.Body)
		}
	}
}

// lzma from the runtime's own build (CPython 3.13.5's _lzma, xz 5.8.1's
// liblzma linked in): the .xz, legacy .lzma and raw formats with a filter
// chain round-trip, the .xz output is byte for byte what CPython on the
// host writes for the same input, and the SHA-256 check is there.
func TestLZMABuiltFromSource(t *testing.T) {
	dir := t.TempDir()
	spec := writeWorker(t, dir, `
import lzma
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        data = b"hello " * 1000
        chain = [{"id": lzma.FILTER_DELTA, "dist": 4}, {"id": lzma.FILTER_LZMA2, "preset": 1}]
        xz = lzma.compress(data)
        ok = (lzma.decompress(xz) == data
              and lzma.decompress(lzma.compress(data, format=lzma.FORMAT_ALONE)) == data
              and lzma.decompress(lzma.compress(data, format=lzma.FORMAT_RAW, filters=chain), format=lzma.FORMAT_RAW, filters=chain) == data
              and lzma.decompress(lzma.compress(data, check=lzma.CHECK_SHA256)) == data)
        return Response.json({"ok": ok, "xz": xz.hex(), "sha256": lzma.is_check_supported(lzma.CHECK_SHA256)})
`)
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	// python3 -c 'import lzma; print(lzma.compress(b"hello " * 1000).hex())' (CPython 3.11, liblzma 5.4)
	const hostXZ = "fd377a585a000004e6d6b4460200210116000000742fe5a3e0176f00275d00341949ee8de95fc1f0f71744508562c30882dc61136033e191b56953251eba714fabebfb648c000000a438673cb440a3e8000143f02e0000004f244042b1c467fb020000000004595a"
	if !strings.Contains(string(res.Body), `"ok": true`) || !strings.Contains(string(res.Body), `"sha256": true`) ||
		!strings.Contains(string(res.Body), `"xz": "`+hostXZ+`"`) {
		t.Fatalf("body %s", res.Body)
	}
}

// The first compile of a large side module (the runtime's _ssl, 2.9 MB) is
// reported where package installs are (stderr for `run`, $/progress in the
// editor); a later process, whose compile comes from wazero's disk cache,
// says nothing.
func TestLargeNativeModuleCompileReported(t *testing.T) {
	t.Setenv(EnvPackagesURL, "")
	if err := os.RemoveAll(filepath.Join(DefaultCompileCacheDir(), "pyworkers-native")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	spec := writeWorker(t, dir, `
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        import ssl
        return Response(ssl.OPENSSL_VERSION)
`)
	for i, want := range []int{2, 0} {
		var msgs []string
		e := NewEngine(EngineOptions{OnPackageProgress: func(m string) {
			if strings.Contains(m, "native module") {
				msgs = append(msgs, m)
			}
		}})
		res, err := e.RunFetch(context.Background(), spec, HTTPRequest{URL: "http://localhost/"})
		e.Close()
		if err != nil {
			t.Fatal(err)
		}
		wantOK(t, res)
		if len(msgs) != want || (want > 0 && (!strings.HasPrefix(msgs[0], "compiling native module _ssl.cpython-313-wasm32-emscripten.so (2.") ||
			!strings.HasPrefix(msgs[1], "compiled native module _ssl.cpython-313-wasm32-emscripten.so in "))) {
			t.Fatalf("process %d: %q", i+1, msgs)
		}
		if want > 0 {
			t.Logf("%s", msgs[1])
		}
	}
}
