package devserver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/bindings"
)

// The tests start the real dev server (the real Pyodide, real HTTP on
// loopback) on copies of testdata/dev, and talk to it with net/http and
// raw TCP. They need the runtime artifacts (the Makefile builds them).

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls the log until it matches re or the deadline passes.
func (s *syncBuffer) waitFor(t *testing.T, re *regexp.Regexp, within time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(s.String()); m != nil {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the log never matched %s:\n%s", re, s.String())
	return nil
}

type devProc struct {
	url  string
	log  *syncBuffer
	errs *syncBuffer
	dir  string // the copied fixture root
	stop func() int
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if d.Name() == ".pyworkers" || d.Name() == "__pycache__" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// startDev copies testdata/dev and serves its app (and other, with both).
func startDev(t *testing.T, opts Options, both bool) *devProc {
	t.Helper()
	configs := []string{"app/wrangler.jsonc"}
	if both {
		configs = append(configs, "other/wrangler.jsonc")
	}
	return startDevOf(t, "../../testdata/dev", configs, opts)
}

// startDevOf copies fixture and serves the Workers of configs (relative to it).
func startDevOf(t *testing.T, fixture string, configs []string, opts Options) *devProc {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, fixture, dir)
	for _, c := range configs {
		opts.Configs = append(opts.Configs, filepath.Join(dir, c))
	}
	log, errs := &syncBuffer{}, &syncBuffer{}
	opts.Log = log
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() { code <- run(ctx, opts, "127.0.0.1:0", errs) }()
	deadline := time.Now().Add(3 * time.Minute)
	re := regexp.MustCompile(`Ready on (http://127\.0\.0\.1:\d+)`)
	for {
		if m := re.FindStringSubmatch(log.String()); m != nil {
			p := &devProc{url: m[1], log: log, errs: errs, dir: dir}
			stopped := false
			p.stop = func() int {
				if stopped {
					return 0
				}
				stopped = true
				cancel()
				return <-code
			}
			t.Cleanup(func() { p.stop() })
			return p
		}
		select {
		case c := <-code:
			cancel()
			t.Fatalf("dev exited with %d before Ready:\n%s\n%s", c, log, errs)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no Ready line:\n%s\n%s", log, errs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDevServesLogsAndKeepsTheIsolate(t *testing.T) {
	p := startDev(t, Options{}, false)
	if code, body := get(t, p.url+"/"); code != 200 || body != "hello from dev-app" {
		t.Fatalf("GET /: %d %q", code, body)
	}
	p.log.waitFor(t, regexp.MustCompile(`\[pyworkers\] GET / 200 OK \(\d+ ms\)`), 5*time.Second)
	// Module globals persist across requests: one isolate serves them.
	if _, body := get(t, p.url+"/hits"); body != "2" {
		t.Fatalf("hits %q: the second request did not see the first's globals", body)
	}
	resp, err := http.Post(p.url+"/echo", "text/plain", strings.NewReader("abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := fmt.Sprintf(`{"method": "POST", "length": 6, "host": "%s"}`, strings.TrimPrefix(p.url, "http://")); string(b) != want {
		t.Fatalf("echo %s, want %s", b, want)
	}
	if code, body := get(t, p.url+"/nope"); code != 404 || body != "not found" {
		t.Fatalf("404: %d %q", code, body)
	}
}

// An exception answers 500; the traceback, in the log and the body, names
// the user's file on disk, not the interpreter's /session/metadata.
func TestDevErrorNamesTheRealFile(t *testing.T) {
	p := startDev(t, Options{}, false)
	code, body := get(t, p.url+"/error")
	if code != 500 || !strings.Contains(body, "ValueError: the handler failed on purpose") {
		t.Fatalf("GET /error: %d %q", code, body)
	}
	real := filepath.Join(p.dir, "app", "src", "entry.py")
	if !strings.Contains(body, `File "`+real+`"`) || strings.Contains(body, "/session/metadata") {
		t.Fatalf("the 500 body does not name %s:\n%s", real, body)
	}
	p.log.waitFor(t, regexp.MustCompile(regexp.QuoteMeta(`File "`+real+`", line`)), 5*time.Second)
	p.log.waitFor(t, regexp.MustCompile(`GET /error 500 Internal Server Error`), 5*time.Second)
	if code, _ := get(t, p.url+"/"); code != 200 {
		t.Fatalf("after the error: %d", code)
	}
}

// A socket fails as on Cloudflare, and the log says once where HTTP has to go.
func TestDevWarnsOfSocketsOnce(t *testing.T) {
	p := startDev(t, Options{}, false)
	for range 2 {
		if code, body := get(t, p.url+"/socket"); code != 200 || body != "gaierror" {
			t.Fatalf("GET /socket: %d %q", code, body)
		}
	}
	p.log.waitFor(t, regexp.MustCompile(`GET /socket 200 OK[^\n]*\n(?s:.*)GET /socket 200 OK`), 5*time.Second)
	if n := strings.Count(p.log.String(), "warning: the Worker tried to open a network socket (getaddrinfo)"); n != 1 {
		t.Fatalf("%d socket warnings in the log:\n%s", n, p.log)
	}
}

// A request waiting at an await does not hold up the others.
func TestDevServesConcurrently(t *testing.T) {
	p := startDev(t, Options{}, false)
	get(t, p.url+"/")
	start := time.Now()
	slow := make(chan time.Duration, 1)
	go func() {
		if code, body := get(t, p.url+"/slow?s=1"); code != 200 || body != "slow done" {
			t.Errorf("slow: %d %q", code, body)
		}
		slow <- time.Since(start)
	}()
	time.Sleep(100 * time.Millisecond)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, _ := get(t, p.url+"/"); code != 200 {
				t.Errorf("quick request: %d", code)
			}
		}()
	}
	wg.Wait()
	quick := time.Since(start)
	took := <-slow
	if quick >= took || took < time.Second {
		t.Fatalf("quick requests done after %v, the slow one after %v: they did not interleave", quick, took)
	}
}

// Concurrent requests to one Durable Object: each storage call completes
// before another event reaches the object (the input gate), so 20
// concurrent read-then-write increments lose no update.
func TestDevDurableObjectRequestsStayConsistent(t *testing.T) {
	p := startDev(t, Options{}, false)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, body := get(t, p.url+"/do-slow?name=gate"); code != 200 {
				t.Errorf("do-slow: %d %q", code, body)
			}
		}()
	}
	wg.Wait()
	if _, body := get(t, p.url+"/do?name=gate&by=0"); body != "20" {
		t.Fatalf("after 20 concurrent increments the object holds %q", body)
	}
}

// Under dev a Workflow's step.sleep takes its time and waitForEvent times
// out; an event sent through the binding from a later request resumes the
// waiting instance in the background.
func TestDevWorkflowSleepsEventsAndTimeouts(t *testing.T) {
	p := startDev(t, Options{}, false)
	waitKV := func(key, want string, within time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		for {
			if _, body := get(t, p.url+"/kv?key="+key); strings.HasPrefix(body, want) {
				return time.Since(start)
			}
			if time.Since(start) > within {
				t.Fatalf("%s never became %q:\n%s", key, want, p.log)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	start := time.Now()
	if code, _ := get(t, p.url+"/sleepy?tag=a&sleep=700+milliseconds"); code != 202 {
		t.Fatalf("create: %d", code)
	}
	if _, body := get(t, p.url+"/kv?key=sleepy-a"); body != "missing" {
		t.Fatalf("the sleep did not wait: %q", body)
	}
	waitKV("sleepy-a", "awake", 10*time.Second)
	if took := time.Since(start); took < 700*time.Millisecond {
		t.Fatalf("a 700 ms sleep ended after %v", took)
	}
	get(t, p.url+"/approve?tag=a&by=ada")
	waitKV("verdict-a", "approved ada", 10*time.Second)

	get(t, p.url+"/sleepy?tag=b&sleep=10+milliseconds&timeout=600+milliseconds")
	took := waitKV("verdict-b", "timed out: ", 10*time.Second)
	if took < 500*time.Millisecond {
		t.Fatalf("the 600 ms timeout fired after %v", took)
	}
	if _, body := get(t, p.url+"/kv?key=verdict-b"); !strings.Contains(body, "timed out waiting for an event of type") {
		t.Fatalf("verdict-b %q", body)
	}
}

func TestDevReloadsOnChange(t *testing.T) {
	p := startDev(t, Options{}, false)
	if _, body := get(t, p.url+"/"); body != "hello from dev-app" {
		t.Fatalf("before: %q", body)
	}
	src := filepath.Join(p.dir, "app", "src", "entry.py")
	b, _ := os.ReadFile(src)
	if err := os.WriteFile(src, []byte(strings.Replace(string(b), `from dev-app"`, `from the edited dev-app"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	p.log.waitFor(t, regexp.MustCompile(`\[pyworkers\] Reloaded \(src/entry.py changed, \d+ ms\)`), 30*time.Second)
	if _, body := get(t, p.url+"/"); body != "hello from the edited dev-app" {
		t.Fatalf("after the edit: %q", body)
	}
	// The config too: a new var value.
	cfg := filepath.Join(p.dir, "app", "wrangler.jsonc")
	b, _ = os.ReadFile(cfg)
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), `"GREETING": "hello"`, `"GREETING": "howdy"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	p.log.waitFor(t, regexp.MustCompile(`Reloaded \(wrangler.jsonc changed`), 30*time.Second)
	if _, body := get(t, p.url+"/"); body != "howdy from the edited dev-app" {
		t.Fatalf("after the config edit: %q", body)
	}
	// A syntax error: a 500 naming it, and the next good save serves again.
	b, _ = os.ReadFile(src)
	if err := os.WriteFile(src, append([]byte("def broken(:\n"), b...), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := get(t, p.url+"/")
		if code == 500 && strings.Contains(body, "SyntaxError") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the broken file still answers %d %q", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := os.WriteFile(src, b, 0o644); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		if code, _ := get(t, p.url+"/"); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fixed file does not serve:\n%s", p.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Bad input gets a clear status and the server lives: a body over 100 MB
// (413), malformed HTTP (400), a client that disconnects mid-request.
func TestDevBadInputKeepsItAlive(t *testing.T) {
	p := startDev(t, Options{}, false)
	addr := strings.TrimPrefix(p.url, "http://")
	raw := func(req string) string {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, req)
		line, _ := bufio.NewReader(c).ReadString('\n')
		return line
	}
	if line := raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 209715200\r\n\r\nabc"); !strings.HasPrefix(line, "HTTP/1.1 413") {
		t.Fatalf("200 MB body: %q", line)
	}
	if line := raw("GARBAGE\r\n\r\n"); !strings.HasPrefix(line, "HTTP/1.1 400") {
		t.Fatalf("malformed request: %q", line)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", p.url+"/slow?s=0.5", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the cancelled request got an answer")
	}
	p.log.waitFor(t, regexp.MustCompile(`the client went away before the response`), 5*time.Second)
	if code, _ := get(t, p.url+"/"); code != 200 {
		t.Fatalf("after bad input: %d", code)
	}
}

// Static assets through dev, with real HTTP: served before the Worker with
// Cloudflare's content types, ETag and 304, _headers and _redirects;
// run_worker_first routes and misses reach the Worker; env.ASSETS works;
// an edit to an asset shows at once.
func TestDevServesStaticAssets(t *testing.T) {
	p := startDevOf(t, "../../testdata/assets/worker", []string{"wrangler.jsonc"}, Options{})
	resp, err := http.Get(p.url + "/style.css")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	etag := resp.Header.Get("Etag")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" || etag == "" || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("style.css: %d %v", resp.StatusCode, resp.Header)
	}
	req, _ := http.NewRequest("GET", p.url+"/style.css", nil)
	req.Header.Set("If-None-Match", etag)
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != 304 {
		t.Fatalf("If-None-Match: %v %v", err, resp)
	}
	resp.Body.Close()
	for path, want := range map[string]string{"/": "<h1>Home</h1>", "/blog/": "<h1>Blog</h1>", "/api/users": `{"api": "api/users"}`,
		"/nowhere": "worker: nowhere", "/via-binding": "About (via ASSETS)", "/home": "<h1>Home</h1>"} {
		if code, body := get(t, p.url+path); code != 200 || !strings.Contains(body, want) {
			t.Errorf("%s: %d %q, want %q", path, code, body, want)
		}
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err = noRedirect.Get(p.url + "/old-about"); err != nil || resp.StatusCode != 301 || resp.Header.Get("Location") != "/about" {
		t.Fatalf("_redirects: %v %v", err, resp)
	}
	resp.Body.Close()
	os.WriteFile(filepath.Join(p.dir, "public", "about.html"), []byte("<h1>About, edited</h1>\n"), 0o644)
	if _, body := get(t, p.url+"/about"); body != "<h1>About, edited</h1>\n" {
		t.Fatalf("after the edit: %q", body)
	}
	p.log.waitFor(t, regexp.MustCompile(`\[pyworkers\] GET /style.css 304 Not Modified`), 5*time.Second)
}

func TestDevPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	errs := &syncBuffer{}
	code := run(context.Background(), Options{Configs: []string{"../../testdata/dev/app/wrangler.jsonc"}, Log: io.Discard}, ln.Addr().String(), errs)
	if code != 1 || !strings.Contains(errs.String(), "is already in use") || !strings.Contains(errs.String(), "--port") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

// State written through the server is on disk after a clean stop, in the
// --persist-to folder when given; the background delivers queue batches
// (on timeout) and fires alarms; /__scheduled runs the cron handler; a
// second Worker answers through a service binding.
func TestDevBackgroundStateAndTwoWorkers(t *testing.T) {
	persist := t.TempDir()
	p := startDev(t, Options{PersistTo: persist}, true)
	put, _ := http.NewRequest("PUT", p.url+"/kv?key=greeting", strings.NewReader("bonjour"))
	resp, err := http.DefaultClient.Do(put)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("PUT: %v %v", err, resp)
	}
	resp.Body.Close()
	if _, body := get(t, p.url+"/svc"); body != "hello from dev-other 5" {
		t.Fatalf("service binding: %q", body)
	}
	// The other Worker has an isolate of its own: its globals persist
	// between calls, and a WebSocket to it works through the binding.
	_, first := get(t, p.url+"/svc-count")
	_, second := get(t, p.url+"/svc-count")
	if first == "" || first == second {
		t.Fatalf("the other Worker's counter: %q then %q (a fresh interpreter each call?)", first, second)
	}
	if code, body := get(t, p.url+"/svc-ws?say=yo"); code != 200 || body != "other got yo" {
		t.Fatalf("WebSocket to the other Worker: %d %q\n%s", code, body, p.log)
	}
	// A Durable Object of the other Worker (script_name), its state kept
	// in that Worker's --persist-to folder.
	get(t, p.url+"/tally?n=2")
	if _, body := get(t, p.url+"/tally?n=3"); body != "5" {
		t.Fatalf("cross-Worker Durable Object: %q", body)
	}
	if code, body := get(t, p.url+"/__scheduled?cron=*/5+*+*+*+*"); code != 200 || body != "Ran scheduled event" {
		t.Fatalf("/__scheduled: %d %q", code, body)
	}
	if _, body := get(t, p.url+"/kv?key=cron"); body != "*/5 * * * *" {
		t.Fatalf("cron key %q", body)
	}
	// scheduled ran in the isolate: its global is the requests' one.
	if _, body := get(t, p.url+"/hits"); len(body) < 4 {
		t.Fatalf("hits after the cron: %q", body)
	}
	get(t, p.url+"/send?job=a")
	sent := time.Now()
	p.log.waitFor(t, regexp.MustCompile(`queue jobs: batch of 1 delivered \(1 acked\)`), 10*time.Second)
	if waited := time.Since(sent); waited < 700*time.Millisecond {
		t.Errorf("a batch of 1 (max 3) was delivered after %v, before its max_batch_timeout of 1 s", waited)
	}
	if _, body := get(t, p.url+"/kv?key=job-a"); body != "done" {
		t.Fatalf("job-a %q", body)
	}
	for _, j := range []string{"b", "c", "d"} {
		get(t, p.url+"/send?job="+j)
	}
	p.log.waitFor(t, regexp.MustCompile(`queue jobs: batch of 3 delivered`), 5*time.Second)
	// The queue handler used the Durable Object the isolate holds (a run
	// in a fresh interpreter would have waited for its lock).
	if _, body := get(t, p.url+"/do?name=queue&by=0"); body != "4" {
		t.Fatalf("the queue handler's Counter: %q", body)
	}
	if code, body := get(t, p.url+"/do?name=x&by=2"); code != 200 || body != "2" {
		t.Fatalf("DO: %d %q", code, body)
	}
	get(t, p.url+"/alarm?name=x&ms=300")
	p.log.waitFor(t, regexp.MustCompile(`alarm of Counter x: ok`), 10*time.Second)
	if _, body := get(t, p.url+"/rang?name=x"); body != "true" {
		t.Fatalf("alarm did not run: %q", body)
	}
	if code, id := get(t, p.url+"/wf?n=21&tag=t1"); code != 202 || id == "" {
		t.Fatalf("workflow create: %d %q", code, id)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, body := get(t, p.url+"/kv?key=flow-t1"); body == "42" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the workflow did not finish:\n%s", p.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d after Ctrl-C:\n%s", code, p.errs)
	}
	store := bindings.Open(filepath.Join(p.dir, "app"), "")
	defer store.Close()
	if _, err := os.Stat(filepath.Join(persist, "dev-app", "default")); err != nil {
		t.Fatalf("nothing in --persist-to: %v", err)
	}
	if _, err := os.Stat(filepath.Join(persist, "dev-other", "default", "durable_objects", "Tally")); err != nil {
		t.Fatalf("the other Worker's object is not in --persist-to: %v", err)
	}
	if _, err := os.Stat(filepath.Join(p.dir, "app", ".pyworkers")); err == nil {
		t.Fatalf("state was written to the Worker's folder despite --persist-to")
	}
}

// HTMLRewriter through dev: a page streamed to the rewriter and out.
func TestDevHTMLRewriter(t *testing.T) {
	p := startDevOf(t, "../../testdata/runtime/rewriter", []string{"wrangler.jsonc"}, Options{})
	code, body := get(t, p.url+"/")
	if code != 200 || !strings.Contains(body, "<title>New &amp; &lt;improved&gt;</title>") || !strings.Contains(body, `content="rewritten"`) || strings.Contains(body, "tracking()") {
		t.Fatalf("GET /: %d\n%s", code, body)
	}
}

// WebSockets through dev with a real client library (coder/websocket): an
// echo socket, and a chat room on a Durable Object with the hibernation API
// where two clients hear each other.
func TestDevWebSockets(t *testing.T) {
	p := startDevOf(t, "../../testdata/websocket", []string{"wrangler.jsonc"}, Options{HibernateAfter: 400 * time.Millisecond})
	if code, body := get(t, p.url+"/"); code != 200 || !strings.Contains(body, "chat") {
		t.Fatalf("the page: %d %q", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(p.url, "http")
	echo, _, err := websocket.Dial(ctx, wsURL+"/echo", nil)
	if err != nil {
		t.Fatalf("dial /echo: %v\n%s", err, p.log)
	}
	read := func(c *websocket.Conn) string {
		t.Helper()
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v\n%s", err, p.log)
		}
		return string(b)
	}
	echo.Write(ctx, websocket.MessageText, []byte("hi"))
	if got := read(echo); got != "echo: hi" {
		t.Fatalf("echo: %q", got)
	}
	echo.Write(ctx, websocket.MessageText, []byte("bye"))
	if got := read(echo); got != "echo: bye" {
		t.Fatalf("echo: %q", got)
	}
	if _, _, err := echo.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("the Worker's close: %v", err)
	}
	p.log.waitFor(t, regexp.MustCompile(`GET /echo 101 Switching Protocols`), 5*time.Second)

	alice, _, err := websocket.Dial(ctx, wsURL+"/chat?room=r1&name=alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	bob, _, err := websocket.Dial(ctx, wsURL+"/chat?room=r1&name=bob", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(alice); got != "bob joined" {
		t.Fatalf("alice heard %q", got)
	}
	alice.Write(ctx, websocket.MessageText, []byte("hello"))
	if a, b := read(alice), read(bob); a != "alice: hello" || b != "alice: hello" {
		t.Fatalf("alice heard %q, bob heard %q", a, b)
	}
	// Idle, the object hibernates; the next message wakes a new instance
	// (its constructor runs again), the sockets and their attachments stay.
	alice.Write(ctx, websocket.MessageText, []byte("whoami"))
	before := read(alice)
	p.log.waitFor(t, regexp.MustCompile(`Durable Object ChatRoom r1 hibernated`), 10*time.Second)
	alice.Write(ctx, websocket.MessageText, []byte("whoami"))
	after := read(alice)
	if !strings.HasPrefix(before, "alice on instance ") || !strings.HasPrefix(after, "alice on instance ") || before == after {
		t.Fatalf("before hibernation %q, after %q: the object did not wake as a new instance", before, after)
	}
	p.log.waitFor(t, regexp.MustCompile(`Durable Object ChatRoom r1 woke for webSocketMessage`), 5*time.Second)
	// An auto-response answers without waking the (hibernated) object.
	p.log.waitFor(t, regexp.MustCompile(`(?s)woke for webSocketMessage.*ChatRoom r1 hibernated`), 10*time.Second)
	wokeBefore := strings.Count(p.log.String(), "woke for webSocketMessage")
	alice.Write(ctx, websocket.MessageText, []byte("ping"))
	if got := read(alice); got != "pong" {
		t.Fatalf("auto-response: %q", got)
	}
	if n := strings.Count(p.log.String(), "woke for webSocketMessage"); n != wokeBefore {
		t.Fatalf("the auto-response woke the object")
	}
	bob.Write(ctx, websocket.MessageText, []byte("hi alice"))
	if a := read(alice); a != "bob: hi alice" {
		t.Fatalf("alice heard %q", a)
	}
	read(bob)
	bob.Close(websocket.StatusNormalClosure, "done")
	if a := read(alice); a != "bob left (1000)" {
		t.Fatalf("alice heard %q", a)
	}
	// A client that drops the connection without a close frame:
	// webSocketError, then webSocketClose with 1006.
	carol, _, err := websocket.Dial(ctx, wsURL+"/chat?room=r1&name=carol", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := read(alice); a != "carol joined" {
		t.Fatalf("alice heard %q", a)
	}
	carol.CloseNow()
	if a, b := read(alice), read(alice); a != "carol errored" || b != "carol left (1006)" {
		t.Fatalf("alice heard %q then %q", a, b)
	}
	alice.Close(websocket.StatusNormalClosure, "")
}
