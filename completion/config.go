package completion

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/catalog"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/compat"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
)

// ConfigRequest is one question about a wrangler config file.
type ConfigRequest struct {
	Doc    *config.Document // the config as edited
	Worker *project.Worker  // the Worker built from it
	Offset int
	// Workers and PythonFilesOf let class_name, service and references
	// reach Python files (this Worker's and others').
	Workers       []*project.Worker
	AllWorkers    func() []*project.Worker
	PythonFilesOf func(w *project.Worker) map[string]*pysyntax.File
	Facts         FactsFunc // as Request.Facts
}

// CompleteConfig offers compatibility flags inside compatibility_flags,
// top-level keys (binding kinds and the rest) and the fields of a binding
// entry.
func CompleteConfig(ctx context.Context, req *ConfigRequest) []Item {
	if req == nil || req.Doc == nil {
		return nil
	}
	text := req.Doc.Text
	off := clampOffset(text, req.Offset)
	toml := req.Doc.Format == config.TOML
	var spot *configSpot
	if toml {
		spot = scanTOML(text, off)
	} else {
		spot = scanJSONC(text, off)
	}
	if spot == nil {
		return nil
	}
	env, rest := spot.envOf()
	switch {
	case spot.header:
		return tomlHeaderItems(req, text, off)
	case !spot.key && spot.member == "" && len(rest) == 1 && rest[0] == "compatibility_flags":
		return flagItems(spot, text, off, toml)
	case spot.key && len(rest) == 0 && !(len(spot.path) == 1 && spot.path[0] == "env"):
		return topLevelKeyItems(spot, text, off, toml, env)
	case spot.key:
		return entryFieldItems(spot, text, off, toml, rest)
	}
	return nil
}

// replaceRange is what a config item replaces: the string at the cursor,
// or the word at the cursor.
func replaceRange(spot *configSpot, text string, off int, inner bool) (int, int) {
	if spot.inString {
		if inner {
			end := spot.strEnd
			if end > spot.strStart+1 && end <= len(text) && text[end-1] == text[spot.strStart] {
				end--
			}
			return spot.strStart + 1, end
		}
		return spot.strStart, spot.strEnd
	}
	s, e := identAround(text, off)
	return s, e
}

func flagItems(spot *configSpot, text string, off int, toml bool) []Item {
	start, end := replaceRange(spot, text, off, true)
	var items []Item
	for i, f := range catalog.PythonFlags() {
		if slices.Contains(spot.present, f.Name) {
			continue
		}
		detail := "set explicitly"
		if f.DefaultFrom != "" {
			detail = "on by default from " + f.DefaultFrom
		}
		insert := f.Name
		if !spot.inString {
			insert = `"` + f.Name + `"`
		}
		items = append(items, Item{Label: f.Name, Kind: ItemValue, Detail: detail, Documentation: f.Doc,
			InsertText: insert, SortText: fmt.Sprintf("%04d", i), FilterText: insert,
			ReplaceStart: start, ReplaceEnd: end})
	}
	return items
}

// stringFields are entry fields whose value is a string.
func isStringField(f string) bool {
	switch f {
	case "remote", "max_batch_size", "max_batch_timeout", "max_retries", "max_concurrency", "retry_delay",
		"delivery_delay", "simple", "run_worker_first", "allowed_destination_addresses", "outbound",
		"triggers", "routes", "observability", "limits", "python_modules", "migrations", "env", "secrets",
		"workers_dev", "compatibility_flags":
		return false
	}
	return true
}

// keyItem builds an item inserting `"key": value` (JSONC) or
// `key = value` (TOML).
func keyItem(spot *configSpot, text string, off int, toml bool, key, value, detail, doc string, i int) Item {
	start, end := replaceRange(spot, text, off, false)
	var insert, filter string
	if toml {
		insert, filter = key+" = "+value, key
	} else {
		insert, filter = `"`+key+`": `+value, key
		if spot.inString {
			filter = `"` + key + `"`
		}
	}
	return Item{Label: key, Kind: ItemKey, Detail: detail, Documentation: doc, InsertText: insert,
		IsSnippet: strings.Contains(insert, "$"), SortText: fmt.Sprintf("%04d", i), FilterText: filter,
		ReplaceStart: start, ReplaceEnd: end}
}

func fieldValue(f string) string {
	if isStringField(f) {
		return `"$1"`
	}
	return "$1"
}

// kindsByTopKey groups binding kinds by their first config key.
func kindsByTopKey() ([]string, map[string][]*project.BindingKind) {
	var order []string
	byKey := map[string][]*project.BindingKind{}
	for _, k := range project.BindingKinds {
		if _, ok := byKey[k.Path[0]]; !ok {
			order = append(order, k.Path[0])
		}
		byKey[k.Path[0]] = append(byKey[k.Path[0]], k)
	}
	return order, byKey
}

// bindingSkeleton is the value inserted for a binding kind's top-level key.
func bindingSkeleton(k *project.BindingKind, toml bool) string {
	entry := func(fields ...string) string {
		var parts []string
		for i, f := range fields {
			if toml {
				parts = append(parts, fmt.Sprintf("%s = \"$%d\"", f, i+1))
			} else {
				parts = append(parts, fmt.Sprintf("\"%s\": \"$%d\"", f, i+1))
			}
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	fields := []string{k.NameField}
	if more := entryFields[k.Key()]; len(more) > 0 && isStringField(more[0]) && k.Shape == project.ArrayOfEntries {
		fields = append(fields, more[0])
	}
	var v string
	switch k.Shape {
	case project.KeyedValues:
		if toml {
			return `{ $1 = "$2" }`
		}
		return `{ "$1": "$2" }`
	case project.SingleEntry:
		v = entry(fields...)
	default:
		v = "[" + entry(fields...) + "]"
	}
	for i := len(k.Path) - 1; i >= 1; i-- {
		if toml {
			v = "{ " + k.Path[i] + " = " + v + " }"
		} else {
			v = `{ "` + k.Path[i] + `": ` + v + " }"
		}
	}
	return v
}

func kindDoc(k *project.BindingKind) string {
	doc := "**" + k.Label + "** binding"
	if k.Interface != "" {
		doc += " (`" + k.Interface + "`)"
		if iface, ok := catalog.Lookup(k.Interface); ok && iface.Doc != "" {
			doc += "\n\n" + iface.Doc
		}
	}
	return doc + "\n\n[" + k.Label + " docs](" + k.DocsURL + ")"
}

func topLevelKeyItems(spot *configSpot, text string, off int, toml bool, env string) []Item {
	var items []Item
	for _, g := range generalKeys {
		if g.rootOnly && env != "" || slices.Contains(spot.present, g.key) {
			continue
		}
		value := "$1"
		switch {
		case g.key == "compatibility_flags":
			value = `["python_workers"]`
		case isStringField(g.key):
			value = `"$1"`
		}
		items = append(items, keyItem(spot, text, off, toml, g.key, value, "wrangler setting", g.doc, len(items)))
	}
	order, byKey := kindsByTopKey()
	for _, key := range order {
		if slices.Contains(spot.present, key) {
			continue
		}
		kinds := byKey[key]
		var labels, docs []string
		for _, k := range kinds {
			labels = append(labels, k.Label)
			docs = append(docs, kindDoc(k))
		}
		items = append(items, keyItem(spot, text, off, toml, key, bindingSkeleton(kinds[0], toml),
			strings.Join(labels, ", "), strings.Join(docs, "\n\n---\n\n"), 100+len(items)))
	}
	return items
}

func entryFieldItems(spot *configSpot, text string, off int, toml bool, rest []string) []Item {
	var fields []string
	var kind *project.BindingKind
	switch {
	case len(rest) == 1 && rest[0] == "durable_objects":
		fields = []string{"bindings"}
	case len(rest) == 1 && rest[0] == "queues":
		fields = []string{"producers", "consumers"}
	case len(rest) == 3 && rest[0] == "queues" && rest[1] == "consumers" && rest[2] == "#":
		fields = queueConsumerFields
	default:
		path := rest
		if len(path) > 0 && path[len(path)-1] == "#" {
			path = path[:len(path)-1]
		}
		kind = project.KindByKey(strings.Join(path, "."))
		if kind == nil || kind.Shape == project.KeyedValues || (kind.Shape == project.ArrayOfEntries) != (len(rest) > 0 && rest[len(rest)-1] == "#") {
			return nil
		}
		fields = append([]string{kind.NameField}, entryFields[kind.Key()]...)
	}
	var items []Item
	for _, f := range fields {
		if slices.Contains(spot.present, f) {
			continue
		}
		value, detail, doc := fieldValue(f), "field", ""
		switch {
		case f == "bindings" || f == "producers" || f == "consumers":
			value, detail = "[$1]", "list of entries"
		case kind != nil && f == kind.NameField:
			detail = "the name on env"
			doc = "The attribute this " + kind.Label + " gets on `self.env`."
		case kind != nil:
			detail = kind.Label + " field"
		}
		if kind != nil {
			doc = strings.TrimSpace(doc + "\n\n" + kindDoc(kind))
		}
		items = append(items, keyItem(spot, text, off, toml, f, value, detail, doc, len(items)))
	}
	return items
}

// tomlHeaderItems offers table names in a [header] line.
func tomlHeaderItems(req *ConfigRequest, text string, off int) []Item {
	ls := lineStart(text, off)
	start := ls + strings.IndexByte(text[ls:off], '[')
	end := lineEnd(text, off)
	prefixes := []string{""}
	for _, e := range tomlEnvNames(text) {
		prefixes = append(prefixes, "env."+e+".")
	}
	var items []Item
	for _, prefix := range prefixes {
		for _, k := range project.BindingKinds {
			name := prefix + k.Key()
			header := "[" + name + "]"
			body := ""
			switch k.Shape {
			case project.ArrayOfEntries:
				header = "[[" + name + "]]"
				body = "\n" + k.NameField + ` = "$1"`
			case project.SingleEntry:
				body = "\n" + k.NameField + ` = "$1"`
			}
			items = append(items, Item{Label: header, Kind: ItemKey, Detail: k.Label, Documentation: kindDoc(k),
				InsertText: header + body, IsSnippet: body != "", SortText: fmt.Sprintf("%04d", len(items)),
				FilterText: header, ReplaceStart: start, ReplaceEnd: end})
		}
	}
	return items
}

// tree is the parsed config whose nodes the Worker's bindings point at.
func (req *ConfigRequest) tree() *config.Document {
	if req.Worker != nil && req.Worker.Config != nil && (req.Doc == nil || req.Worker.Config.Text == req.Doc.Text) {
		return req.Worker.Config
	}
	return req.Doc
}

// nodeChainAt returns the chain of nodes (root first) down to the deepest
// node whose key or value holds offset. Unlike Document.NodeAt it looks
// into every member, since a TOML table's parent (the "env" of
// [env.staging]) does not span its children.
func nodeChainAt(doc *config.Document, offset int) []*config.Node {
	var best []*config.Node
	var walk func(n *config.Node, chain []*config.Node)
	walk = func(n *config.Node, chain []*config.Node) {
		chain = append(chain, n)
		inKey := n.Key != "" && offset >= n.KeyRange.Start && offset <= n.KeyRange.End
		inVal := offset >= n.Range.Start && offset <= n.Range.End
		if (inKey || inVal) && len(chain) > len(best) {
			best = append([]*config.Node(nil), chain...)
		}
		for _, c := range n.Members {
			walk(c, chain)
		}
		for _, c := range n.Items {
			walk(c, chain)
		}
	}
	for _, c := range doc.Root.Members {
		walk(c, []*config.Node{doc.Root})
	}
	if best == nil {
		return []*config.Node{doc.Root}
	}
	return best
}

// configEnvAt reads the environment and the top-level member (within the
// env block or the root) from a NodeAt chain.
func configEnvAt(chain []*config.Node) (env string, base int) {
	if len(chain) >= 3 && chain[1].Key == "env" {
		return chain[2].Key, 3
	}
	return "", 1
}

// HoverConfig shows, on compatibility_date/compatibility_flags, the Python
// and Pyodide versions they select (and a flag's meaning); on a binding
// entry, the binding.
func HoverConfig(ctx context.Context, req *ConfigRequest) *HoverResult {
	if req == nil || req.Doc == nil || req.Worker == nil {
		return nil
	}
	chain := nodeChainAt(req.tree(), req.Offset)
	envName, base := configEnvAt(chain)
	if len(chain) <= base {
		return nil
	}
	env, _ := req.Worker.Env(envName)
	top, deepest := chain[base], chain[len(chain)-1]
	start, end := deepest.Range.Start, deepest.Range.End
	if deepest.Key != "" && req.Offset >= deepest.KeyRange.Start && req.Offset <= deepest.KeyRange.End {
		start, end = deepest.KeyRange.Start, deepest.KeyRange.End
	}
	switch top.Key {
	case "compatibility_date", "compatibility_flags":
		md := compatMarkdown(req.Worker, env)
		if top.Key == "compatibility_flags" && deepest.Kind == config.String {
			md = flagMarkdown(deepest.Str, env) + "\n\n---\n\n" + md
		}
		return &HoverResult{Markdown: md, Start: start, End: end}
	}
	for _, b := range env.Bindings {
		for _, n := range chain[base:] {
			if b.Entry != nil && (n == b.Entry || n == b.NameNode) {
				return &HoverResult{Markdown: bindingMarkdown(req.Worker, env, b), Start: start, End: end}
			}
		}
	}
	return nil
}

func flagMarkdown(name string, env *project.Environment) string {
	for _, f := range catalog.PythonFlags() {
		if f.Name == name {
			md := "`" + f.Name + "`: " + f.Doc
			if f.DefaultFrom != "" {
				md += fmt.Sprintf("\n\nOn by default from compatibility_date %s", f.DefaultFrom)
				if env.CompatDate != "" && env.CompatDate >= f.DefaultFrom {
					md += " — listing it is redundant with the date " + env.CompatDate
				}
				md += "."
			}
			return md
		}
	}
	return "`" + name + "`: not a Python-specific flag."
}

func compatMarkdown(w *project.Worker, env *project.Environment) string {
	var b strings.Builder
	rt := env.Compat.Runtime
	fmt.Fprintf(&b, "**Python %s** on Pyodide %s\n\n", rt.Python, rt.Pyodide)
	fmt.Fprintf(&b, "Selected by %s (%s). pywrangler installs packages from the Pyodide %s index.\n", rt.SelectedBy, envLabel(env.Name), rt.PyodideIndex)
	if !env.Compat.PythonWorkers {
		b.WriteString("\n**`python_workers` is not in compatibility_flags**: the Worker does not run as Python.\n")
	}
	if env.Compat.DateErr != nil {
		fmt.Fprintf(&b, "\n%s.\n", env.Compat.DateErr)
	}
	var on, off []string
	for _, f := range compat.DatedFlags {
		line := fmt.Sprintf("- `%s` (from %s): %s", f.Name, f.From, f.Doc)
		if env.Compat.Enabled[f.Name] {
			on = append(on, line)
		} else {
			off = append(off, line)
		}
	}
	if len(on) > 0 {
		b.WriteString("\nPython behaviour flags in effect:\n" + strings.Join(on, "\n") + "\n")
	}
	if len(off) > 0 {
		b.WriteString("\nNot in effect:\n" + strings.Join(off, "\n") + "\n")
	}
	if w != nil && env.Name == "" {
		for _, name := range w.EnvNames {
			if e, ok := w.Env(name); ok && e.Compat.Runtime.Python+e.Compat.Runtime.Pyodide != rt.Python+rt.Pyodide {
				fmt.Fprintf(&b, "\nenv.%s selects Python %s on Pyodide %s (%s).\n", name, e.Compat.Runtime.Python, e.Compat.Runtime.Pyodide, e.Compat.Runtime.SelectedBy)
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// pythonRequest builds a Python request over the Worker's files for one
// environment, for lookups started in the config.
func (req *ConfigRequest) pythonRequest(envName string) *Request {
	env, _ := req.Worker.Env(envName)
	return &Request{Worker: req.Worker, Env: env, Workers: req.Workers, AllWorkers: req.AllWorkers, PythonFilesOf: req.PythonFilesOf, Facts: req.Facts}
}

// DefinitionConfig jumps from a class_name (or a migrations class) to the
// Python class, from main to the module, and from a service to the
// target Worker's entrypoint class.
func DefinitionConfig(ctx context.Context, req *ConfigRequest) []Location {
	if req == nil || req.Doc == nil || req.Worker == nil {
		return nil
	}
	chain := nodeChainAt(req.tree(), req.Offset)
	envName, base := configEnvAt(chain)
	deepest := chain[len(chain)-1]
	if len(chain) <= base || deepest.Kind != config.String || deepest.Str == "" {
		return nil
	}
	top := chain[base]
	r := &resolver{req: req.pythonRequest(envName)}
	classLoc := func(c *rpcClass) []Location {
		if c == nil {
			return nil
		}
		return []Location{locationIn(c.path, c.lines, c.nameAt, c.nameAt+len(c.name))}
	}
	parent := chain[len(chain)-2]
	switch {
	case top.Key == "main" && deepest == top:
		p := filepath.Join(req.Worker.Dir, filepath.FromSlash(deepest.Str))
		return []Location{{Path: p}}
	case deepest.Key == "class_name":
		return classLoc(r.durableObjectClass(&project.Binding{Entry: parent}))
	case top.Key == "migrations" && deepest.Key == "":
		files, main := r.filesOf(nil, nil)
		return classLoc(r.findClass(files, deepest.Str, main))
	case deepest.Key == "service" && top.Key == "services":
		entry := &project.Binding{Entry: parent}
		if c := r.serviceEntrypoint(entry); c != nil {
			return classLoc(c)
		}
		if w, _ := r.workerNamed(deepest.Str); w != nil {
			return []Location{{Path: w.ConfigPath}}
		}
	}
	return nil
}

// ReferencesConfig finds, from anywhere in a binding's entry, the uses of
// the binding in the Worker's Python files.
func ReferencesConfig(ctx context.Context, req *ConfigRequest, includeDecl bool) []Location {
	if req == nil || req.Doc == nil || req.Worker == nil {
		return nil
	}
	chain := nodeChainAt(req.tree(), req.Offset)
	envName, base := configEnvAt(chain)
	if len(chain) <= base {
		return nil
	}
	preq := req.pythonRequest(envName)
	for _, b := range preq.Env.Bindings {
		for _, n := range chain[base:] {
			if b.Entry != nil && (n == b.Entry || n == b.NameNode) {
				return bindingReferences(ctx, preq, b, includeDecl)
			}
		}
	}
	return nil
}

// tomlEnvNames lists the X of [env.X...] headers, read from the text so
// that it works while the file does not parse.
func tomlEnvNames(text string) []string {
	var out []string
	for at := 0; at < len(text); at = lineEnd(text, at) + 1 {
		line := strings.TrimSpace(text[at:lineEnd(text, at)])
		if !strings.HasPrefix(line, "[") {
			continue
		}
		name, _ := tomlHeader(line)
		if parts := splitDotted(name); len(parts) >= 2 && parts[0] == "env" && !slices.Contains(out, parts[1]) {
			out = append(out, parts[1])
		}
	}
	return out
}
