package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/server/lsptest"
)

// TestWrongContentLengthResyncs: a frame whose Content-Length is off (too
// short or too long) costs at most that message; the server finds the next
// Content-Length header and answers every request after it (issue 17).
func TestWrongContentLengthResyncs(t *testing.T) {
	body := `{"jsonrpc":"2.0","id":9999,"method":"workspace/executeCommand","params":{"command":"pyworkers.nope","arguments":[]}}`
	for _, tc := range []struct {
		name  string
		delta int
		pause bool // the client waits for the answer before sending more
	}{{"10 bytes short", -10, false}, {"60 bytes long", 60, false}, {"60 bytes long, client waits", 60, true}} {
		t.Run(tc.name, func(t *testing.T) {
			c := lsptest.Start(t, binary)
			c.Initialize(t, t.TempDir(), nil)
			c.WriteRaw(t, []byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body)+tc.delta, body)))
			if tc.pause {
				// Nothing follows the frame for a second (but the server's
				// own requests' answers, sent by the client at initialize):
				// the server must not wait for the missing bytes.
				time.Sleep(time.Second)
			}
			for i := 0; i < 20; i++ {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				var out any
				_, err := c.Conn.Call(ctx, "workspace/executeCommand", map[string]any{"command": "pyworkers.internal.documentState", "arguments": []any{"file:///nope.py"}}, &out)
				cancel()
				if err == nil || !strings.Contains(err.Error(), "not open") {
					t.Fatalf("request %d after the bad frame: %v\nstderr:\n%s", i+1, err, c.Stderr)
				}
			}
			if code := c.Shutdown(t); code != 0 {
				t.Fatalf("exit code %d", code)
			}
		})
	}
}
