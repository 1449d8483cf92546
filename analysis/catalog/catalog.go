// Package catalog holds the data other packages read about the Cloudflare
// Python Workers runtime: the members of every binding and runtime object a
// Python Worker reaches through self.env / self.ctx / handler arguments, what
// `from workers import ...` offers, and the Python-related compatibility
// flags.
//
// All interface data lives in tables.go (one literal table); this file only
// defines the shapes and the lookups, so that adding a method is a one-line
// change in one place.
package catalog

import (
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Param is one Python-visible parameter of a Member.
type Param struct {
	Name string
	// Type is a Python-flavoured display type ("str", "int | None", "dict").
	Type string
	// Optional positional parameters may be left out; keyword-only ones
	// always are optional (they map to keys of a JS options object).
	Optional bool
	// Variadic is a *args parameter (D1 bind(*values), sql.exec(query, *bindings)).
	Variadic bool
	// KeywordOnly parameters come after `*` in Python; the Python FFI turns
	// them into a trailing JS options object, so their names are the JS
	// option keys (camelCase: expirationTtl, returnMetadata).
	KeywordOnly bool
	Doc         string
}

// Member is a method or attribute of an Interface.
type Member struct {
	Name     string // JS name as Python calls it: "getWithMetadata", "idFromName"
	Property bool   // attribute, not a call
	// Async members are awaited in Python. False for sync methods
	// (D1 prepare/bind, DO idFromName/get, writeDataPoint) and properties.
	Async bool
	// Static members are called on the class, not an instance
	// (Response.json(...), Response.redirect(...)).
	Static bool
	// Decorator marks a member whose call result decorates a function
	// (step.do("name") is a decorator factory).
	Decorator bool
	// Params are the Python-visible parameters; JS options objects become
	// keyword-only Params (kv.put(k, v, expirationTtl=60)).
	Params []Param
	// Returns displays the result, e.g. "str | dict | None".
	Returns string
	// ReturnsInterface names another Interface in the catalog when the
	// result has members of its own (chains), "" otherwise.
	ReturnsInterface string
	Doc              string // one line
}

// Interface is a runtime object type with the members Python code may use.
type Interface struct {
	Name    string
	Doc     string
	DocsURL string
	// Dynamic is true when the object also exposes members the catalog
	// cannot know (RPC methods of a Durable Object stub or a service
	// binding), so an unknown member must not be reported as an error.
	Dynamic bool
	Members []Member
}

// Member returns the member called name.
func (i *Interface) Member(name string) (Member, bool) {
	for _, m := range i.Members {
		if m.Name == name {
			return m, true
		}
	}
	return Member{}, false
}

var (
	indexOnce sync.Once
	byName    map[string]*Interface
	sorted    []*Interface
)

func buildIndex() {
	byName = make(map[string]*Interface, len(interfaceTable))
	for _, iface := range interfaceTable {
		byName[iface.Name] = iface
		sorted = append(sorted, iface)
	}
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].Name < sorted[b].Name })
}

// Lookup finds an interface by its catalog name ("KVNamespace").
// The returned value is shared: callers must not modify it.
func Lookup(name string) (*Interface, bool) {
	indexOnce.Do(buildIndex)
	iface, ok := byName[name]
	return iface, ok
}

// Interfaces returns every interface, sorted by name. The slice is a fresh
// copy; the interfaces it points to are shared and must not be modified.
func Interfaces() []*Interface {
	indexOnce.Do(buildIndex)
	return append([]*Interface(nil), sorted...)
}

// Signature renders the member as Python would show it, without types:
// "put(key, value, *, expiration=None, expirationTtl=None, metadata=None)".
// A property renders as its bare name.
func (m Member) Signature() string {
	if m.Property {
		return m.Name
	}
	var parts []string
	starred := false // a "*" or "*args" already separates keyword-only params
	for _, p := range m.Params {
		switch {
		case p.Variadic:
			parts = append(parts, "*"+p.Name)
			starred = true
		case p.KeywordOnly:
			if !starred {
				parts = append(parts, "*")
				starred = true
			}
			parts = append(parts, p.Name+"=None")
		case p.Optional:
			parts = append(parts, p.Name+"=None")
		default:
			parts = append(parts, p.Name)
		}
	}
	return m.Name + "(" + strings.Join(parts, ", ") + ")"
}

// TypedSignature is Signature with parameter types and the result type, for
// hovers: "get(key: str, type: str = None) -> str | dict | None".
func (m Member) TypedSignature() string {
	if m.Property {
		if m.Returns == "" {
			return m.Name
		}
		return m.Name + ": " + m.Returns
	}
	var parts []string
	starred := false
	for _, p := range m.Params {
		typed := p.Name
		if p.Type != "" {
			typed += ": " + p.Type
		}
		switch {
		case p.Variadic:
			parts = append(parts, "*"+typed)
			starred = true
		case p.KeywordOnly:
			if !starred {
				parts = append(parts, "*")
				starred = true
			}
			parts = append(parts, typed+" = None")
		case p.Optional:
			parts = append(parts, typed+" = None")
		default:
			parts = append(parts, typed)
		}
	}
	sig := m.Name + "(" + strings.Join(parts, ", ") + ")"
	if m.Returns != "" {
		sig += " -> " + m.Returns
	}
	return sig
}

// SnippetInsertText is an LSP snippet for completing the member: required
// positional parameters (and a *args) become tab stops,
// "put(${1:key}, ${2:value})". A call whose parameters are all optional
// leaves the cursor inside the parentheses ("list($0)"); a call with no
// parameters is complete ("all()"); a property is its bare name.
func (m Member) SnippetInsertText() string {
	name := escapeSnippet(m.Name)
	if m.Property {
		return name
	}
	var stops []string
	for _, p := range m.Params {
		if p.KeywordOnly || (p.Optional && !p.Variadic) {
			continue
		}
		stops = append(stops, "${"+strconv.Itoa(len(stops)+1)+":"+escapeSnippetPlaceholder(p.Name)+"}")
	}
	switch {
	case len(stops) > 0:
		return name + "(" + strings.Join(stops, ", ") + ")"
	case len(m.Params) > 0:
		return name + "($0)"
	default:
		return name + "()"
	}
}

// escapeSnippet escapes the characters LSP snippet syntax treats specially
// outside placeholders.
func escapeSnippet(s string) string {
	return strings.NewReplacer(`\`, `\\`, `$`, `\$`, `}`, `\}`).Replace(s)
}

// escapeSnippetPlaceholder escapes placeholder text (where "," and "|" are
// plain, but "$", "}" and "\" are not).
func escapeSnippetPlaceholder(s string) string {
	return escapeSnippet(s)
}

// Export is a name that `from workers import ...` offers.
type Export struct {
	Name      string
	Kind      string // class | function | module | variable
	Signature string
	Doc       string
}

// SDKExports lists what the workers SDK module exports. The slice is a copy.
func SDKExports() []Export { return append([]Export(nil), sdkExportTable...) }

// Flag is a Python-related compatibility flag.
type Flag struct {
	Name string
	Doc  string
	// DefaultFrom is the compatibility_date from which the flag is on
	// without being listed ("2025-08-14"), or "" when it must be set.
	DefaultFrom string
}

// PythonFlags lists the Python-related compatibility flags. The slice is a copy.
func PythonFlags() []Flag { return append([]Flag(nil), pythonFlagTable...) }
