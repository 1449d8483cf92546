package cli

import (
	"strings"
	"testing"
)

const assetsConfig = "../../testdata/assets/worker/wrangler.jsonc"

// `run` answers from the static assets before the Worker, as Cloudflare
// does; run_worker_first routes and misses reach the Worker, which reads
// the assets through env.ASSETS.
func TestRunServesStaticAssetsFirst(t *testing.T) {
	code, out, errOut := runCLI(t, "--config", assetsConfig, "/about")
	if code != 0 || !strings.HasPrefix(out, "HTTP/1.1 200 OK\n") || !strings.Contains(out, "content-type: text/html; charset=utf-8\n") ||
		!strings.Contains(out, "x-frame-options: DENY\n") || !strings.HasSuffix(out, "<h1>About</h1>\n") {
		t.Fatalf("/about: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ = runCLI(t, "--config", assetsConfig, "/about.html"); !strings.HasPrefix(out, "HTTP/1.1 307 Temporary Redirect\n") || !strings.Contains(out, "location: /about\n") {
		t.Fatalf("/about.html: %d\n%s", code, out)
	}
	if code, out, _ = runCLI(t, "--config", assetsConfig, "/api/users"); code != 0 || !strings.HasSuffix(out, `{"api": "api/users"}`) {
		t.Fatalf("run_worker_first /api/*: %d\n%s", code, out)
	}
	if code, out, _ = runCLI(t, "--config", assetsConfig, "/nowhere"); code != 0 || !strings.HasSuffix(out, "worker: nowhere") {
		t.Fatalf("a miss goes to the Worker: %d\n%s", code, out)
	}
	if code, out, errOut = runCLI(t, "--config", assetsConfig, "/via-binding"); code != 0 || !strings.Contains(out, "About (via ASSETS)") {
		t.Fatalf("env.ASSETS.fetch: %d\n%s\n%s", code, out, errOut)
	}
}

// The SPA environment: a browser's navigation to an app route gets
// index.html; a fetch() from code that matches no asset reaches the Worker.
func TestRunSinglePageApplication(t *testing.T) {
	code, out, errOut := runCLI(t, "--config", assetsConfig, "--env", "spa", "-H", "Sec-Fetch-Mode: navigate", "/app/settings")
	if code != 0 || !strings.HasPrefix(out, "HTTP/1.1 200 OK\n") || !strings.HasSuffix(out, "<h1>Home</h1>\n") {
		t.Fatalf("SPA navigation: %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ = runCLI(t, "--config", assetsConfig, "--env", "spa", "/app/settings"); code != 0 || !strings.HasSuffix(out, "worker: app/settings") {
		t.Fatalf("SPA non-navigation: %d\n%s", code, out)
	}
}
