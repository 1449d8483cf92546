// Package wranglerschema validates a wrangler configuration against the
// JSON schema wrangler itself ships (config-schema.json in the npm
// `wrangler` package; version in schema-version.txt, refreshed by
// update.sh) and turns the schema library's error tree into short issues
// an editor can show.
package wranglerschema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/similar"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed config-schema.json
var schemaJSON []byte

//go:embed schema-version.txt
var schemaVersion string

// Issue is one problem found in a configuration.
type Issue struct {
	// Path holds the JSON pointer segments of the offending value:
	// ["kv_namespaces","0","binding"]. For an unknown key it ends with the
	// key; for a missing required key it is the object lacking it.
	Path []string
	// Message is short and human: `"kv_namespaces[0].binding" should be a
	// string, not a number`.
	Message string
	// Kind is "unknown-key" (wrangler only warns), "type", "required" or
	// "other".
	Kind string
	// Key is the unknown or missing key, for unknown-key and required.
	Key string
}

// found is an Issue plus what a type error wanted, kept while merging the
// branches of an anyOf/oneOf.
type found struct {
	Issue
	wants []string
	got   string
}

// WranglerVersion is the wrangler release the schema was taken from.
func WranglerVersion() string { return strings.TrimSpace(schemaVersion) }

var (
	compileOnce sync.Once
	compiled    *jsonschema.Schema
	compileErr  error
	printer     = message.NewPrinter(language.English)
)

// schemaURL only names the embedded resource for the compiler; nothing is
// fetched.
const schemaURL = "urn:pyworkers-lsp:wrangler-config-schema.json"

func schema() (*jsonschema.Schema, error) {
	compileOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
		if err != nil {
			compileErr = fmt.Errorf("wrangler config schema: %w", err)
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource(schemaURL, doc); err != nil {
			compileErr = fmt.Errorf("wrangler config schema: %w", err)
			return
		}
		compiled, compileErr = c.Compile(schemaURL)
	})
	return compiled, compileErr
}

// Validate checks a configuration as produced by json.Unmarshal into an
// `any` (TOML configs converted to the same shape). Issues are sorted by
// path. A config that passes yields nil.
func Validate(doc any) []Issue {
	sch, err := schema()
	if err != nil {
		return []Issue{{Message: err.Error(), Kind: "other"}}
	}
	err = sch.Validate(doc)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []Issue{{Message: err.Error(), Kind: "other"}}
	}
	issues := dedupe(flatten(ve))
	sort.SliceStable(issues, func(a, b int) bool {
		pa, pb := strings.Join(issues[a].Path, "\x00"), strings.Join(issues[b].Path, "\x00")
		if pa != pb {
			return pa < pb
		}
		return issues[a].Message < issues[b].Message
	})
	return issues
}

// flatten turns the library's error tree into leaf issues. Where a value
// may take one of several forms (anyOf/oneOf), reporting every branch's
// complaint would be noise, so it keeps the branch that got furthest into
// the value, or merges branches that only disagree about the type.
func flatten(ve *jsonschema.ValidationError) []found {
	loc := ve.InstanceLocation
	switch k := ve.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.AllOf, *kind.Reference:
		var out []found
		for _, c := range ve.Causes {
			out = append(out, flatten(c)...)
		}
		if len(out) == 0 {
			out = append(out, other(loc, ve.ErrorKind.LocalizedString(printer)))
		}
		return out
	case *kind.AnyOf:
		return bestBranch(loc, ve.Causes)
	case *kind.OneOf:
		if len(k.Subschemas) > 0 || len(ve.Causes) == 0 {
			return []found{other(loc, fmt.Sprintf("%s matches more than one allowed form", quotePath(loc)))}
		}
		return bestBranch(loc, ve.Causes)
	case *kind.AdditionalProperties:
		var out []found
		for _, key := range k.Properties {
			out = append(out, found{Issue: Issue{
				Path:    appendPath(loc, key),
				Message: fmt.Sprintf("unknown key %q in %s%s", key, describeObject(loc), suggestion(loc, key)),
				Kind:    "unknown-key",
				Key:     key,
			}})
		}
		return out
	case *kind.Required:
		var out []found
		for _, key := range k.Missing {
			out = append(out, found{Issue: Issue{
				Path:    appendPath(loc),
				Message: fmt.Sprintf("%s is missing the required key %q", describeObject(loc), key),
				Kind:    "required",
				Key:     key,
			}})
		}
		return out
	case *kind.Type:
		return []found{typeIssue(loc, k.Want, k.Got)}
	default:
		return []found{other(loc, quotePath(loc)+": "+ve.ErrorKind.LocalizedString(printer))}
	}
}

func bestBranch(loc []string, branches []*jsonschema.ValidationError) []found {
	if len(branches) == 0 {
		return []found{other(loc, quotePath(loc)+" does not match any allowed form")}
	}
	var flat [][]found
	for _, b := range branches {
		flat = append(flat, flatten(b))
	}
	// Every branch rejects only the value's type: one issue naming all the
	// types that would do.
	var wants []string
	got := ""
	allType := true
	for _, issues := range flat {
		if len(issues) != 1 || issues[0].Kind != "type" || len(issues[0].Path) != len(loc) {
			allType = false
			break
		}
		wants = append(wants, issues[0].wants...)
		got = issues[0].got
	}
	if allType {
		return []found{typeIssue(loc, wants, got)}
	}
	// Otherwise the branch whose complaints reach deepest into the value is
	// the one the user meant; ties go to the branch with fewer complaints.
	best, bestDepth := 0, -1
	for i, issues := range flat {
		depth := 0
		for _, is := range issues {
			if d := len(is.Path); d > depth {
				depth = d
			}
		}
		if depth > bestDepth || depth == bestDepth && len(issues) < len(flat[best]) {
			best, bestDepth = i, depth
		}
	}
	return flat[best]
}

func typeIssue(loc []string, want []string, got string) found {
	seen := map[string]bool{}
	var names []string
	for _, w := range want {
		// "integer" implies "number"; say the stricter one once.
		if n := typeName(w); !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return found{
		Issue: Issue{
			Path:    appendPath(loc),
			Message: fmt.Sprintf("%s should be %s, not %s", quotePath(loc), joinOr(names), typeName(got)),
			Kind:    "type",
		},
		wants: want,
		got:   got,
	}
}

func other(loc []string, msg string) found {
	return found{Issue: Issue{Path: appendPath(loc), Message: msg, Kind: "other"}}
}

func typeName(t string) string {
	switch t {
	case "string":
		return "a string"
	case "number":
		return "a number"
	case "integer":
		return "an integer"
	case "boolean":
		return "true or false"
	case "object":
		return "an object"
	case "array":
		return "a list"
	case "null":
		return "null"
	}
	return t
}

func joinOr(items []string) string {
	switch len(items) {
	case 0:
		return "something else"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// displayPath renders segments as a reader would write them:
// kv_namespaces[0].binding, env.staging.vars.
func displayPath(path []string) string {
	var b strings.Builder
	for _, seg := range path {
		if _, err := strconv.Atoi(seg); err == nil {
			b.WriteString("[" + seg + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

func quotePath(path []string) string {
	if len(path) == 0 {
		return "the config"
	}
	return `"` + displayPath(path) + `"`
}

func describeObject(path []string) string {
	if len(path) == 0 {
		return "the top level"
	}
	return quotePath(path)
}

func appendPath(loc []string, more ...string) []string {
	return append(append(make([]string, 0, len(loc)+len(more)), loc...), more...)
}

func dedupe(issues []found) []Issue {
	seen := map[string]bool{}
	var out []Issue
	for _, f := range issues {
		is := f.Issue
		key := strings.Join(is.Path, "\x00") + "\x01" + is.Kind + "\x01" + is.Message
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, is)
	}
	return out
}

// topLevelKeys are the keys allowed at the top level or in an env block,
// read from the schema once, for "did you mean" hints.
var topLevelKeys = sync.OnceValue(func() []string {
	var doc struct {
		Definitions map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"definitions"`
	}
	if json.Unmarshal(schemaJSON, &doc) != nil {
		return nil
	}
	seen := map[string]bool{}
	var keys []string
	for _, def := range []string{"RawConfig", "RawEnvironment"} {
		for k := range doc.Definitions[def].Properties {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
})

// suggestion proposes a known key close to an unknown one at the top level
// or directly in env.<name> (kv_namespace -> kv_namespaces), where typos
// silently drop a binding.
func suggestion(loc []string, key string) string {
	if !(len(loc) == 0 || len(loc) == 2 && loc[0] == "env") {
		return ""
	}
	// Two edits for longer keys, one for short ones ("kv" is not "ai").
	best, bestDist := "", 2
	if len(key) >= 6 {
		bestDist = 3
	}
	for _, k := range topLevelKeys() {
		if d := similar.Distance(strings.ToLower(key), k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
