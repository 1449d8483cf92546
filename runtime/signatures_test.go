package runtime

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/testtree"
)

func signaturesSpec(t *testing.T, sdk string) WorkerSpec {
	dir := t.TempDir()
	testtree.Copy(t, "../testdata/runtime/signatures", dir)
	testtree.VendorSDK(t, sdk, dir)
	builtin := ""
	if sdk == "" {
		builtin = "builtin"
	}
	return WorkerSpec{
		ProjectDir: dir, Main: "src/entry.py", SDK: builtin,
		CompatibilityDate: "2025-10-01", CompatibilityFlags: []string{"python_workers"},
		Vars: map[string]any{"NAME": "sig"},
	}
}

// Handlers get (event, env, ctx) cut to their signature, as the SDK's
// entrypoint helper calls them: scheduled(self, controller, env, ctx) works.
func TestHandlersTakeTheArgumentsTheirSignatureHas(t *testing.T) {
	for name, sdk := range testtree.SDKs(t) {
		t.Run(name, func(t *testing.T) {
			spec := signaturesSpec(t, sdk)
			res, err := engineForTest(t).RunScheduled(context.Background(), spec, "0 * * * *", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			wantOK(t, res)
			logs := logsOf(res)
			if !strings.Contains(logs, "scheduled 0 * * * * env=sig same_env=True ctx=True") {
				t.Fatalf("logs:\n%s", logs)
			}
			res = fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
			wantOK(t, res)
			if string(res.Body) != "hello sig" {
				t.Fatalf("fetch(self, request, env, ctx): %q", res.Body)
			}
			n := 0
			for _, h := range res.Headers {
				if strings.EqualFold(h.Name, "content-length") {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("content-length %d times in %+v", n, res.Headers)
			}
		})
	}
}

func logsOf(res *RunResult) string {
	var b strings.Builder
	for _, l := range res.Logs {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

// A binding kind the runtime does not simulate says so by name when used
// (worker_loaders used to give a bare AttributeError).
func TestUnsupportedBindingSaysSo(t *testing.T) {
	spec := writeWorker(t, t.TempDir(), `
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        try:
            self.env.LOADER.get("id", None)
        except Exception as e:
            return Response(str(e))
        return Response("no error")
`)
	spec.Bindings = []Binding{{Name: "LOADER", Kind: "worker_loaders"}}
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	if !strings.Contains(string(res.Body), `the worker_loaders binding "LOADER" (WorkerLoader) is not available`) {
		t.Fatalf("body %q", res.Body)
	}
}
