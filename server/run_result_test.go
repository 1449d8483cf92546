package server

import (
	"strings"
	"testing"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// The result document indents JSON bodies and leaves everything else as
// the handler sent it.
func TestFormatRunIndentsJSONBodies(t *testing.T) {
	for _, tc := range []struct {
		contentType, body, want string
	}{
		{"application/json", `{"a":1,"b":[true,null]}`, "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null\n  ]\n}\n"},
		{"application/problem+json; charset=utf-8", `{"title":"x"}`, "{\n  \"title\": \"x\"\n}\n"},
		{"application/json", `{"broken":`, "{\"broken\":\n"},
		{"text/plain;charset=UTF-8", `{"a":1}`, "{\"a\":1}\n"},
	} {
		res := &runtime.RunResult{Status: 200, StatusText: "OK", Headers: []runtime.Header{{Name: "content-type", Value: tc.contentType}}, Body: []byte(tc.body)}
		got := formatRun("GET /", res)
		_, body, ok := strings.Cut(got, "content-type: "+tc.contentType+"\n\n")
		if !ok || body != tc.want {
			t.Errorf("%s %q: body in the document %q, want %q\n%s", tc.contentType, tc.body, body, tc.want, got)
		}
	}
}
