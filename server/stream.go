package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
)

// maxMessageBytes bounds one JSON-RPC message; a larger Content-Length is
// treated as a corrupt header (the bytes after it are scanned for the next
// header) rather than allocated.
const maxMessageBytes = 64 << 20

// bodyStall is how long a message body may stop arriving before the server
// checks whether what it has is already a whole message (a Content-Length
// that is too long, with the client waiting for the answer).
const bodyStall = 250 * time.Millisecond

// stream frames JSON-RPC messages with Content-Length headers, like
// jsonrpc2.NewStream, but never goes deaf on a bad frame:
//
//   - a message that is not JSON gets a ParseError response (id null, as
//     JSON-RPC says; the request's own id when it can be read from the
//     truncated text) and the stream reads on;
//   - a Content-Length that is wrong resynchronises on the next
//     "Content-Length:" header: a header line with garbage before it (the
//     rest of a frame whose length was too short) is read from the header
//     on, and a body that runs into the next header (a length too long) is
//     cut there, its first part decoded and the rest read again;
//   - a body that stops arriving while what has arrived is already a whole
//     message is taken as that message.
type stream struct {
	in    *frameReader
	stall time.Duration // see bodyStall
	out   io.WriteCloser
	mu    sync.Mutex // one message at a time on the wire
	log   *slog.Logger
}

func newStream(r io.Reader, w io.WriteCloser, log *slog.Logger) *stream {
	return &stream{in: newFrameReader(r), stall: bodyStall, out: w, log: log}
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
		msg, n, err := s.readBody(int(length))
		if msg != nil || err != nil {
			return msg, n, err
		}
	}
}

// readBody reads the body of a frame and decodes it. It returns no message
// and no error when the frame was broken (answered, or resynchronised on
// the next header).
func (s *stream) readBody(length int) (jsonrpc2.Message, int64, error) {
	for {
		data, stalled, err := s.in.readBody(length, s.stall)
		if err != nil {
			return nil, 0, err
		}
		// jsonrpc2.DecodeMessage ignores bytes after the first JSON value,
		// so a body that runs into the next frame would decode:
		// decodeExact checks that the body is one JSON value.
		msg, err := decodeExact(data)
		if err == nil {
			if stalled {
				s.log.Warn("message body shorter than its Content-Length; took the whole message received", "declared", length, "received", len(data))
			}
			return msg, int64(len(data)), nil
		}
		// The body holds (the start of) the next header: the Content-Length
		// was too long, or it was too short and the body started inside
		// this frame's header. Read on from that header; the part before
		// it may be a whole message.
		if i := s.in.headerIn(data); i >= 0 {
			s.in.unread(data[i:])
			data = bytes.TrimSpace(data[:i])
			if len(data) == 0 {
				s.log.Warn("resynchronising on the next Content-Length header", "declared", length)
				return nil, 0, nil
			}
			if msg, derr := decodeExact(data); derr == nil {
				s.log.Warn("Content-Length too long: the body ran into the next message's header; resynchronised", "declared", length, "used", len(data))
				return msg, int64(len(data)), nil
			}
		} else if stalled {
			// Not a message yet and no header in it: wait for more.
			s.in.unread(data)
			s.in.waitMore = true
			continue
		}
		s.log.Warn("ignoring a message that is not valid JSON-RPC", "error", err, "bytes", len(data))
		s.answerBroken(data, "message is not valid JSON-RPC: "+err.Error())
		return nil, 0, nil
	}
}

// wireMessage is any JSON-RPC message as it arrives.
type wireMessage struct {
	ID     *jsonrpc2.ID    `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *jsonrpc2.Error `json:"error"`
}

// decodeExact decodes b as one JSON-RPC message with nothing after it.
// It does what jsonrpc2.DecodeMessage does, without the stream decoder
// that function makes per message (its buffer was a tenth of what a
// keystroke allocates).
func decodeExact(b []byte) (jsonrpc2.Message, error) {
	var w wireMessage
	if err := json.Unmarshal(b, &w); err != nil { // also refuses bytes after the value
		return nil, fmt.Errorf("not one JSON-RPC message: %w", err)
	}
	var params any
	if w.Params != nil {
		params = w.Params
	}
	switch {
	case w.Method == "" && w.ID == nil:
		return nil, jsonrpc2.ErrInvalidRequest
	case w.Method == "":
		var err error
		if w.Error != nil {
			err = w.Error
		}
		var result any
		if w.Result != nil {
			result = w.Result
		}
		return jsonrpc2.NewResponse(*w.ID, result, err)
	case w.ID == nil:
		return jsonrpc2.NewNotification(w.Method, params)
	}
	return jsonrpc2.NewCall(*w.ID, w.Method, params)
}

type badHeader struct{ msg string }

func (b badHeader) Error() string { return b.msg }

// maxHeaderLine bounds a header line: bytes further than this before a line
// end cannot belong to a header that matters.
const maxHeaderLine = 256

// readHeader reads header lines up to the blank line and returns the
// Content-Length. A line with bytes before a "Content-Length:" header (the
// tail of a frame whose length was too short) is read from the header on.
func (s *stream) readHeader() (int64, error) {
	var length int64 = -1
	for {
		line, err := s.in.readLine(maxHeaderLine)
		if err != nil {
			return 0, err
		}
		if i := lastHeaderStart([]byte(line)); i > 0 {
			s.log.Warn("resynchronising on a Content-Length header after stray bytes", "skipped", i)
			line = line[i:]
			length = -1
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
			if n > maxMessageBytes {
				s.writeParseError(fmt.Sprintf("message of %d bytes exceeds the %d-byte limit", n, maxMessageBytes))
				return 0, badHeader{fmt.Sprintf("Content-Length %d exceeds the %d-byte limit", n, maxMessageBytes)}
			}
			length = n
		}
	}
}

var headerName = []byte("content-length:")

// lastHeaderStart returns where the last "Content-Length:" (any case) in b
// starts, or -1.
func lastHeaderStart(b []byte) int {
	if len(b) < len(headerName) {
		return -1
	}
	for i := len(b) - len(headerName); i >= 0; i-- {
		if (b[i] == 'c' || b[i] == 'C') && bytes.EqualFold(b[i:i+len(headerName)], headerName) {
			return i
		}
	}
	return -1
}

// answerBroken answers a message that could not be decoded. When the text
// is a request cut short whose id can still be read, the error carries that
// id, so the client does not wait for an answer forever; otherwise it is a
// ParseError with id null.
func (s *stream) answerBroken(data []byte, message string) {
	if id, ok := brokenRequestID(data); ok {
		body, _ := json.Marshal(map[string]any{
			"jsonrpc": "2.0",
			"id":      id,
			"error":   map[string]any{"code": jsonrpc2.ParseError, "message": message},
		})
		s.writeRaw(body)
		return
	}
	s.writeParseError(message)
}

// brokenRequestID reads the top-level keys of a JSON object that may be cut
// short and returns its "id" when the object is a request (it has a
// "method" and no "result" or "error").
func brokenRequestID(data []byte) (json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var id json.RawMessage
	method, response := false, false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			break
		}
		switch key {
		case "id":
			if len(v) > 0 && (v[0] == '"' || v[0] == '-' || (v[0] >= '0' && v[0] <= '9')) {
				id = v
			}
		case "method":
			method = true
		case "result", "error":
			response = true
		}
	}
	return id, id != nil && method && !response
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

// frameReader buffers the input stream. A goroutine reads the source into
// chunks, so a body read can notice that the bytes stopped coming; bytes
// can be put back in front (unread) when a frame turns out to hold the
// start of the next one.
type frameReader struct {
	chunks <-chan []byte
	err    error // the source's error, once chunks is closed
	errc   <-chan error
	buf    []byte
	quit   chan struct{}
	// waitMore makes the next readBody wait for new bytes first: what is
	// buffered was looked at and is not a message yet.
	waitMore bool
}

func newFrameReader(r io.Reader) *frameReader {
	chunks := make(chan []byte, 4)
	errc := make(chan error, 1)
	quit := make(chan struct{})
	go func() {
		// Reads fill one 64 KB block until little of it is left: a chunk
		// is a slice of the block no later read writes to, so a message
		// costs its own size, not a fresh block.
		var block []byte
		for {
			if len(block) < 4<<10 {
				block = make([]byte, 64<<10)
			}
			n, err := r.Read(block)
			b := block[:n:n]
			block = block[n:]
			if n > 0 {
				select {
				case chunks <- b:
				case <-quit:
					return
				}
			}
			if err != nil {
				errc <- err
				close(chunks)
				return
			}
		}
	}()
	return &frameReader{chunks: chunks, errc: errc, quit: quit}
}

// close stops the reading goroutine once its current read returns.
func (f *frameReader) close() {
	select {
	case <-f.quit:
	default:
		close(f.quit)
	}
}

// fill appends the next chunk to buf. With wait > 0 it gives up (false)
// when no chunk arrives in time.
func (f *frameReader) fill(wait time.Duration) (bool, error) {
	if f.err != nil {
		return false, f.err
	}
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case b, ok := <-f.chunks:
		if !ok {
			f.err = <-f.errc
			return false, f.err
		}
		if len(f.buf) == 0 {
			f.buf = b
		} else {
			f.buf = append(f.buf, b...)
		}
		return true, nil
	case <-timeout:
		return false, nil
	}
}

// readLine returns the next line, its "\n" included. Of a line longer than
// max only its last max bytes are kept: a header is short, so the bytes
// before cannot be part of one.
func (f *frameReader) readLine(max int) (string, error) {
	for {
		if i := bytes.IndexByte(f.buf, '\n'); i >= 0 {
			line := f.buf[:i+1]
			f.buf = f.buf[i+1:]
			if len(line) > max {
				line = line[len(line)-max:]
			}
			return string(line), nil
		}
		if len(f.buf) > max {
			f.buf = append(f.buf[:0:0], f.buf[len(f.buf)-max:]...)
		}
		if _, err := f.fill(0); err != nil {
			return "", err
		}
	}
}

// readBody reads n bytes. When the bytes stop arriving for stall before
// n are there, it returns what it has with stalled set; the caller decides
// whether that is a whole message, holds the next header, or needs more
// (then it unreads the bytes and sets waitMore, and the next readBody
// waits for new bytes before it looks again).
func (f *frameReader) readBody(n int, stall time.Duration) ([]byte, bool, error) {
	if f.waitMore {
		f.waitMore = false
		if _, err := f.fill(0); err != nil {
			return nil, false, err
		}
	}
	for len(f.buf) < n {
		got, err := f.fill(stall)
		if err != nil {
			return nil, false, err
		}
		if !got {
			data := f.buf
			f.buf = nil
			return data, true, nil
		}
	}
	data := f.buf[:n:n]
	f.buf = f.buf[n:]
	return data, false, nil
}

// headerIn returns where the first "Content-Length:" (any case) that
// starts inside data begins (data being the bytes just taken off the front
// of the buffer, so a header may run on into the buffer), or -1.
func (f *frameReader) headerIn(data []byte) int {
	probe := data
	if len(f.buf) > 0 {
		k := min(len(f.buf), len(headerName))
		probe = append(append(make([]byte, 0, len(data)+k), data...), f.buf[:k]...)
	}
	for i := 0; i+len(headerName) <= len(probe) && i < len(data); i++ {
		if (probe[i] == 'c' || probe[i] == 'C') && bytes.EqualFold(probe[i:i+len(headerName)], headerName) {
			return i
		}
	}
	return -1
}

// unread puts b back in front of the unread bytes.
func (f *frameReader) unread(b []byte) {
	f.buf = append(append(make([]byte, 0, len(b)+len(f.buf)), b...), f.buf...)
}
