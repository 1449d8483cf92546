// Package assets serves a Worker's static assets as Cloudflare does: the
// `assets` block of the wrangler config (directory, binding, html_handling,
// not_found_handling, run_worker_first), the directory's _headers,
// _redirects and .assetsignore files, Cloudflare's content types, and
// ETag / If-None-Match. `run`, the lenses and the dev server answer from it
// before the Worker; the ASSETS binding (a Fetcher) fetches from it.
//
// Files are read from disk on each request, so an edit shows at once.
package assets

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	gitignore "github.com/sabhiram/go-gitignore"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// Cloudflare's limits on an asset and on the rules files.
const (
	MaxAssetBytes    = 25 << 20
	maxRulesBytes    = 1 << 20
	maxRedirectRules = 2100
	maxHeaderRules   = 100
)

// Site is a Worker's assets directory with its rules.
type Site struct {
	cfg       runtime.AssetsConfig
	root      string // the directory, symlinks resolved
	hasWorker bool
	ignore    *gitignore.GitIgnore
	headers   []headerRule
	redirects []redirectRule
}

// Load reads the directory's rules files. hasWorker says whether the
// Worker has a main module (requests no asset matches then go to it).
func Load(cfg runtime.AssetsConfig, hasWorker bool) (*Site, error) {
	root, err := filepath.EvalSymlinks(cfg.Directory)
	if err != nil {
		return nil, fmt.Errorf("the assets directory %s does not exist", cfg.Directory)
	}
	if info, err := os.Stat(root); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("the assets directory %s is not a directory", cfg.Directory)
	}
	s := &Site{cfg: cfg, root: root, hasWorker: hasWorker}
	if lines, err := readLines(filepath.Join(root, ".assetsignore")); err == nil {
		s.ignore = gitignore.CompileIgnoreLines(lines...)
	}
	if lines, err := readLines(filepath.Join(root, "_headers")); err == nil {
		s.headers = parseHeaders(lines)
	}
	if lines, err := readLines(filepath.Join(root, "_redirects")); err == nil {
		s.redirects = parseRedirects(lines)
	}
	return s, nil
}

func readLines(p string) ([]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	var lines []string
	sc := bufio.NewScanner(io.LimitReader(f, maxRulesBytes))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}

// WorkerFirst reports whether a request for urlPath goes to the Worker
// before the assets (run_worker_first: true, or a matching route pattern
// with no matching "!" pattern).
func (s *Site) WorkerFirst(urlPath string) bool {
	if !s.hasWorker {
		return false
	}
	if s.cfg.RunWorkerFirst {
		return true
	}
	matched := false
	for _, p := range s.cfg.RunWorkerFirstRoutes {
		if neg, ok := strings.CutPrefix(p, "!"); ok {
			if routeMatch(neg, urlPath) {
				return false
			}
			continue
		}
		matched = matched || routeMatch(p, urlPath)
	}
	return matched
}

// routeMatch matches a run_worker_first pattern ("/api/*") against a path.
func routeMatch(pattern, p string) bool {
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*") + "$"
	ok, _ := regexp.MatchString(re, p)
	return ok
}

// Serve answers a request from the assets, as a request reaching the
// Worker's route does: ok=false when no asset matches and the Worker should
// answer instead.
func (s *Site) Serve(req runtime.HTTPRequest) (res *runtime.RunResult, ok bool) {
	return s.serve(req, !s.hasWorker)
}

// Fetch answers a request as env.ASSETS.fetch does: always an answer (the
// not-found handling, else 404).
func (s *Site) Fetch(req runtime.HTTPRequest) *runtime.RunResult {
	res, _ := s.serve(req, true)
	return res
}

// serve resolves req; final says a miss is answered here (404, SPA,
// 404-page) rather than left to the Worker.
func (s *Site) serve(req runtime.HTTPRequest, final bool) (*runtime.RunResult, bool) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return status(400, "Bad Request"), true
	}
	method := strings.ToUpper(req.Method)
	if method != "GET" && method != "HEAD" {
		if final && !s.hasWorker {
			return status(405, "Method Not Allowed"), true
		}
		return nil, false
	}
	p := u.Path
	if p == "" {
		p = "/"
	}
	if r, ok := s.redirect(p, u.RawQuery); ok {
		if r.rewrite == "" {
			return r.res, true
		}
		p = r.rewrite
	}
	file, redirectTo := s.resolve(p)
	switch {
	case redirectTo != "":
		if u.RawQuery != "" {
			redirectTo += "?" + u.RawQuery
		}
		return &runtime.RunResult{Status: 307, StatusText: "Temporary Redirect", Headers: []runtime.Header{{Name: "location", Value: redirectTo}}}, true
	case file != "":
		return s.answer(req, p, file, 200), true
	}
	switch s.cfg.NotFoundHandling {
	case "single-page-application":
		if final || navigation(req) {
			if f := s.file("/index.html"); f != "" {
				return s.answer(req, p, f, 200), true
			}
		}
	case "404-page":
		if final {
			for dir := path.Dir(strings.TrimSuffix(p, "/") + "/x"); ; dir = path.Dir(dir) {
				if f := s.file(path.Join(dir, "404.html")); f != "" {
					return s.answer(req, p, f, 404), true
				}
				if dir == "/" {
					break
				}
			}
		}
	}
	if !final {
		return nil, false
	}
	return status(404, "Not Found"), true
}

// navigation: a browser's page load (Sec-Fetch-Mode: navigate), which an
// SPA serves index.html to even with a Worker (Cloudflare's
// assets_navigation_prefers_asset_serving).
func navigation(req runtime.HTTPRequest) bool {
	for _, h := range req.Headers {
		if strings.EqualFold(h[0], "sec-fetch-mode") && strings.EqualFold(h[1], "navigate") {
			return true
		}
	}
	return false
}

func status(code int, text string) *runtime.RunResult {
	return &runtime.RunResult{Status: code, StatusText: text, Headers: []runtime.Header{{Name: "content-type", Value: "text/plain; charset=utf-8"}}, Body: []byte(text)}
}

// resolve maps a URL path to a file (absolute), or to a redirect, by
// html_handling.
func (s *Site) resolve(p string) (file, redirectTo string) {
	mode := s.cfg.HTMLHandling
	if mode == "" {
		mode = "auto-trailing-slash"
	}
	if mode == "none" {
		return s.file(p), ""
	}
	trimmed := strings.TrimSuffix(p, "/")
	switch {
	case strings.HasSuffix(p, "/index.html") && s.file(p) != "":
		dir := strings.TrimSuffix(p, "index.html")
		if mode == "drop-trailing-slash" && dir != "/" {
			return "", strings.TrimSuffix(dir, "/")
		}
		return "", dir
	case strings.HasSuffix(p, ".html") && s.file(p) != "":
		base := strings.TrimSuffix(p, ".html")
		if mode == "force-trailing-slash" {
			return "", base + "/"
		}
		return "", base
	case strings.HasSuffix(p, "/"):
		if f := s.file(p + "index.html"); f != "" {
			if mode == "drop-trailing-slash" && p != "/" {
				return "", trimmed
			}
			return f, ""
		}
		if p != "/" {
			if f := s.file(trimmed + ".html"); f != "" {
				if mode == "force-trailing-slash" {
					return f, ""
				}
				return "", trimmed
			}
		}
		return "", ""
	}
	if f := s.file(p); f != "" {
		return f, ""
	}
	if f := s.file(p + ".html"); f != "" {
		if mode == "force-trailing-slash" {
			return "", p + "/"
		}
		return f, ""
	}
	if f := s.file(p + "/index.html"); f != "" {
		if mode == "drop-trailing-slash" {
			return f, ""
		}
		return "", p + "/"
	}
	return "", ""
}

// file is the regular file for URL path p inside the directory, or "":
// no escaping the directory (.., symlinks), no rules files, nothing
// .assetsignore lists, nothing over 25 MiB.
func (s *Site) file(p string) string {
	rel := strings.TrimPrefix(path.Clean("/"+p), "/")
	if rel == "" || rel == "_headers" || rel == "_redirects" || rel == ".assetsignore" {
		return ""
	}
	if s.ignore != nil && s.ignore.MatchesPath(rel) {
		return ""
	}
	full := filepath.Join(s.root, filepath.FromSlash(rel))
	real, err := filepath.EvalSymlinks(full)
	if err != nil || (real != s.root && !strings.HasPrefix(real, s.root+string(filepath.Separator))) {
		return ""
	}
	info, err := os.Stat(real)
	if err != nil || !info.Mode().IsRegular() || info.Size() > MaxAssetBytes {
		return ""
	}
	return real
}

// answer is the response for a file: content type, ETag (a 304 when the
// client has it), Cloudflare's cache-control, then _headers.
func (s *Site) answer(req runtime.HTTPRequest, urlPath, file string, code int) *runtime.RunResult {
	data, err := os.ReadFile(file)
	if err != nil {
		return status(500, "Internal Server Error")
	}
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	res := &runtime.RunResult{Status: code, StatusText: statusText(code)}
	h := map[string]string{"content-type": ContentType(file), "etag": etag, "cache-control": "public, max-age=0, must-revalidate"}
	for _, rule := range s.headers {
		if vars, ok := matchPattern(rule.pattern, urlPath); ok {
			for _, name := range rule.remove {
				delete(h, name)
			}
			for _, kv := range rule.set {
				v := substitute(kv[1], vars)
				if old, ok := h[kv[0]]; ok && kv[0] != "content-type" && kv[0] != "etag" {
					v = old + ", " + v
				}
				h[kv[0]] = v
			}
		}
	}
	if code == 200 && ifNoneMatch(req, etag) {
		res.Status, res.StatusText = 304, "Not Modified"
		data = nil
		delete(h, "content-type")
	}
	for _, name := range sortedKeys(h) {
		res.Headers = append(res.Headers, runtime.Header{Name: name, Value: h[name]})
	}
	if strings.ToUpper(req.Method) != "HEAD" {
		res.Body = data
	} else if data != nil {
		res.Headers = append(res.Headers, runtime.Header{Name: "content-length", Value: strconv.Itoa(len(data))})
	}
	return res
}

func ifNoneMatch(req runtime.HTTPRequest, etag string) bool {
	for _, h := range req.Headers {
		if !strings.EqualFold(h[0], "if-none-match") {
			continue
		}
		for _, tag := range strings.Split(h[1], ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == etag || tag == "*" {
				return true
			}
		}
	}
	return false
}

func statusText(code int) string {
	switch code {
	case 200:
		return "OK"
	case 404:
		return "Not Found"
	}
	return ""
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ---- _headers and _redirects

type headerRule struct {
	pattern string
	set     [][2]string // lower-cased name, value
	remove  []string
}

// parseHeaders reads _headers: a URL pattern on its own line, then
// indented "Name: value" lines (or "! Name" to remove a header).
func parseHeaders(lines []string) []headerRule {
	var rules []headerRule
	for _, line := range lines {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			if len(rules) == maxHeaderRules {
				break
			}
			rules = append(rules, headerRule{pattern: t})
			continue
		}
		if len(rules) == 0 {
			continue
		}
		r := &rules[len(rules)-1]
		if name, ok := strings.CutPrefix(t, "!"); ok {
			r.remove = append(r.remove, strings.ToLower(strings.TrimSpace(name)))
			continue
		}
		if name, value, ok := strings.Cut(t, ":"); ok {
			r.set = append(r.set, [2]string{strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)})
		}
	}
	return rules
}

type redirectRule struct {
	from, to string
	code     int
}

// parseRedirects reads _redirects: "from to [code]" per line (302 by
// default; 200 rewrites to a path of the site).
func parseRedirects(lines []string) []redirectRule {
	var rules []redirectRule
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		r := redirectRule{from: f[0], to: f[1], code: 302}
		if len(f) > 2 {
			if c, err := strconv.Atoi(f[2]); err == nil {
				r.code = c
			}
		}
		switch r.code {
		case 200, 301, 302, 303, 307, 308:
		default:
			continue
		}
		if r.code == 200 && !strings.HasPrefix(r.to, "/") {
			continue // proxying to another origin is not supported by Cloudflare either
		}
		if len(rules) == maxRedirectRules {
			break
		}
		rules = append(rules, r)
	}
	return rules
}

type redirected struct {
	res     *runtime.RunResult
	rewrite string // a 200 rule: serve this path instead
}

func (s *Site) redirect(p, query string) (redirected, bool) {
	for _, r := range s.redirects {
		vars, ok := matchPattern(r.from, p)
		if !ok {
			continue
		}
		to := substitute(r.to, vars)
		if r.code == 200 {
			return redirected{rewrite: to}, true
		}
		if query != "" && !strings.Contains(to, "?") {
			to += "?" + query
		}
		return redirected{res: &runtime.RunResult{Status: r.code, StatusText: redirectText(r.code), Headers: []runtime.Header{{Name: "location", Value: to}}}}, true
	}
	return redirected{}, false
}

func redirectText(code int) string {
	return map[int]string{301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect", 308: "Permanent Redirect"}[code]
}

var placeholder = regexp.MustCompile(`:[A-Za-z]\w*`)

// matchPattern matches a _headers/_redirects pattern ("/blog/:slug",
// "/docs/*") against a path; the values of :placeholders and the splat
// (":splat") are returned.
func matchPattern(pattern, p string) (map[string]string, bool) {
	if !strings.HasPrefix(pattern, "/") {
		return nil, false // absolute URL patterns (other hosts) do not apply locally
	}
	var names []string
	re := "^"
	rest := pattern
	for rest != "" {
		switch {
		case rest[0] == '*':
			re += "(.*)"
			names = append(names, "splat")
			rest = rest[1:]
		case rest[0] == ':' && placeholder.MatchString(rest) && placeholder.FindStringIndex(rest)[0] == 0:
			loc := placeholder.FindStringIndex(rest)
			names = append(names, rest[1:loc[1]])
			re += "([^/]+)"
			rest = rest[loc[1]:]
		default:
			re += regexp.QuoteMeta(rest[:1])
			rest = rest[1:]
		}
	}
	m := regexp.MustCompile(re + "$").FindStringSubmatch(p)
	if m == nil {
		return nil, false
	}
	vars := map[string]string{}
	for i, n := range names {
		vars[n] = m[i+1]
	}
	return vars, true
}

func substitute(s string, vars map[string]string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[1:]]; ok {
			return v
		}
		return m
	})
}

// ServeFirst answers a request to the Worker's route as Cloudflare does
// when the Worker has assets: from the assets unless run_worker_first
// sends it to the Worker or no asset matches (ok=false: run the Worker).
// err says why the assets could not be served (a missing directory).
func ServeFirst(spec runtime.WorkerSpec, req runtime.HTTPRequest) (res *runtime.RunResult, ok bool, err error) {
	if spec.Assets == nil {
		return nil, false, nil
	}
	site, err := Load(*spec.Assets, spec.Main != "")
	if err != nil {
		return nil, false, err
	}
	u, perr := url.Parse(req.URL)
	if perr == nil && site.WorkerFirst(u.Path) {
		return nil, false, nil
	}
	res, ok = site.Serve(req)
	return res, ok, nil
}
