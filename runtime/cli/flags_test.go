package cli

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/handlers"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/dispatch"
)

// The flags become one dispatch.Run, without starting the runtime.
func TestParseRunFlagsBuildsTheRun(t *testing.T) {
	for _, c := range []struct {
		args  []string
		want  dispatch.Run
		reset bool
	}{
		{[]string{"/items", "-d", "x", "-H", "A: b"}, dispatch.Run{Kind: handlers.Fetch, Method: "POST", Path: "/items", Headers: [][2]string{{"A", "b"}}, Body: []byte("x")}, false},
		{[]string{"--scheduled", "0 * * * *"}, dispatch.Run{Kind: handlers.Scheduled, Cron: "0 * * * *", Method: "GET", Path: "/"}, false},
		{[]string{"--do", "COUNTER", "--name", "a", "--method", "inc", "--args", "[1]"}, dispatch.Run{Kind: handlers.DurableRPC, Method: "GET", Path: "/", Binding: "COUNTER", Name: "a", RPCMethod: "inc", Args: []any{1.0}}, false},
		{[]string{"--do", "COUNTER", "--id", "ab", "-X", "PUT", "/p"}, dispatch.Run{Kind: handlers.DurableFetch, Method: "PUT", Path: "/p", Binding: "COUNTER", ObjectID: "ab"}, false},
		{[]string{"--workflow-event", "i1", "approve", `{"by": 1}`}, dispatch.Run{Kind: handlers.WorkflowEvent, Method: "GET", Path: "/", Instance: "i1", EventType: "approve", EventPayload: `{"by": 1}`}, false},
		{[]string{"--alarm-all"}, dispatch.Run{Kind: handlers.Alarm, Method: "GET", Path: "/", AllAlarms: true}, false},
		{[]string{"--reset-state"}, dispatch.Run{Method: "GET", Path: "/"}, true},
		{[]string{"--reset-state", "--queue", "jobs"}, dispatch.Run{Kind: handlers.Queue, Queue: "jobs", Method: "GET", Path: "/"}, true},
	} {
		opts, code := parseRunFlags(c.args, io.Discard, io.Discard)
		if opts == nil {
			t.Errorf("%v: exit %d", c.args, code)
			continue
		}
		if !reflect.DeepEqual(opts.run, c.want) || opts.resetState != c.reset {
			t.Errorf("%v:\n got %+v reset %v\nwant %+v reset %v", c.args, opts.run, opts.resetState, c.want, c.reset)
		}
	}
}

// --data @file reads a named file (a pipe too) but never more than maxBody.
func TestReadBodyIsBounded(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxBody + 1); err != nil {
		t.Skip(err)
	}
	f.Close()
	if _, err := readBody("@" + p); err == nil || !strings.Contains(err.Error(), "larger than 64 MiB") {
		t.Errorf("oversized body: %v", err)
	}
	if err := os.Truncate(p, 3); err != nil {
		t.Fatal(err)
	}
	if b, err := readBody("@" + p); err != nil || len(b) != 3 {
		t.Errorf("small body: %q %v", b, err)
	}
}
