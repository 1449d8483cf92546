// Command lspdriver measures user-facing latencies of pyworkers-lsp against
// the built binary over stdio, and of pyright-langserver and pylsp the same
// way in the same run when they are installed (bench/setup.sh):
//
//   - process start → initialize answered
//   - keystroke (didChange) → publishDiagnostics for that version, on a
//     5,000-line Worker module
//   - keystroke → the next request answered (pyworkers only)
//   - RSS with 200 open 1,000-line files (pyworkers only)
//
// It prints medians, p99 and ratios as a Markdown table. The machine is
// noisy: compare numbers from one run only.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"

	"github.com/pyworkers-lsp/pyworkers-lsp/bench/workergen"
)

// serverStderr receives the servers' stderr when -server-stderr is set.
var serverStderr io.Writer

type client struct {
	cmd   *exec.Cmd
	conn  jsonrpc2.Conn
	mu    sync.Mutex
	diags map[string]chan int // uri → versions published
}

type pipes struct {
	io.Reader
	io.WriteCloser
}

func start(argv []string, dir string) (*client, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stderr = io.Discard
	if serverStderr != nil {
		cmd.Stderr = serverStderr
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &client{cmd: cmd, diags: map[string]chan int{}}
	c.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(pipes{out, in}))
	c.conn.Go(context.Background(), func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		switch req.Method() {
		case "textDocument/publishDiagnostics":
			var p struct {
				URI     string `json:"uri"`
				Version *int   `json:"version"`
			}
			json.Unmarshal(req.Params(), &p)
			v := -1
			if p.Version != nil {
				v = *p.Version
			}
			c.mu.Lock()
			ch := c.diags[p.URI]
			c.mu.Unlock()
			if ch != nil {
				select {
				case ch <- v:
				default:
				}
			}
			return nil
		case "workspace/configuration":
			var p struct {
				Items []any `json:"items"`
			}
			json.Unmarshal(req.Params(), &p)
			return reply(ctx, make([]any, len(p.Items)), nil)
		}
		if _, ok := req.(*jsonrpc2.Call); ok {
			return reply(ctx, nil, nil)
		}
		return nil
	})
	return c, nil
}

func (c *client) call(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	_, err := c.conn.Call(ctx, method, params, result)
	return err
}

func (c *client) notify(method string, params any) {
	c.conn.Notify(context.Background(), method, params)
}

func uri(p string) string { return "file://" + filepath.ToSlash(p) }

func (c *client) initialize(root string) error {
	params := map[string]any{
		"processId": os.Getpid(), "rootUri": uri(root),
		"workspaceFolders": []any{map[string]any{"uri": uri(root), "name": "bench"}},
		"capabilities": map[string]any{
			"textDocument": map[string]any{"publishDiagnostics": map[string]any{"versionSupport": true}},
			"workspace":    map[string]any{"configuration": true},
		},
	}
	var res any
	if err := c.call("initialize", params, &res); err != nil {
		return err
	}
	c.notify("initialized", map[string]any{})
	return nil
}

func (c *client) stop() {
	c.call("shutdown", nil, nil)
	c.notify("exit", nil)
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
	}
}

func (c *client) watch(u string) chan int {
	ch := make(chan int, 64)
	c.mu.Lock()
	c.diags[u] = ch
	c.mu.Unlock()
	return ch
}

func (c *client) open(path, text string) {
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri(path), "languageId": "python", "version": 1, "text": text}})
}

func pos(line, ch int) map[string]any { return map[string]any{"line": line, "character": ch} }

func (c *client) change(path string, version, line, ch int, text string, delete bool) {
	end := ch
	if delete {
		end = ch + 1
	}
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri(path), "version": version},
		"contentChanges": []any{map[string]any{"range": map[string]any{"start": pos(line, ch), "end": pos(line, end)}, "text": text}},
	})
}

func rssKB(pid int) (int, int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	var rss, hwm int
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "VmRSS:" {
			rss, _ = strconv.Atoi(f[1])
		}
		if len(f) >= 2 && f[0] == "VmHWM:" {
			hwm, _ = strconv.Atoi(f[1])
		}
	}
	return rss, hwm
}

type stats struct{ median, p99, max time.Duration }

func summarize(ds []time.Duration) stats {
	if len(ds) == 0 {
		return stats{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return stats{median: s[len(s)/2], p99: s[(len(s)*99)/100], max: s[len(s)-1]}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// project writes a Worker project with a 5,000-line module whose last line
// keeps one diagnostic every server reports (an unresolved/unused import
// that is also pitfall PW008).
func project(dir string) (string, string) {
	os.MkdirAll(filepath.Join(dir, "src"), 0o755)
	os.WriteFile(filepath.Join(dir, "wrangler.jsonc"), []byte(`{
  "name": "bench", "main": "src/entry.py",
  "compatibility_date": "2025-11-01", "compatibility_flags": ["python_workers"],
  "kv_namespaces": [{"binding": "CACHE", "id": "x"}],
  "d1_databases": [{"binding": "DB", "database_name": "d", "database_id": "y"}]
}`), 0o644)
	text := "from pyodide.ffi import to_py\n" + workergen.Module(5000)
	path := filepath.Join(dir, "src", "entry.py")
	os.WriteFile(path, []byte(text), 0o644)
	return path, text
}

// keystrokes types and deletes a character in the middle of the module n
// times and measures the time to the publishDiagnostics of each version.
func keystrokes(c *client, path, text string, n int) ([]time.Duration, int) {
	ch := c.watch(uri(path))
	c.open(path, text)
	// Wait for the first publication (pyright analyses the whole file first).
	select {
	case <-ch:
	case <-time.After(60 * time.Second):
	}
	lines := strings.Split(text, "\n")
	line := len(lines) / 2
	for !strings.HasPrefix(lines[line], "class Handler") {
		line++
	}
	col := len("class Handler")
	var ds []time.Duration
	missed := 0
	for i := 0; i < n; i++ {
		version := i + 2
		// drain stale publications
		for len(ch) > 0 {
			<-ch
		}
		t0 := time.Now()
		// Type a character, then delete it: one didChange per version
		// (the server ignores a didChange whose version is not newer).
		if i%2 == 0 {
			c.change(path, version, line, col, "9", false)
		} else {
			c.change(path, version, line, col, "", true)
		}
		deadline := time.After(10 * time.Second)
	wait:
		for {
			select {
			case v := <-ch:
				if v == version || v == -1 {
					ds = append(ds, time.Since(t0))
					break wait
				}
			case <-deadline:
				missed++
				break wait
			}
		}
	}
	return ds, missed
}

// completions edits the module (a comment character in the middle, so the
// file stays valid) and then asks for completion at the last handler's
// `self.env.` n times, measuring edit sent → answer.
func completions(c *client, path, text string, n int, pace time.Duration) ([]time.Duration, int) {
	lines := strings.Split(text, "\n")
	envLine := len(lines) - 1
	for !strings.Contains(lines[envLine], "self.env.CACHE") {
		envLine--
	}
	envCol := strings.Index(lines[envLine], "self.env.") + len("self.env.")
	var ds []time.Duration
	items := 0
	for i := 0; i < n; i++ {
		// versions continue after the keystroke phase
		version := 100000 + i
		time.Sleep(pace)
		var res struct {
			Items []json.RawMessage `json:"items"`
		}
		t0 := time.Now()
		c.change(path, version, len(lines)/2, 0, "#", false)
		var raw json.RawMessage
		if err := c.call("textDocument/completion", map[string]any{"textDocument": map[string]any{"uri": uri(path)}, "position": pos(envLine, envCol)}, &raw); err != nil {
			continue
		}
		ds = append(ds, time.Since(t0))
		if json.Unmarshal(raw, &res) != nil || res.Items == nil {
			var list []json.RawMessage
			json.Unmarshal(raw, &list)
			items = len(list)
		} else {
			items = len(res.Items)
		}
	}
	return ds, items
}

// runtimeRuns starts a server with the runtime warm-up on, runs a hello
// fetch handler n times through its code lens and returns the per-run
// latencies (executeCommand sent → answered) and the server's RSS after.
func runtimeRuns(bin string, n int) ([]time.Duration, int, int, error) {
	dir, _ := os.MkdirTemp("", "lspbench-rt")
	defer os.RemoveAll(dir)
	os.MkdirAll(filepath.Join(dir, "src"), 0o755)
	os.WriteFile(filepath.Join(dir, "wrangler.jsonc"), []byte(`{"name": "hello", "main": "src/entry.py",
  "compatibility_date": "2025-11-01", "compatibility_flags": ["python_workers"], "vars": {"GREETING": "hello"}}`), 0o644)
	src := "from workers import Response, WorkerEntrypoint\n\n\nclass Default(WorkerEntrypoint):\n    async def fetch(self, request):\n        return Response(self.env.GREETING)\n"
	path := filepath.Join(dir, "src", "entry.py")
	os.WriteFile(path, []byte(src), 0o644)
	c, err := start([]string{bin}, dir)
	if err != nil {
		return nil, 0, 0, err
	}
	defer c.stop()
	if err := c.initialize(dir); err != nil {
		return nil, 0, 0, err
	}
	c.open(path, src)
	var lenses []struct {
		Command struct {
			Command   string `json:"command"`
			Arguments []any  `json:"arguments"`
		} `json:"command"`
	}
	if err := c.call("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": uri(path)}}, &lenses); err != nil || len(lenses) == 0 {
		return nil, 0, 0, fmt.Errorf("no code lens: %v", err)
	}
	cmd := map[string]any{"command": lenses[0].Command.Command, "arguments": lenses[0].Command.Arguments}
	var out any
	if err := c.call("workspace/executeCommand", cmd, &out); err != nil { // first run: loads the engine
		return nil, 0, 0, err
	}
	var ds []time.Duration
	for i := 0; i < n; i++ {
		t0 := time.Now()
		if err := c.call("workspace/executeCommand", cmd, &out); err != nil {
			return nil, 0, 0, err
		}
		ds = append(ds, time.Since(t0))
	}
	rss, hwm := rssKB(c.cmd.Process.Pid)
	return ds, rss, hwm, nil
}

// startLoad runs n processes that keep a core busy each, at the same
// priority as the servers, until stop: the CPU a noisy neighbour takes.
func startLoad(n int) (stop func()) {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	var cmds []*exec.Cmd
	for i := 0; i < n; i++ {
		cmd := exec.Command(self, "-spin")
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(2)
		}
		cmds = append(cmds, cmd)
	}
	return func() {
		for _, c := range cmds {
			c.Process.Kill()
			c.Wait()
		}
	}
}

// dumpLatencies appends ds to path (when set), for looking at a tail's
// shape rather than one percentile.
func dumpLatencies(path, phase string, ds []time.Duration) {
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	for _, d := range ds {
		fmt.Fprintf(w, "%s %d\n", phase, d.Microseconds())
	}
	w.Flush()
}

func main() {
	bin := flag.String("bin", "bin/pyworkers-lsp", "the pyworkers-lsp binary")
	pyright := flag.String("pyright", ".cache/bench/node_modules/.bin/pyright-langserver", "pyright-langserver (skipped if missing)")
	pylsp := flag.String("pylsp", "pylsp", "pylsp (skipped if missing)")
	n := flag.Int("n", 100, "keystrokes per server")
	starts := flag.Int("starts", 20, "process starts for the initialize measurement")
	only := flag.Bool("only", false, "measure pyworkers-lsp alone (no pyright, pylsp, runtime runs or RSS)")
	noKeys := flag.Bool("no-keystrokes", false, "skip the keystroke → diagnostics phase")
	stderrPath := flag.String("server-stderr", "", "append the servers' stderr to this file (e.g. with GODEBUG=gctrace=1)")
	load := flag.Int("load", 0, "busy processes to run beside the measurement (a slow, shared VM)")
	spin := flag.Bool("spin", false, "internal: be one of -load's busy processes")
	pace := flag.Duration("pace", 0, "pause before each edit of the completion phase (0: back to back; a fast typist's keystrokes are ~70 ms apart)")
	dump := flag.String("dump", "", "write pyworkers-lsp's raw latencies (µs, one per line: phase value) to this file")
	flag.Parse()
	// The driver's own collector must not compete with the server it
	// measures: on two cores its mark phases (every ~50 ms, 1–5 ms long)
	// were what 5% of the server's answers waited behind. The heap of a
	// run stays well under the limit, which still collects if it must.
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(2 << 30)
	if *spin {
		var sum [32]byte
		for {
			sum = sha256.Sum256(sum[:])
		}
	}
	if *load > 0 {
		stop := startLoad(*load)
		defer stop()
	}
	if *stderrPath != "" {
		f, err := os.OpenFile(*stderrPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer f.Close()
		serverStderr = f
	}
	if *only {
		*pyright, *pylsp = "/nonexistent", "/nonexistent"
	}

	for _, p := range []*string{bin, pyright} {
		if strings.Contains(*p, "/") {
			if abs, err := filepath.Abs(*p); err == nil {
				*p = abs
			}
		}
	}
	dir, _ := os.MkdirTemp("", "lspbench")
	defer os.RemoveAll(dir)
	path, text := project(dir)

	type row struct {
		name             string
		init, keys, comp stats
		missed           int
		ok, compOK       bool
		compItems        int
	}
	var rows []row
	servers := [][]string{{*bin}}
	names := []string{"pyworkers-lsp"}
	if _, err := exec.LookPath(*pyright); err == nil {
		servers = append(servers, []string{*pyright, "--stdio"})
		names = append(names, "pyright-langserver")
	}
	if _, err := exec.LookPath(*pylsp); err == nil {
		servers = append(servers, []string{*pylsp})
		names = append(names, "pylsp")
	}
	bufOut := bufio.NewWriter(os.Stdout)
	defer bufOut.Flush()
	for i, argv := range servers {
		r := row{name: names[i]}
		var inits []time.Duration
		k := *starts
		if i > 0 {
			k = 5 // other servers start slowly; a few starts are enough
		}
		for j := 0; j < k; j++ {
			t0 := time.Now()
			c, err := start(argv, dir)
			if err != nil {
				break
			}
			if err := c.initialize(dir); err != nil {
				fmt.Fprintln(os.Stderr, names[i], "initialize:", err)
				c.stop()
				break
			}
			inits = append(inits, time.Since(t0))
			c.stop()
		}
		r.init = summarize(inits)
		c, err := start(argv, dir)
		if err != nil {
			continue
		}
		if err := c.initialize(dir); err == nil {
			if !*noKeys {
				ds, missed := keystrokes(c, path, text, *n)
				if i == 0 {
					dumpLatencies(*dump, "keystroke", ds)
				}
				r.keys, r.missed, r.ok = summarize(ds), missed, len(ds) > 0
			} else {
				c.open(path, text)
			}
			cs, items := completions(c, path, text, *n, *pace)
			if i == 0 {
				dumpLatencies(*dump, "completion", cs)
			}
			r.comp, r.compOK, r.compItems = summarize(cs), len(cs) > 0, items
		}
		c.stop()
		rows = append(rows, r)
	}

	loadNote := ""
	if *load > 0 {
		loadNote = fmt.Sprintf("; %d busy processes beside it", *load)
	}
	fmt.Fprintf(bufOut, "### LSP driver (%d keystrokes on a 5,000-line module; %d process starts%s)\n\n", *n, *starts, loadNote)
	fmt.Fprintln(bufOut, "| server | initialize median | initialize p99 | keystroke → diagnostics median | p99 | max | missed | ratio (median) vs pyworkers |")
	fmt.Fprintln(bufOut, "|---|---|---|---|---|---|---|---|")
	base := rows[0].keys.median
	for _, r := range rows {
		ratio := "—"
		if r.ok && base > 0 {
			ratio = fmt.Sprintf("%.0f×", float64(r.keys.median)/float64(base))
		}
		keys, p99, max := "no publication", "—", "—"
		if r.ok {
			keys, p99, max = ms(r.keys.median), ms(r.keys.p99), ms(r.keys.max)
		}
		fmt.Fprintf(bufOut, "| %s | %s | %s | %s | %s | %s | %d | %s |\n", r.name, ms(r.init.median), ms(r.init.p99), keys, p99, max, r.missed, ratio)
	}

	paceNote := "back to back"
	if *pace > 0 {
		paceNote = fmt.Sprintf("one every %v", *pace)
	}
	fmt.Fprintf(bufOut, "\n### Edit, then completion at `self.env.` (5,000-line module, %d edits, %s)\n\n", *n, paceNote)
	fmt.Fprintln(bufOut, "| server | median | p99 | max | items at `self.env.` | ratio (median) vs pyworkers |")
	fmt.Fprintln(bufOut, "|---|---|---|---|---|---|")
	cbase := rows[0].comp.median
	for _, r := range rows {
		if !r.compOK {
			fmt.Fprintf(bufOut, "| %s | no answer | — | — | — | — |\n", r.name)
			continue
		}
		fmt.Fprintf(bufOut, "| %s | %s | %s | %s | %d | %.0f× |\n", r.name, ms(r.comp.median), ms(r.comp.p99), ms(r.comp.max), r.compItems, float64(r.comp.median)/float64(cbase))
	}
	if *only {
		return
	}

	if ds, rss, hwm, err := runtimeRuns(*bin, 50); err != nil {
		fmt.Fprintf(bufOut, "\nruntime: %v\n", err)
	} else {
		st := summarize(ds)
		fmt.Fprintf(bufOut, "\n### Runtime inside the server\n\n| measure | median | p99 |\n|---|---|---|\n| ▶ Run fetch (hello) in a warm server, executeCommand → answer | %s | %s |\n", ms(st.median), ms(st.p99))
		fmt.Fprintf(bufOut, "\nServer RSS with the runtime loaded: %.1f MB (peak %.1f MB)\n", float64(rss)/1024, float64(hwm)/1024)
	}

	// Memory with 200 open files.
	c, err := start([]string{*bin}, dir)
	if err != nil {
		return
	}
	defer c.stop()
	c.initialize(dir)
	c.open(path, text)
	small := workergen.Module(1000)
	for i := 0; i < 200; i++ {
		c.open(filepath.Join(dir, "src", fmt.Sprintf("mod_%03d.py", i)), small)
	}
	var st any
	c.call("workspace/executeCommand", map[string]any{"command": "pyworkers.internal.documentState", "arguments": []any{uri(path)}}, &st)
	rssNow, _ := rssKB(c.cmd.Process.Pid)
	time.Sleep(2 * time.Second) // the server collects after a quiet second
	rss, hwm := rssKB(c.cmd.Process.Pid)
	fmt.Fprintf(bufOut, "\nRSS with 200 open 1,000-line files (+ the 5,000-line one): %.1f MB settled, %.1f MB right after the last open, peak %.1f MB\n", float64(rss)/1024, float64(rssNow)/1024, float64(hwm)/1024)
}
