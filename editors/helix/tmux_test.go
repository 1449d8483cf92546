//go:build helixtmux

// The real Helix, driven in tmux as a user types (make editors-helix-test,
// build tag helixtmux; $PYWORKERS_HX is the hx to run, from
// editors/fetch-editors.sh): the snippet merged into the user's
// languages.toml, `hx --health python`, then on a copy of
// editors/testdata/run-worker: the PW015 diagnostic in the diagnostics
// picker, the completion popup after `self.env.`, and the "▶ Run fetch"
// code action (Helix has no code lenses) run, with its result opened.
package helix_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

type tmuxSession struct {
	t    *testing.T
	name string
	env  []string
	shot string // where each capture is kept, as a test artefact
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-L", s.name}, args...)...)
	cmd.Env = s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	s.tmux(append([]string{"send-keys", "-t", s.name}, keys...)...)
}

// typeText sends text literally, one key at a time, as typing does.
func (s *tmuxSession) typeText(text string) {
	s.t.Helper()
	for _, r := range text {
		s.tmux("send-keys", "-t", s.name, "-l", string(r))
		time.Sleep(15 * time.Millisecond)
	}
}

func (s *tmuxSession) screen() string {
	return s.tmux("capture-pane", "-p", "-t", s.name)
}

// waitFor polls the screen until it matches, and keeps the last screen.
func (s *tmuxSession) waitFor(what string, re *regexp.Regexp, timeout time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		screen := s.screen()
		if re.MatchString(screen) {
			s.save(what, screen)
			return screen
		}
		if time.Now().After(deadline) {
			s.save(what, screen)
			s.t.Fatalf("Helix never showed %s (%s) within %s; screen:\n%s", what, re, timeout, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *tmuxSession) save(what, screen string) {
	if s.shot == "" {
		return
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(what))
	os.WriteFile(filepath.Join(s.shot, name+".txt"), []byte(screen), 0o644)
}

func TestHelixInTmux(t *testing.T) {
	hx := os.Getenv("PYWORKERS_HX")
	if hx == "" {
		t.Fatal("PYWORKERS_HX is not set: run make editors-helix-test (editors/fetch-editors.sh fetches Helix)")
	}
	bin := binary(t)
	snippet, err := os.ReadFile("languages.toml")
	if err != nil {
		t.Fatal(err)
	}

	// The user's machine: the snippet as their languages.toml, the server on
	// PATH under the snippet's command name.
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".config", "helix"), 0o755)
	os.WriteFile(filepath.Join(home, ".config", "helix", "languages.toml"), snippet, 0o644)
	pathDir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(pathDir, "pyworkers-lsp")); err != nil {
		t.Fatal(err)
	}
	project := filepath.Join(t.TempDir(), "run-worker")
	if out, err := exec.Command("cp", "-r", "../testdata/run-worker", project).CombinedOutput(); err != nil {
		t.Fatalf("copy fixture: %v\n%s", err, out)
	}
	env := []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"PATH=" + pathDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
	}
	// The runtime files make artifacts built under the real home, and the
	// warm compile cache of make test.
	env = append(env, runtime.EnvArtifacts+"="+runtime.DefaultArtifactsDir())
	for _, k := range []string{runtime.EnvCacheDir, runtime.EnvCompileCache, "HELIX_RUNTIME", "TMPDIR"} {
		if v := os.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}

	health := exec.Command(hx, "--health", "python")
	health.Env = env
	out, _ := health.CombinedOutput()
	plain := regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAllString(string(out), "")
	if !regexp.MustCompile(`✓ pyworkers: .*pyworkers-lsp`).MatchString(plain) {
		t.Fatalf("hx --health python does not list pyworkers as found:\n%s", plain)
	}
	t.Logf("hx --health python: %s", strings.TrimSpace(regexp.MustCompile(`(?m)^.*pyworkers.*$`).FindString(plain)))

	shots := os.Getenv("PYWORKERS_HELIX_SHOTS")
	if shots != "" {
		os.MkdirAll(shots, 0o755)
	}
	s := &tmuxSession{t: t, name: fmt.Sprintf("pyworkers-hx-%d", os.Getpid()), env: env, shot: shots}
	s.tmux("-f", "/dev/null", "new-session", "-d", "-s", s.name, "-x", "160", "-y", "45", "-c", project,
		hx, "src/entry.py")
	t.Cleanup(func() {
		exec.Command("tmux", "-L", s.name, "kill-server").Run()
	})
	s.waitFor("the file", regexp.MustCompile(`class Default\(WorkerEntrypoint\)`), 20*time.Second)

	// The diagnostic, in the diagnostics picker (space d).
	time.Sleep(500 * time.Millisecond)
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.keys("Space", "d")
		time.Sleep(400 * time.Millisecond)
		screen := s.screen()
		if strings.Contains(screen, "is async and not awaited") {
			s.save("diagnostics picker", screen)
			break
		}
		s.keys("Escape")
		if time.Now().After(deadline) {
			t.Fatalf("no PW015 in the diagnostics picker; screen:\n%s", screen)
		}
		time.Sleep(500 * time.Millisecond)
	}
	s.keys("Escape")

	// Completion: a new line after line 6, then `self.env.`.
	s.typeText("6G") // goto line 6 (count + G)
	s.typeText("o")
	s.typeText("x = self.env.")
	s.waitFor("completion popup", regexp.MustCompile(`(?s)CACHE.*GREETING|GREETING.*CACHE`), 20*time.Second)
	s.keys("Escape")
	s.typeText("u") // the typed line goes again

	// The run, as a code action on the handler (space a on its def line).
	s.typeText("5G")
	s.keys("Space", "a")
	s.waitFor("code action menu", regexp.MustCompile(`▶ Run fetch GET /`), 20*time.Second)
	// The menu lists the run (and nothing else on this line): pick it.
	s.keys("Enter")
	s.waitFor("run result", regexp.MustCompile(`HTTP/1\.1 200 OK|hello from the editor`), 120*time.Second)
	result, err := os.ReadFile(filepath.Join(project, ".pyworkers", "results", "fetch.http"))
	if err != nil || !strings.Contains(string(result), "hello from the editor") {
		t.Fatalf("result file: %v\n%s", err, result)
	}
	s.waitFor("the result document", regexp.MustCompile(`fetch\.http`), 10*time.Second)
	s.typeText(":qa!")
	s.keys("Enter")
}
