package runtime

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// new WebSocket(url) from a handler (with allowNet) talks to a real
// WebSocket server; without allowNet it is refused like fetch.
func TestOutboundWebSocket(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, b, err := c.Read(context.Background())
			if err != nil {
				return
			}
			c.Write(context.Background(), typ, append([]byte("echo "), b...))
		}
	}))
	defer srv.Close()
	spec := WorkerSpec{ProjectDir: "../testdata/runtime/wsclient", Main: "worker.py", CompatibilityDate: "2025-10-01",
		CompatibilityFlags: []string{"python_workers"}, AllowNet: true,
		Vars: map[string]any{"ECHO_URL": "ws" + strings.TrimPrefix(srv.URL, "http") + "/"}}
	res := fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	wantOK(t, res)
	if string(res.Body) != "echo ping" {
		t.Fatalf("body %q", res.Body)
	}
	spec.AllowNet = false
	res = fetch(t, spec, HTTPRequest{URL: "http://localhost/"})
	if res.Status != 500 || res.Error == nil || !strings.Contains(res.Error.Message, "outbound fetch is disabled") {
		t.Fatalf("without allowNet: %d %+v", res.Status, res.Error)
	}
}
