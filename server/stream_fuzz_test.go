package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
)

type discardCloser struct{}

func (discardCloser) Write(p []byte) (int, error) { return len(p), nil }
func (discardCloser) Close() error                { return nil }

// FuzzFraming: whatever bytes arrive on stdin, the framing never panics and
// never goes deaf: a well-formed request sent after them is read (issue 17).
// Seeds are in testdata/fuzz/FuzzFraming.
func FuzzFraming(f *testing.F) {
	f.Fuzz(func(t *testing.T, garbage []byte) {
		pr, pw := io.Pipe()
		s := newStream(pr, discardCloser{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		defer s.in.close()
		defer pr.Close()
		s.stall = 2 * time.Millisecond
		const marker = "pyworkers.fuzz.marker"
		body := fmt.Sprintf(`{"jsonrpc":"2.0","id":424242,"method":%q,"params":{}}`, marker)
		go func() {
			pw.Write(garbage)
			fmt.Fprintf(pw, "Content-Length: %d\r\n\r\n%s", len(body), body)
		}()
		found := make(chan error, 1)
		go func() {
			for {
				msg, _, err := s.Read(context.Background())
				if err != nil {
					found <- err
					return
				}
				if c, ok := msg.(*jsonrpc2.Call); ok && c.Method() == marker {
					id := idKey(c.ID())
					if id == "424242" {
						found <- nil
						return
					}
				}
			}
		}()
		select {
		case err := <-found:
			if err != nil {
				t.Fatalf("the stream failed: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("a well-formed request after %q was never read", garbage)
		}
	})
}
