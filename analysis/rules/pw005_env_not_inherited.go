package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
)

func init() {
	register(&Rule{
		Code: "PW005", Name: "binding-not-inherited", Severity: Warning, Targets: TargetConfig,
		Summary: "A binding key is set at the top level but missing in an env block; bindings are not inherited.",
		Check:   checkNotInherited,
	})
}

// nonInheritedKeys are the top-level keys env blocks do not inherit
// (bindings.md); vars and secrets are included.
func nonInheritedKeys() []string {
	var keys []string
	for _, k := range project.BindingKinds {
		if !slices.Contains(keys, k.Path[0]) && !slices.Contains(project.InheritedKeys, k.Path[0]) {
			keys = append(keys, k.Path[0])
		}
	}
	return append(keys, "secrets")
}

func checkNotInherited(p *Pass) {
	root := p.Doc.Root
	envs := root.Get("env")
	if envs == nil || envs.Kind != config.Object {
		return
	}
	keys := nonInheritedKeys()
	e := p.configEditor()
	for _, block := range envs.Members {
		if block.Kind != config.Object {
			continue
		}
		var missing []*config.Node
		for _, m := range root.Members {
			if slices.Contains(keys, m.Key) && block.Get(m.Key) == nil {
				missing = append(missing, m)
			}
		}
		if len(missing) == 0 {
			continue
		}
		var fixes []Fix
		names := make([]string, len(missing))
		for i, m := range missing {
			names[i] = strconv.Quote(m.Key)
		}
		verb := "exists"
		if len(missing) > 1 {
			verb = "exist"
			fixes = append(fixes, copyAllFix(p, e, block.Key, missing)...)
		}
		for _, m := range missing {
			b := p.newFix("Copy \""+m.Key+"\" into env."+block.Key).add(p.Worker.ConfigPath, e.copyMember(block.Key, m)...)
			if len(missing) == 1 {
				b.preferred()
			}
			fixes = append(fixes, b.fixes()...)
		}
		p.Report(block.KeyRange.Start, block.KeyRange.End, joinAnd(names)+" "+verb+" at the top level, but not on \"env."+block.Key+"\": bindings are not inherited, so self.env lacks them in this environment", fixes...)
	}
}

// copyAllFix copies every missing key into the env block in one fix: in
// JSONC as one insertion, in TOML as the single copies' edits (plain keys
// first, as they belong under the block's header, then the tables). The fix
// is offered only when the result parses and has every key in the block.
func copyAllFix(p *Pass, e configEditor, env string, missing []*config.Node) []Fix {
	var keysFirst, rest []textEdit
	separate := missing // TOML: one copy each
	if !e.toml() {
		rest = e.jsonCopyMembers(env, missing) // JSONC: one insertion
		separate = nil
	}
	for _, m := range separate {
		edits := e.copyMember(env, m)
		if len(edits) == 0 {
			return nil
		}
		if e.toml() && !(m.Kind == config.Object || m.Kind == config.Array && len(m.Items) > 0 && allObjects(m.Items)) {
			keysFirst = append(keysFirst, edits...)
		} else {
			rest = append(rest, edits...)
		}
	}
	edits := append(keysFirst, rest...)
	text, ok := applyTextEdits(p.Worker.Config.Text, edits)
	if !ok {
		return nil
	}
	doc := config.Parse(p.Worker.ConfigPath, []byte(text))
	if len(doc.Errors) > 0 {
		return nil
	}
	for _, m := range missing {
		if doc.Root.Path("env", env).Get(m.Key) == nil {
			return nil
		}
	}
	return p.newFix(fmt.Sprintf("Copy all %d into env.%s", len(missing), env)).add(p.Worker.ConfigPath, edits...).preferred().fixes()
}

// applyTextEdits applies non-overlapping edits; inserts at one offset go in
// the order given. ok is false when edits overlap.
func applyTextEdits(text string, edits []textEdit) (string, bool) {
	sorted := slices.Clone(edits)
	slices.SortStableFunc(sorted, func(a, b textEdit) int { return a.Start - b.Start })
	var b strings.Builder
	at := 0
	for _, e := range sorted {
		if e.Start < at || e.End < e.Start || e.End > len(text) {
			return "", false
		}
		b.WriteString(text[at:e.Start])
		b.WriteString(e.Text)
		at = e.End
	}
	b.WriteString(text[at:])
	return b.String(), true
}

// joinAnd lists items as `a, b and c`.
func joinAnd(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
