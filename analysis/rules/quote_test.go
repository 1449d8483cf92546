package rules

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// trickyStrings are strings a quick fix may have to write into a config:
// every one must come out as valid JSON and valid TOML holding the same text
// (invalid UTF-8 as U+FFFD, since both formats are UTF-8 only).
var trickyStrings = []string{
	"", "plain", `quote " inside`, `back\slash`, `\"`, "tab\tnew\nline\rcr",
	"\x00nul", "\x01\x07\x08\x0b\x0c\x1b\x1f", "del\x7f", "\u2028line sep\u2029para sep",
	"\u0085next line", "bad \xff\xfe utf-8", "\xc3", "é中😀", "<&>", "\ufeffbom", "'single'",
	"a\\u0041", "${not interpolated}", "\U0010ffff",
}

func TestQuoteIsValidJSONAndTOML(t *testing.T) {
	for _, s := range trickyStrings {
		want := strings.ToValidUTF8(s, "\uFFFD")
		q := quote(s)
		var fromJSON string
		if err := json.Unmarshal([]byte(q), &fromJSON); err != nil {
			t.Errorf("quote(%q) = %s: not JSON: %v", s, q, err)
		} else if fromJSON != want {
			t.Errorf("quote(%q) = %s reads back from JSON as %q", s, q, fromJSON)
		}
		var fromTOML struct{ K string }
		if err := toml.Unmarshal([]byte("K = "+q+"\n"), &fromTOML); err != nil {
			t.Errorf("quote(%q) = %s: not a TOML string: %v", s, q, err)
		} else if fromTOML.K != want {
			t.Errorf("quote(%q) = %s reads back from TOML as %q", s, q, fromTOML.K)
		}
	}
}

// The values quick fixes insert (objects with tricky keys and strings)
// parse as JSON and TOML too.
func TestConfigValuesAreValidJSONAndTOML(t *testing.T) {
	for _, s := range trickyStrings {
		v := []field{{Key: s, Value: s}, {Key: "list", Value: []any{s, 1, true}}}
		want := map[string]any{strings.ToValidUTF8(s, "\uFFFD"): strings.ToValidUTF8(s, "\uFFFD"),
			"list": []any{strings.ToValidUTF8(s, "\uFFFD"), float64(1), true}}
		var fromJSON map[string]any
		if err := json.Unmarshal([]byte(jsonValue(v)), &fromJSON); err != nil {
			t.Errorf("jsonValue with %q = %s: %v", s, jsonValue(v), err)
		} else if got, _ := json.Marshal(fromJSON); string(got) != mustJSON(t, want) {
			t.Errorf("jsonValue with %q reads back as %s", s, got)
		}
		var fromTOML map[string]any
		if err := toml.Unmarshal([]byte("K = "+tomlValue(v)+"\n"), &fromTOML); err != nil {
			t.Errorf("tomlValue with %q = %s: %v", s, tomlValue(v), err)
			continue
		}
		got, _ := json.Marshal(fromTOML["K"])
		if string(got) != mustJSON(t, want) {
			t.Errorf("tomlValue with %q reads back as %s", s, got)
		}
	}
}

// A requirements.txt line with a BEL, a DEL and quotes moves into pyproject.toml
// as a valid TOML string (PW017's fix).
func TestPW017FixQuotesTrickyLines(t *testing.T) {
	pp := "[project]\nname = \"x\"\ndependencies = [\n  \"httpx\",\n]\n"
	line := "fastapi==0.110; python_version > \"3\" \x07\x7f"
	in := worker(t, map[string]string{"src/entry.py": okEntry, "pyproject.toml": pp, "requirements.txt": line + "\n"}, "")
	d := expectOne(t, in, "requirements.txt", "PW017", line)
	got := fixed(t, in, d, "Add these requirements", "pyproject.toml")
	var doc struct {
		Project struct{ Dependencies []string }
	}
	if err := toml.Unmarshal([]byte(got), &doc); err != nil {
		t.Fatalf("fixed pyproject.toml is not TOML: %v\n%s", err, got)
	}
	if deps := doc.Project.Dependencies; len(deps) != 2 || deps[1] != line {
		t.Fatalf("dependencies after the fix: %q", deps)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
