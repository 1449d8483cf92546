package completion

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/catalog"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/textpos"
)

func clampOffset(text string, off int) int {
	if off < 0 {
		return 0
	}
	if off > len(text) {
		return len(text)
	}
	return off
}

// Complete returns the Workers items at the cursor: bindings after an env
// expression, members of binding objects (and of step, ctx, storage...),
// and the SDK's exports after `from workers import`.
func Complete(ctx context.Context, req *Request) []Item {
	if req == nil || req.File == nil {
		return nil
	}
	m := req.facts(req.Path, req.File)
	off := clampOffset(m.Src, req.Offset)
	if items, ok := completeWorkersImport(m, off); ok {
		return items
	}
	if m.InCommentOrString(off) {
		return nil
	}
	s, e := wordAt(m, off)
	if s == 0 || m.Src[s-1] != '.' {
		return nil
	}
	r := newResolver(req, m)
	items := r.members(r.eval(m.ChainBefore(s - 1)))
	for i := range items {
		items[i].ReplaceStart, items[i].ReplaceEnd = s, e
	}
	return items
}

// wordAt returns the range of the name (or keyword: `self.env.in` is a
// name being typed) touching off; [off, off) when there is none.
func wordAt(m *pyfacts.Module, off int) (int, int) {
	s, e := off, off
	m.Walk(max(0, off-1), off+1, func(n *pyfacts.Node, start, end int) {
		if start <= off && off <= end && end > start && (n.Type == "identifier" || !n.Named) {
			s, e = start, end
		}
	})
	return s, e
}

// members lists what follows a dot after v.
func (r *resolver) members(v *value) []Item {
	if v == nil || v.awaitable {
		return nil
	}
	switch v.kind {
	case vEnv:
		return r.bindingItems()
	case vObject:
		var items []Item
		if v.iface != nil {
			for i, m := range v.iface.Members {
				items = append(items, memberItem(v.iface, m, i))
			}
		}
		if v.rpc != nil {
			for i, m := range v.rpc.methods {
				if v.iface != nil {
					if _, dup := v.iface.Member(m.name); dup {
						continue
					}
				}
				items = append(items, rpcItem(m, i))
			}
		}
		return items
	}
	return nil
}

func (r *resolver) bindingItems() []Item {
	env := r.req.Env
	if env == nil {
		return nil
	}
	items := make([]Item, 0, len(env.Bindings))
	for i, b := range env.Bindings {
		kind := ItemBinding
		detail := b.Kind.Label
		switch b.Kind {
		case project.SecretKind:
			kind = ItemSecret
			detail = b.Detail // never the value
		default:
			if b.Kind.Interface == "" {
				kind = ItemVariable
				detail = "variable = " + b.Detail
			} else if b.Detail != "" {
				detail += " · " + b.Detail
			}
		}
		items = append(items, Item{
			Label: b.Name, Kind: kind, Detail: detail,
			Documentation: bindingMarkdown(r.req.Worker, env, b),
			InsertText:    b.Name, SortText: fmt.Sprintf("%04d", i), FilterText: b.Name,
		})
	}
	return items
}

func memberItem(iface *catalog.Interface, m catalog.Member, i int) Item {
	kind := ItemMethod
	if m.Property {
		kind = ItemProperty
	}
	insert := m.SnippetInsertText()
	return Item{
		Label: m.Name, Kind: kind, Detail: memberDetail(m),
		Documentation: memberMarkdown(iface, m),
		InsertText:    insert, IsSnippet: strings.Contains(insert, "$"),
		SortText: fmt.Sprintf("%04d", i), FilterText: m.Name,
	}
}

func memberDetail(m catalog.Member) string {
	switch {
	case m.Property:
		return m.TypedSignature()
	case m.Decorator:
		return "@" + m.TypedSignature()
	case m.Async:
		return "async " + m.TypedSignature()
	}
	return m.TypedSignature()
}

func memberMarkdown(iface *catalog.Interface, m catalog.Member) string {
	var b strings.Builder
	b.WriteString("```python\n")
	if iface != nil {
		b.WriteString(iface.Name + ".")
	}
	b.WriteString(memberDetail(m))
	b.WriteString("\n```\n\n")
	b.WriteString(m.Doc)
	switch {
	case m.Property:
	case m.Decorator:
		b.WriteString("\n\nUsed as a decorator.")
	case m.Async:
		b.WriteString("\n\nAsync: `await` the result.")
	default:
		b.WriteString("\n\nNot awaited: returns its result directly.")
	}
	if iface != nil && iface.DocsURL != "" {
		fmt.Fprintf(&b, "\n\n[%s docs](%s)", iface.Name, iface.DocsURL)
	}
	return b.String()
}

func rpcItem(m *pyMethod, i int) Item {
	var stops []string
	for _, p := range m.params {
		if strings.ContainsAny(p, "=*") {
			continue
		}
		name := strings.TrimSpace(strings.SplitN(p, ":", 2)[0])
		stops = append(stops, "${"+strconv.Itoa(len(stops)+1)+":"+name+"}")
	}
	insert := m.name + "(" + strings.Join(stops, ", ") + ")"
	if len(stops) == 0 && len(m.params) > 0 {
		insert = m.name + "($0)"
	}
	return Item{
		Label: m.name, Kind: ItemMethod, Detail: "async " + m.signature() + " · RPC",
		Documentation: rpcMarkdown(m), InsertText: insert, IsSnippet: strings.Contains(insert, "$"),
		SortText: fmt.Sprintf("1%03d", i), FilterText: m.name,
	}
}

func rpcMarkdown(m *pyMethod) string {
	var b strings.Builder
	fmt.Fprintf(&b, "```python\nasync %s.%s\n```\n\n", m.class.name, m.signature())
	if m.doc != "" {
		b.WriteString(m.doc + "\n\n")
	}
	where := filepath.Base(m.class.path)
	if m.class.worker != "" {
		where += " of Worker `" + m.class.worker + "`"
	}
	fmt.Fprintf(&b, "RPC method of class `%s` (%s): awaited by the caller, whether or not it is declared async.", m.class.name, where)
	return b.String()
}

// envLabel names where a binding was declared.
func envLabel(from string) string {
	if from == "" {
		return "top level"
	}
	return "env." + from
}

// configExcerpt is a binding's entry as written in the config.
func configExcerpt(w *project.Worker, b *project.Binding) (string, string) {
	if w == nil || w.Config == nil || b.Entry == nil {
		return "", ""
	}
	text := w.Config.Text
	start, end := entryRange(b)
	if start < 0 || end > len(text) || start >= end {
		return "", ""
	}
	lang := "jsonc"
	if w.Config.Format == config.TOML {
		lang = "toml"
	}
	excerpt := text[start:end]
	if lines := strings.Split(excerpt, "\n"); len(lines) > 16 {
		excerpt = strings.Join(lines[:16], "\n") + "\n…"
	}
	return excerpt, lang
}

// entryRange is the range of a binding's entry in the config: the entry
// object, or key and value for a var.
func entryRange(b *project.Binding) (int, int) {
	if b.Entry == nil {
		return -1, -1
	}
	if b.Entry == b.NameNode && b.Entry.Key != "" {
		return b.Entry.KeyRange.Start, b.Entry.Range.End
	}
	return b.Entry.Range.Start, b.Entry.Range.End
}

func bindingMarkdown(w *project.Worker, env *project.Environment, b *project.Binding) string {
	var sb strings.Builder
	switch {
	case b.Kind == project.SecretKind:
		fmt.Fprintf(&sb, "**%s**: secret (a string)\n\n", b.Name)
		if b.Secret != nil && b.Secret.File != "" {
			fmt.Fprintf(&sb, "From `%s` (%s); the value is not shown.", filepath.Base(b.Secret.File), envLabel(b.FromEnv))
		} else {
			fmt.Fprintf(&sb, "Listed in `secrets.required` (%s); set it with `wrangler secret put %s`.", envLabel(b.FromEnv), b.Name)
		}
	case b.Kind.Interface == "":
		fmt.Fprintf(&sb, "**%s**: variable = %s\n\n", b.Name, b.Detail)
	default:
		fmt.Fprintf(&sb, "**%s**: %s (`%s`)\n\n", b.Name, b.Kind.Label, b.Kind.Interface)
		if iface, ok := catalog.Lookup(b.Kind.Interface); ok && iface.Doc != "" {
			sb.WriteString(iface.Doc + "\n\n")
		}
	}
	if b.Kind != project.SecretKind || b.Secret == nil || b.Secret.File == "" {
		if excerpt, lang := configExcerpt(w, b); excerpt != "" {
			fmt.Fprintf(&sb, "```%s\n%s\n```\n\n", lang, excerpt)
		}
		if w != nil {
			fmt.Fprintf(&sb, "Declared in `%s`, %s", filepath.Base(w.ConfigPath), envLabel(b.FromEnv))
			if env != nil && env.Name != b.FromEnv {
				fmt.Fprintf(&sb, " (selected environment: %s)", envLabel(env.Name))
			}
			sb.WriteString(".")
		}
	}
	if b.Kind.DocsURL != "" {
		fmt.Fprintf(&sb, "\n\n[%s docs](%s)", b.Kind.Label, b.Kind.DocsURL)
	}
	return sb.String()
}

// completeWorkersImport offers the SDK's exports after
// `from workers import` (also inside parentheses over several lines),
// from the tokens before the cursor: the keywords and names are leaves of
// the tree, and only "(", "," and blanks may lie between them.
func completeWorkersImport(m *pyfacts.Module, off int) ([]Item, bool) {
	s, e := wordAt(m, off)
	var leaves []*pyfacts.Node
	m.Walk(max(0, s-maxImportScan), s, func(n *pyfacts.Node, _, end int) {
		if end <= s && n.Type != "comment" {
			leaves = append(leaves, n)
		}
	})
	imp := -1
	for i := len(leaves) - 1; i >= 0; i-- {
		if t := leaves[i].Type; t == "import" {
			imp = i
			break
		} else if t != "identifier" && t != "as" {
			return nil, false
		}
	}
	if imp < 2 || leaves[imp-1].Type != "identifier" || m.Text(leaves[imp-1]) != "workers" || leaves[imp-2].Type != "from" ||
		strings.TrimSpace(m.Src[m.End(leaves[imp-2]):m.Start(leaves[imp-1])]) != "" || strings.TrimSpace(m.Src[m.End(leaves[imp-1]):m.Start(leaves[imp])]) != "" {
		return nil, false
	}
	taken := map[string]bool{}
	paren, afterAs := false, false
	for i := imp; i < len(leaves); i++ {
		next := s
		if i+1 < len(leaves) {
			next = m.Start(leaves[i+1])
		}
		gap := m.Src[m.End(leaves[i]):next]
		if strings.Contains(gap, "(") {
			if i != imp || paren {
				return nil, false
			}
			paren = true
		}
		if strings.Trim(gap, " \t\r\n(,") != "" || strings.Contains(gap, "\n") && !paren {
			return nil, false
		}
		if i > imp {
			switch {
			case leaves[i].Type == "as":
				afterAs = true
			case !afterAs:
				taken[m.Text(leaves[i])] = true
			default:
				afterAs = false
			}
		}
	}
	var items []Item
	for i, x := range catalog.SDKExports() {
		if taken[x.Name] {
			continue
		}
		kind := ItemClass
		switch x.Kind {
		case "function":
			kind = ItemFunction
		case "module":
			kind = ItemModule
		case "variable":
			kind = ItemVariable
		}
		items = append(items, Item{
			Label: x.Name, Kind: kind, Detail: x.Signature,
			Documentation: x.Doc + "\n\n(from the `workers` SDK, workers-runtime-sdk)",
			InsertText:    x.Name, SortText: fmt.Sprintf("%04d", i), FilterText: x.Name,
			ReplaceStart: s, ReplaceEnd: e,
		})
	}
	return items, true
}

// maxImportScan bounds how far back `from workers import` is looked for.
const maxImportScan = 4 << 10

// target is what the name under the cursor refers to.
type target struct {
	start, end int
	name       string
	recv       *value
	binding    *project.Binding
	member     *catalog.Member
	rpcMethod  *pyMethod
}

// targetAt resolves the attribute name at offset.
func targetAt(req *Request, r *resolver) *target {
	m := r.m
	off := clampOffset(m.Src, req.Offset)
	s, e := wordAt(m, off)
	if s == e || s == 0 || m.Src[s-1] != '.' || m.InCommentOrString(s) {
		return nil
	}
	recv := r.eval(m.ChainBefore(s - 1))
	if recv == nil || recv.awaitable {
		return nil
	}
	t := &target{start: s, end: e, name: m.Src[s:e], recv: recv}
	switch recv.kind {
	case vEnv:
		if req.Env != nil {
			t.binding = req.Env.Binding(t.name)
		}
	case vObject:
		if recv.iface != nil {
			if m, ok := recv.iface.Member(t.name); ok {
				t.member = &m
			}
		}
		if t.member == nil && recv.rpc != nil {
			t.rpcMethod = recv.rpc.method(t.name)
		}
	}
	if t.binding == nil && t.member == nil && t.rpcMethod == nil {
		return nil
	}
	return t
}

// Hover describes a binding name (kind, config entry, environment, docs)
// or a method of a binding object (signature, doc).
func Hover(ctx context.Context, req *Request) *HoverResult {
	if req == nil || req.File == nil {
		return nil
	}
	r := newResolver(req, req.facts(req.Path, req.File))
	t := targetAt(req, r)
	if t == nil {
		return nil
	}
	var md string
	switch {
	case t.binding != nil:
		md = bindingMarkdown(req.Worker, req.Env, t.binding)
	case t.member != nil:
		md = memberMarkdown(t.recv.iface, *t.member)
	case t.rpcMethod != nil:
		md = rpcMarkdown(t.rpcMethod)
	}
	return &HoverResult{Markdown: md, Start: t.start, End: t.end}
}

// SignatureHelp describes the binding method being called at the cursor.
func SignatureHelp(ctx context.Context, req *Request) *SignatureResult {
	if req == nil || req.File == nil {
		return nil
	}
	m := req.facts(req.Path, req.File)
	off := clampOffset(m.Src, req.Offset)
	call := m.OpenCallAt(off)
	if call == nil || m.InCommentOrString(call.Open) {
		return nil
	}
	r := newResolver(req, m)
	callee := r.eval(call.Callee)
	if callee == nil || callee.kind != vMethod {
		return nil
	}
	var res *SignatureResult
	switch {
	case callee.member != nil:
		res = catalogSignature(callee.recv, *callee.member)
		res.ActiveParam = activeCatalogParam(callee.member.Params, call.Arg, call.Keyword)
	case callee.rpcMethod != nil:
		res = rpcSignature(callee.rpcMethod)
		res.ActiveParam = activeRPCParam(callee.rpcMethod.params, call.Arg, call.Keyword)
	}
	return res
}

// catalogSignature renders m as Member.TypedSignature does, recording
// where each parameter sits in the label.
func catalogSignature(recv *value, m catalog.Member) *SignatureResult {
	var b strings.Builder
	b.WriteString(m.Name + "(")
	res := &SignatureResult{}
	starred := false
	for i, p := range m.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		if p.KeywordOnly && !starred && !p.Variadic {
			b.WriteString("*, ")
		}
		start := b.Len()
		typed := p.Name
		if p.Type != "" {
			typed += ": " + p.Type
		}
		switch {
		case p.Variadic:
			b.WriteString("*" + typed)
			starred = true
		case p.KeywordOnly:
			starred = true
			b.WriteString(typed + " = None")
		case p.Optional:
			b.WriteString(typed + " = None")
		default:
			b.WriteString(typed)
		}
		res.Params = append(res.Params, ParamLabel{Start: start, End: b.Len(), Doc: p.Doc})
	}
	b.WriteString(")")
	if m.Returns != "" {
		b.WriteString(" -> " + m.Returns)
	}
	res.Label = b.String()
	var iface *catalog.Interface
	if recv != nil {
		iface = recv.iface
	}
	res.Doc = memberMarkdown(iface, m)
	return res
}

func activeCatalogParam(params []catalog.Param, argIndex int, keyword string) int {
	if keyword != "" {
		for i, p := range params {
			if p.Name == keyword && !p.Variadic {
				return i
			}
		}
		return -1
	}
	n := 0
	for i, p := range params {
		if p.Variadic {
			return i
		}
		if p.KeywordOnly {
			break
		}
		if n == argIndex {
			return i
		}
		n++
	}
	return -1
}

func rpcSignature(m *pyMethod) *SignatureResult {
	res := &SignatureResult{Doc: rpcMarkdown(m)}
	var b strings.Builder
	b.WriteString(m.name + "(")
	for i, p := range m.params {
		if i > 0 {
			b.WriteString(", ")
		}
		start := b.Len()
		b.WriteString(p)
		res.Params = append(res.Params, ParamLabel{Start: start, End: b.Len()})
	}
	b.WriteString(")")
	res.Label = b.String()
	return res
}

func activeRPCParam(params []string, argIndex int, keyword string) int {
	for i, p := range params {
		name := strings.TrimLeft(p, "*")
		j := 0
		for j < len(name) && isIdentByte(name[j]) {
			j++
		}
		name = name[:j]
		if keyword != "" {
			if name == keyword {
				return i
			}
			continue
		}
		if strings.HasPrefix(p, "*") {
			return i
		}
		if i == argIndex {
			return i
		}
	}
	return -1
}

// Definition jumps from a binding name to its entry in the config (or
// .dev.vars line), and from an RPC method to its def.
func Definition(ctx context.Context, req *Request) []Location {
	if req == nil || req.File == nil {
		return nil
	}
	r := newResolver(req, req.facts(req.Path, req.File))
	t := targetAt(req, r)
	switch {
	case t == nil:
		return nil
	case t.binding != nil:
		if loc, ok := bindingLocation(req.Worker, t.binding, false); ok {
			return []Location{loc}
		}
	case t.rpcMethod != nil:
		c := t.rpcMethod.class
		return []Location{locationIn(c.path, c.lines, t.rpcMethod.nameStart, t.rpcMethod.nameStart+len(t.rpcMethod.name))}
	}
	return nil
}

// bindingLocation is where a binding is declared: its whole entry, or
// only its name (for references).
func bindingLocation(w *project.Worker, b *project.Binding, nameOnly bool) (Location, bool) {
	if b.Secret != nil && b.Secret.File != "" {
		p := textpos.Position{Line: b.Secret.Line}
		end := textpos.Position{Line: b.Secret.Line, Character: textpos.UTF16Len(b.Name)}
		return Location{Path: b.Secret.File, Start: -1, End: -1, StartPos: p, EndPos: end}, true
	}
	if w == nil || w.Config == nil || b.Entry == nil {
		return Location{}, false
	}
	lines := textpos.New(w.Config.Text)
	start, end := entryRange(b)
	if nameOnly && b.NameNode != nil {
		if b.NameNode.Key != "" && b.NameNode == b.Entry {
			start, end = b.NameNode.KeyRange.Start, b.NameNode.KeyRange.End
		} else {
			start, end = b.NameNode.Range.Start, b.NameNode.Range.End
		}
	}
	return locationIn(w.ConfigPath, lines, start, end), true
}

// References finds the uses of the binding under the cursor in the
// Worker's Python files (and its config entry when includeDecl).
func References(ctx context.Context, req *Request, includeDecl bool) []Location {
	if req == nil || req.File == nil {
		return nil
	}
	r := newResolver(req, req.facts(req.Path, req.File))
	t := targetAt(req, r)
	if t == nil || t.binding == nil {
		return nil
	}
	return bindingReferences(ctx, req, t.binding, includeDecl)
}

// bindingReferences finds, in every Python file of the Worker, the
// attributes `.NAME` whose receiver evaluates to env.
func bindingReferences(ctx context.Context, req *Request, b *project.Binding, includeDecl bool) []Location {
	var out []Location
	if includeDecl {
		if loc, ok := bindingLocation(req.Worker, b, true); ok {
			out = append(out, loc)
		}
	}
	files := (&resolver{req: req}).currentFiles()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if ctx.Err() != nil {
			return out
		}
		m := req.facts(p, files[p])
		if m.Root == nil || !strings.Contains(m.Src, b.Name) {
			continue
		}
		r := newResolver(req, m)
		var found []Location
		m.Root.Walk(func(n *pyfacts.Node) bool {
			if n.Type != "attribute" || m.Text(n.Child("attribute")) != b.Name || m.SplitByNewline(n) {
				return true
			}
			if v := r.eval(m.ChainOf(n.Child("object"))); v != nil && v.kind == vEnv {
				name := n.Child("attribute")
				found = append(found, locationIn(p, m.Lines, m.Start(name), m.End(name)))
			}
			return true
		})
		sort.Slice(found, func(i, j int) bool { return found[i].Start < found[j].Start })
		out = append(out, found...)
	}
	return out
}
