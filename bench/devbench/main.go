// Command devbench measures `pyworkers-lsp dev` from outside, as a user's
// tests see it: launch to "Ready on" and to the first response, warm
// request latency (hello, KV read+write), a 30 s wrk load (requests/s,
// errors, the server's peak RSS) and reload after a save.
//
//	go run ./bench/devbench -bin bin/pyworkers-lsp [-launches 10] [-requests 2000] [-load 30s]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

var (
	bin      = flag.String("bin", "bin/pyworkers-lsp", "the built binary")
	fixture  = flag.String("fixture", "testdata/dev", "the dev-server fixture (app/ and other/)")
	sockets  = flag.String("sockets", "testdata/websocket", "the WebSocket fixture")
	site     = flag.String("site", "testdata/assets/worker", "the static-assets fixture")
	launches = flag.Int("launches", 10, "launches measured")
	requests = flag.Int("requests", 2000, "sequential warm requests per route")
	load     = flag.Duration("load", 30*time.Second, "wrk load duration (0 = skip)")
	reloads  = flag.Int("reloads", 10, "saves measured")
)

type dev struct {
	cmd   *exec.Cmd
	url   string
	mu    sync.Mutex
	lines []string
	ready time.Duration
	start time.Time
}

func launch(dir string) (*dev, error) {
	d := &dev{start: time.Now()}
	d.cmd = exec.Command(*bin, "dev", "--port", "0")
	d.cmd.Dir = dir
	out, err := d.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	d.cmd.Stderr = os.Stderr
	if err := d.cmd.Start(); err != nil {
		return nil, err
	}
	readyRe := regexp.MustCompile(`Ready on (http://\S+)`)
	got := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			d.mu.Lock()
			d.lines = append(d.lines, line)
			d.mu.Unlock()
			if m := readyRe.FindStringSubmatch(line); m != nil {
				select {
				case got <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case u := <-got:
		d.ready = time.Since(d.start)
		d.url = u
		return d, nil
	case <-time.After(3 * time.Minute):
		d.stop()
		return nil, fmt.Errorf("no Ready line")
	}
}

func (d *dev) stop() {
	_ = d.cmd.Process.Signal(syscall.SIGINT)
	_ = d.cmd.Wait()
}

func (d *dev) waitLine(re *regexp.Regexp, after int) (string, int) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		d.mu.Lock()
		for i := after; i < len(d.lines); i++ {
			if re.MatchString(d.lines[i]) {
				l := d.lines[i]
				d.mu.Unlock()
				return l, i + 1
			}
		}
		d.mu.Unlock()
		time.Sleep(2 * time.Millisecond)
	}
	return "", after
}

func (d *dev) lineCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.lines)
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

func get(url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		return string(b), fmt.Errorf("status %d", resp.StatusCode)
	}
	return string(b), err
}

func pct(ds []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s)-1) * p)
	return s[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
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
}

func rssPeakKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	return 0
}

func main() {
	flag.Parse()
	tmp, err := os.MkdirTemp("", "devbench")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tmp)
	if err := copyTree(*fixture, tmp); err != nil {
		panic(err)
	}
	app := filepath.Join(tmp, "app")

	// A first launch takes the Worker's snapshot; the measured ones find
	// the caches warm, as a developer's second `dev` does.
	d, err := launch(app)
	if err != nil {
		panic(err)
	}
	if _, err := get(d.url + "/"); err != nil {
		panic(err)
	}
	d.stop()
	var readies, firsts []time.Duration
	for i := 0; i < *launches; i++ {
		d, err := launch(app)
		if err != nil {
			panic(err)
		}
		if _, err := get(d.url + "/"); err != nil {
			panic(err)
		}
		firsts = append(firsts, time.Since(d.start))
		readies = append(readies, d.ready)
		d.stop()
	}
	fmt.Printf("launch → Ready on      p50 %s  p99 %s  (n=%d)\n", ms(pct(readies, .5)), ms(pct(readies, .99)), len(readies))
	fmt.Printf("launch → first response p50 %s  p99 %s\n", ms(pct(firsts, .5)), ms(pct(firsts, .99)))

	d, err = launch(app)
	if err != nil {
		panic(err)
	}
	defer d.stop()
	for _, route := range []string{"/", "/kvrw"} {
		var lat []time.Duration
		for i := 0; i < *requests+50; i++ {
			t := time.Now()
			if _, err := get(d.url + route); err != nil {
				panic(err)
			}
			if i >= 50 {
				lat = append(lat, time.Since(t))
			}
		}
		fmt.Printf("warm GET %-6s          p50 %s  p99 %s  (n=%d, sequential, keep-alive)\n", route, ms(pct(lat, .5)), ms(pct(lat, .99)), len(lat))
	}

	if *load > 0 {
		if _, err := exec.LookPath("wrk"); err != nil {
			fmt.Println("wrk not installed (bench/setup.sh installs it): load skipped")
		} else {
			out, err := exec.Command("wrk", "-t2", "-c50", "-d"+load.String(), "--latency", d.url+"/").CombinedOutput()
			if err != nil {
				panic(fmt.Sprint(err, string(out)))
			}
			fmt.Printf("wrk -t2 -c50 -d%s:\n%s", load, out)
			fmt.Printf("server peak RSS after the load: %d MB\n", rssPeakKB(d.cmd.Process.Pid)/1024)
		}
	}

	benchAssetsAndSockets(tmp)

	src := filepath.Join(app, "src", "entry.py")
	orig, _ := os.ReadFile(src)
	reloadedRe := regexp.MustCompile(`Reloaded \(src/entry.py changed, (\d+) ms\)`)
	var saveToServed []time.Duration
	var reported []time.Duration
	for i := 0; i < *reloads; i++ {
		marker := fmt.Sprintf("from dev-app %d", i)
		after := d.lineCount()
		t := time.Now()
		if err := os.WriteFile(src, []byte(strings.Replace(string(orig), "from dev-app", marker, 1)), 0o644); err != nil {
			panic(err)
		}
		for {
			body, _ := get(d.url + "/")
			if strings.Contains(body, marker) {
				break
			}
			if time.Since(t) > 30*time.Second {
				panic("reload never served the change")
			}
			time.Sleep(2 * time.Millisecond)
		}
		saveToServed = append(saveToServed, time.Since(t))
		if line, _ := d.waitLine(reloadedRe, after); line != "" {
			n, _ := strconv.Atoi(reloadedRe.FindStringSubmatch(line)[1])
			reported = append(reported, time.Duration(n)*time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Printf("save → new version served p50 %s  p99 %s  (reload itself, as logged: p50 %s)\n",
		ms(pct(saveToServed, .5)), ms(pct(saveToServed, .99)), ms(pct(reported, .5)))
}

// benchAssetsAndSockets measures a static asset (and its 304) and a
// WebSocket echo round trip through dev.
func benchAssetsAndSockets(tmp string) {
	siteDir := filepath.Join(tmp, "site")
	if err := copyTree(*site, siteDir); err != nil {
		panic(err)
	}
	d, err := launch(siteDir)
	if err != nil {
		panic(err)
	}
	var full, notModified []time.Duration
	etag := ""
	for i := 0; i < *requests+50; i++ {
		t := time.Now()
		resp, err := client.Get(d.url + "/style.css")
		if err != nil {
			panic(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		etag = resp.Header.Get("Etag")
		if i >= 50 {
			full = append(full, time.Since(t))
		}
		req, _ := http.NewRequest("GET", d.url+"/style.css", nil)
		req.Header.Set("If-None-Match", etag)
		t = time.Now()
		resp, err = client.Do(req)
		if err != nil || resp.StatusCode != 304 {
			panic(fmt.Sprint("304: ", err, resp))
		}
		resp.Body.Close()
		if i >= 50 {
			notModified = append(notModified, time.Since(t))
		}
	}
	d.stop()
	fmt.Printf("asset GET /style.css      p50 %s  p99 %s; with If-None-Match (304) p50 %s  p99 %s\n",
		ms(pct(full, .5)), ms(pct(full, .99)), ms(pct(notModified, .5)), ms(pct(notModified, .99)))

	wsDir := filepath.Join(tmp, "sockets")
	if err := copyTree(*sockets, wsDir); err != nil {
		panic(err)
	}
	d, err = launch(wsDir)
	if err != nil {
		panic(err)
	}
	defer d.stop()
	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(d.url, "http")+"/echo", nil)
	if err != nil {
		panic(err)
	}
	defer conn.CloseNow()
	var rtt []time.Duration
	for i := 0; i < *requests+50; i++ {
		t := time.Now()
		if err := conn.Write(ctx, websocket.MessageText, []byte("x")); err != nil {
			panic(err)
		}
		if _, _, err := conn.Read(ctx); err != nil {
			panic(err)
		}
		if i >= 50 {
			rtt = append(rtt, time.Since(t))
		}
	}
	fmt.Printf("WebSocket echo round trip p50 %s  p99 %s  (n=%d)\n", ms(pct(rtt, .5)), ms(pct(rtt, .99)), len(rtt))
}
