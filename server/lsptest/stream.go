package lsptest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
)

// clientStream frames messages like jsonrpc2.NewStream, with two additions
// the tests need: a raw write that shares the message lock (so a test can
// put bytes that are not JSON on the wire without splitting another
// message), and responses with "id": null — the ParseError answer JSON-RPC
// prescribes for a message that cannot be parsed — are recorded instead of
// ending the connection (jsonrpc2.DecodeMessage rejects them).
type clientStream struct {
	in  *bufio.Reader
	out io.WriteCloser

	mu sync.Mutex // one message at a time on the wire

	errMu       sync.Mutex
	parseErrors []jsonrpc2.Error
	parseWait   chan struct{} // closed and replaced on each parse error
}

func newClientStream(r io.Reader, w io.WriteCloser) *clientStream {
	return &clientStream{in: bufio.NewReader(r), out: w, parseWait: make(chan struct{})}
}

func (s *clientStream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		var length int64 = -1
		for {
			line, err := s.in.ReadString('\n')
			if err != nil {
				return nil, 0, fmt.Errorf("reading a header line: %w", err)
			}
			line = strings.TrimSpace(line)
			if line == "" {
				break
			}
			name, value, ok := strings.Cut(line, ":")
			if !ok {
				return nil, 0, fmt.Errorf("invalid header line %q", line)
			}
			if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
				if length, err = strconv.ParseInt(strings.TrimSpace(value), 10, 64); err != nil || length < 0 {
					return nil, 0, fmt.Errorf("invalid Content-Length %q", value)
				}
			}
		}
		if length < 0 {
			return nil, 0, fmt.Errorf("missing Content-Length header")
		}
		data := make([]byte, length)
		if _, err := io.ReadFull(s.in, data); err != nil {
			return nil, 0, fmt.Errorf("reading a message body: %w", err)
		}
		if e, ok := nullIDError(data); ok {
			s.errMu.Lock()
			s.parseErrors = append(s.parseErrors, e)
			close(s.parseWait)
			s.parseWait = make(chan struct{})
			s.errMu.Unlock()
			continue
		}
		msg, err := jsonrpc2.DecodeMessage(data)
		return msg, length, err
	}
}

// nullIDError reports whether data is an error response with "id": null.
func nullIDError(data []byte) (jsonrpc2.Error, bool) {
	var m struct {
		Method string           `json:"method"`
		ID     *json.RawMessage `json:"id"`
		Error  *jsonrpc2.Error  `json:"error"`
	}
	if json.Unmarshal(data, &m) != nil || m.Method != "" || m.Error == nil {
		return jsonrpc2.Error{}, false
	}
	if m.ID != nil && !bytes.Equal(bytes.TrimSpace(*m.ID), []byte("null")) {
		return jsonrpc2.Error{}, false
	}
	return *m.Error, true
}

func (s *clientStream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("marshaling message: %w", err)
	}
	return s.writeFramed(data)
}

func (s *clientStream) writeFramed(body []byte) (int64, error) {
	return s.writeRaw([]byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)))
}

func (s *clientStream) writeRaw(b []byte) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.out.Write(b)
	return int64(n), err
}

func (s *clientStream) Close() error { return s.out.Close() }

// WriteRaw puts b on the server's stdin as it is, between whole messages.
func (c *Client) WriteRaw(t testing.TB, b []byte) {
	t.Helper()
	if _, err := c.stream.writeRaw(b); err != nil {
		t.Fatalf("writing to the server's stdin: %v", err)
	}
}

// WaitParseError waits until the server has answered n messages with an
// "id": null error response (a JSON-RPC ParseError) and returns the n-th.
func (c *Client) WaitParseError(t testing.TB, n int, timeout time.Duration) jsonrpc2.Error {
	t.Helper()
	deadline := time.After(timeout)
	for {
		c.stream.errMu.Lock()
		got, wait := c.stream.parseErrors, c.stream.parseWait
		c.stream.errMu.Unlock()
		if len(got) >= n {
			return got[n-1]
		}
		select {
		case <-wait:
		case <-deadline:
			t.Fatalf("timed out waiting for parse error #%d (have %d)\nstderr:\n%s", n, len(got), c.Stderr)
			return jsonrpc2.Error{}
		}
	}
}
