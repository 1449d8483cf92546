package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
)

// maxMessageBytes bounds one JSON-RPC message; a larger Content-Length is
// skipped rather than allocated.
const maxMessageBytes = 64 << 20

// stream frames JSON-RPC messages with Content-Length headers, like
// jsonrpc2.NewStream, but survives a message that is not JSON: it answers
// with a ParseError response (id null, as JSON-RPC says) and reads on,
// where the library's stream would close the connection.
type stream struct {
	in  *bufio.Reader
	out io.WriteCloser
	mu  sync.Mutex // one message at a time on the wire
	log *slog.Logger
}

func newStream(r io.Reader, w io.WriteCloser, log *slog.Logger) *stream {
	return &stream{in: bufio.NewReaderSize(r, 64<<10), out: w, log: log}
}

// Read implements jsonrpc2.Stream.
func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		length, err := s.readHeader()
		if err != nil {
			var bad badHeader
			if errors.As(err, &bad) {
				s.log.Warn("skipping a malformed message header", "error", err)
				continue
			}
			return nil, 0, err
		}
		if length > maxMessageBytes {
			s.log.Warn("skipping an oversized message", "bytes", length)
			if _, err := io.CopyN(io.Discard, s.in, length); err != nil {
				return nil, 0, err
			}
			s.writeParseError(fmt.Sprintf("message of %d bytes exceeds the %d-byte limit", length, maxMessageBytes))
			continue
		}
		data := make([]byte, length)
		if _, err := io.ReadFull(s.in, data); err != nil {
			return nil, 0, err
		}
		msg, err := jsonrpc2.DecodeMessage(data)
		if err != nil {
			s.log.Warn("ignoring a message that is not valid JSON-RPC", "error", err, "bytes", len(data))
			s.writeParseError("message is not valid JSON-RPC: " + err.Error())
			continue
		}
		return msg, length, nil
	}
}

type badHeader struct{ msg string }

func (b badHeader) Error() string { return b.msg }

// readHeader reads header lines up to the blank line and returns the
// Content-Length.
func (s *stream) readHeader() (int64, error) {
	var length int64 = -1
	for {
		line, err := s.in.ReadString('\n')
		if err != nil {
			return 0, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			if length < 0 {
				return 0, badHeader{"missing Content-Length header"}
			}
			return length, nil
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return 0, badHeader{fmt.Sprintf("invalid header line %q", line)}
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || n < 0 {
				return 0, badHeader{fmt.Sprintf("invalid Content-Length %q", value)}
			}
			length = n
		}
	}
}

func (s *stream) writeParseError(message string) {
	body, _ := json.Marshal(map[string]any{
		"jsonrpc": "2.0",
		"id":      nil,
		"error":   map[string]any{"code": jsonrpc2.ParseError, "message": message},
	})
	s.writeRaw(body)
}

func (s *stream) writeRaw(body []byte) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := fmt.Fprintf(s.out, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return int64(n), err
}

// Write implements jsonrpc2.Stream.
func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	body, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("marshaling message: %w", err)
	}
	return s.writeRaw(body)
}

// Close implements jsonrpc2.Stream.
func (s *stream) Close() error { return s.out.Close() }
