package assets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

func site(t *testing.T, cfg runtime.AssetsConfig, hasWorker bool) *Site {
	t.Helper()
	if cfg.Directory == "" {
		cfg.Directory = "../../testdata/assets/worker/public"
	}
	s, err := Load(cfg, hasWorker)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func req(path string, headers ...[2]string) runtime.HTTPRequest {
	return runtime.HTTPRequest{Method: "GET", URL: "http://localhost:8787" + path, Headers: headers}
}

func header(res *runtime.RunResult, name string) string {
	for _, h := range res.Headers {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}

func TestContentTypesAsCloudflareSendsThem(t *testing.T) {
	s := site(t, runtime.AssetsConfig{}, false)
	for path, want := range map[string]string{
		"/":            "text/html; charset=utf-8",
		"/style.css":   "text/css; charset=utf-8",
		"/app.js":      "text/javascript; charset=utf-8",
		"/logo.svg":    "image/svg+xml",
		"/favicon.ico": "image/vnd.microsoft.icon",
		"/photo.jpg":   "image/jpeg",
	} {
		res, ok := s.Serve(req(path))
		if !ok || res.Status != 200 || header(res, "content-type") != want {
			t.Errorf("%s: %v %d %q, want %q", path, ok, res.Status, header(res, "content-type"), want)
		}
	}
}

func TestETagAndIfNoneMatch(t *testing.T) {
	s := site(t, runtime.AssetsConfig{}, false)
	res, _ := s.Serve(req("/style.css"))
	etag := header(res, "etag")
	if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
		t.Fatalf("etag %q", etag)
	}
	res, _ = s.Serve(req("/style.css", [2]string{"if-none-match", etag}))
	if res.Status != 304 || len(res.Body) != 0 {
		t.Fatalf("If-None-Match: %d %q", res.Status, res.Body)
	}
	res, _ = s.Serve(req("/style.css", [2]string{"if-none-match", `"other"`}))
	if res.Status != 200 {
		t.Fatalf("a stale etag: %d", res.Status)
	}
}

func TestHTMLHandling(t *testing.T) {
	type want struct {
		status   int
		location string
		body     string
	}
	cases := map[string]map[string]want{
		"auto-trailing-slash": {
			"/about": {200, "", "About"}, "/about.html": {307, "/about", ""}, "/about/": {307, "/about", ""},
			"/blog": {307, "/blog/", ""}, "/blog/": {200, "", "Blog"}, "/blog/index.html": {307, "/blog/", ""},
			"/index.html": {307, "/", ""}, "/": {200, "", "Home"},
		},
		"force-trailing-slash": {
			"/about": {307, "/about/", ""}, "/about/": {200, "", "About"}, "/about.html": {307, "/about/", ""},
			"/blog": {307, "/blog/", ""}, "/blog/": {200, "", "Blog"},
		},
		"drop-trailing-slash": {
			"/about": {200, "", "About"}, "/about/": {307, "/about", ""},
			"/blog": {200, "", "Blog"}, "/blog/": {307, "/blog", ""}, "/blog/index.html": {307, "/blog", ""},
		},
		"none": {
			"/about.html": {200, "", "About"}, "/about": {404, "", ""}, "/blog/index.html": {200, "", "Blog"},
		},
	}
	for mode, paths := range cases {
		s := site(t, runtime.AssetsConfig{HTMLHandling: mode}, false)
		for p, w := range paths {
			res, _ := s.Serve(req(p))
			if res.Status != w.status || header(res, "location") != w.location || !strings.Contains(string(res.Body), w.body) {
				t.Errorf("%s %s: %d location %q body %q; want %+v", mode, p, res.Status, header(res, "location"), res.Body, w)
			}
		}
	}
	// The query string survives a redirect.
	res, _ := site(t, runtime.AssetsConfig{}, false).Serve(req("/about.html?x=1"))
	if header(res, "location") != "/about?x=1" {
		t.Fatalf("location %q", header(res, "location"))
	}
}

func TestNotFoundHandling(t *testing.T) {
	// 404-page: the nearest 404.html up the tree, with status 404.
	s := site(t, runtime.AssetsConfig{NotFoundHandling: "404-page"}, false)
	if res, _ := s.Serve(req("/docs/missing")); res.Status != 404 || !strings.Contains(string(res.Body), "No such doc") {
		t.Fatalf("docs 404: %d %q", res.Status, res.Body)
	}
	if res, _ := s.Serve(req("/nope/deeper")); res.Status != 404 || !strings.Contains(string(res.Body), "Not here") {
		t.Fatalf("root 404: %d %q", res.Status, res.Body)
	}
	// SPA: index.html for any unmatched path; with a Worker, only for a
	// navigation (a browser's page load), others go to the Worker.
	spa := site(t, runtime.AssetsConfig{NotFoundHandling: "single-page-application"}, false)
	if res, _ := spa.Serve(req("/app/route/42")); res.Status != 200 || !strings.Contains(string(res.Body), "Home") {
		t.Fatalf("SPA: %d %q", res.Status, res.Body)
	}
	spaW := site(t, runtime.AssetsConfig{NotFoundHandling: "single-page-application"}, true)
	if _, ok := spaW.Serve(req("/app/route/42")); ok {
		t.Fatal("a fetch() from code got index.html instead of the Worker")
	}
	if res, ok := spaW.Serve(req("/app/route/42", [2]string{"sec-fetch-mode", "navigate"})); !ok || res.Status != 200 {
		t.Fatalf("SPA navigation with a Worker: %v %+v", ok, res)
	}
	// none, with a Worker: misses go to it; the binding answers 404.
	w := site(t, runtime.AssetsConfig{}, true)
	if _, ok := w.Serve(req("/missing")); ok {
		t.Fatal("a miss was not left to the Worker")
	}
	if res := w.Fetch(req("/missing")); res.Status != 404 {
		t.Fatalf("binding miss: %d", res.Status)
	}
	if _, ok := w.Serve(runtime.HTTPRequest{Method: "POST", URL: "http://x/about"}); ok {
		t.Fatal("a POST was answered by the assets")
	}
}

func TestRulesFilesAndIgnore(t *testing.T) {
	s := site(t, runtime.AssetsConfig{}, false)
	res, _ := s.Serve(req("/about"))
	if header(res, "x-frame-options") != "DENY" || header(res, "cache-control") == "" {
		t.Fatalf("_headers /*: %+v", res.Headers)
	}
	res, _ = s.Serve(req("/blog/"))
	if header(res, "x-section") != "blog" || header(res, "cache-control") != "" {
		t.Fatalf("_headers /blog/*: %+v", res.Headers)
	}
	res, _ = s.Serve(req("/old-about"))
	if res.Status != 301 || header(res, "location") != "/about" {
		t.Fatalf("_redirects 301: %d %q", res.Status, header(res, "location"))
	}
	res, _ = s.Serve(req("/posts/hello"))
	if res.Status != 302 || header(res, "location") != "/blog/?from=hello" {
		t.Fatalf("_redirects placeholder: %d %q", res.Status, header(res, "location"))
	}
	res, _ = s.Serve(req("/home"))
	if res.Status != 200 || !strings.Contains(string(res.Body), "Home") {
		t.Fatalf("_redirects 200 rewrite: %d %q", res.Status, res.Body)
	}
	for _, p := range []string{"/secret.txt", "/_headers", "/_redirects", "/.assetsignore", "/../wrangler.jsonc", "/%2e%2e/wrangler.jsonc"} {
		if res, _ := s.Serve(req(p)); res.Status != 404 {
			t.Errorf("%s was served: %d %q", p, res.Status, res.Body)
		}
	}
}

func TestRunWorkerFirstAndSymlinks(t *testing.T) {
	s := site(t, runtime.AssetsConfig{RunWorkerFirstRoutes: []string{"/api/*", "!/api/docs/*"}}, true)
	for p, want := range map[string]bool{"/api/users": true, "/api/docs/intro": false, "/about": false} {
		if got := s.WorkerFirst(p); got != want {
			t.Errorf("WorkerFirst(%s) = %v", p, got)
		}
	}
	if !site(t, runtime.AssetsConfig{RunWorkerFirst: true}, true).WorkerFirst("/about") {
		t.Error("run_worker_first: true")
	}
	// A symlink out of the directory is not followed.
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("outside"), 0o644)
	os.Symlink(outside, filepath.Join(dir, "leak.txt"))
	os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("ok"), 0o644)
	ls := site(t, runtime.AssetsConfig{Directory: dir}, false)
	if res, _ := ls.Serve(req("/leak.txt")); res.Status != 404 {
		t.Fatalf("symlink out of the directory: %d %q", res.Status, res.Body)
	}
	if res, _ := ls.Serve(req("/ok.txt")); res.Status != 200 || header(res, "content-type") != "text/plain; charset=utf-8" {
		t.Fatalf("ok.txt: %d %+v", res.Status, res.Headers)
	}
	if _, err := Load(runtime.AssetsConfig{Directory: filepath.Join(dir, "missing")}, false); err == nil {
		t.Fatal("a missing directory loaded")
	}
}
