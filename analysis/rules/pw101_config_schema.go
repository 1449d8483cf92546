package rules

import (
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/catalog/wranglerschema"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
)

// PW101–PW103 share one schema validation run per file: each rule keeps
// the issues of its kind.

func init() {
	register(&Rule{
		Code: "PW101", Name: "config-unknown-key", Severity: Warning, Targets: TargetConfig,
		Summary: "A key wrangler's config schema does not know (wrangler warns and ignores it).",
		Check:   func(p *Pass) { checkSchema(p, "unknown") },
	})
	register(&Rule{
		Code: "PW102", Name: "config-invalid-value", Severity: Error, Targets: TargetConfig,
		Summary: "A config value has the wrong type or shape for wrangler's config schema.",
		Check:   func(p *Pass) { checkSchema(p, "invalid") },
	})
	register(&Rule{
		Code: "PW103", Name: "config-binding-without-name", Severity: Error, Targets: TargetConfig,
		Summary: "A binding entry lacks its name field (binding or name), so it binds nothing.",
		Check:   checkBindingNames,
	})
}

// schemaIssues validates the config once per session.
func (s *session) schemaIssues() []wranglerschema.Issue {
	if s.schema == nil {
		issues := wranglerschema.Validate(s.in.Worker.Config.Root.ToAny())
		s.schema = &issues
	}
	return *s.schema
}

func checkSchema(p *Pass, which string) {
	if len(p.Doc.Errors) > 0 {
		return // a file that does not parse has no meaningful shape
	}
	root := p.Doc.Root
	for _, is := range p.schemaIssues() {
		switch {
		case is.Kind == "unknown-key":
			if which != "unknown" {
				continue
			}
			n, depth := root.Lookup(is.Path)
			if depth == len(is.Path) && n.Key != "" {
				p.Report(n.KeyRange.Start, n.KeyRange.End, is.Message+" (wrangler ignores it)")
			} else {
				p.ReportConfig(n, is.Message+" (wrangler ignores it)")
			}
		case is.Kind == "required" && isBindingNameField(is.Path, is.Key):
			continue // PW103 reports it
		default:
			if which != "invalid" {
				continue
			}
			n, _ := root.Lookup(is.Path)
			start, end := n.Range.Start, n.Range.End
			if n == root && len(root.Members) > 0 {
				start, end = root.Members[0].KeyRange.Start, root.Members[0].KeyRange.End
			}
			p.Report(start, end, is.Message)
		}
	}
}

// isBindingNameField reports whether key is the name field of the binding
// kind whose entry is at path (["kv_namespaces", "0"]).
func isBindingNameField(path []string, key string) bool {
	for _, k := range project.BindingKinds {
		if k.NameField == key && kindMatches(k, path) {
			return true
		}
	}
	return false
}

// kindMatches reports whether path (maybe under env.<name>) leads to an
// entry of kind k.
func kindMatches(k *project.BindingKind, path []string) bool {
	if len(path) >= 2 && path[0] == "env" {
		path = path[2:]
	}
	if k.Shape == project.ArrayOfEntries {
		if len(path) != len(k.Path)+1 {
			return false
		}
		path = path[:len(path)-1]
	}
	if len(path) != len(k.Path) {
		return false
	}
	for i := range path {
		if path[i] != k.Path[i] {
			return false
		}
	}
	return true
}

// checkBindingNames reports binding entries without their name field, in
// every block (the schema does too, for kinds it requires names of; this
// covers all kinds alike).
func checkBindingNames(p *Pass) {
	if len(p.Doc.Errors) > 0 {
		return
	}
	blocks := []*config.Node{p.Doc.Root}
	if envs := p.Doc.Root.Get("env"); envs != nil && envs.Kind == config.Object {
		blocks = append(blocks, envs.Members...)
	}
	for _, block := range blocks {
		for _, k := range project.BindingKinds {
			if k.NameField == "" || k.Shape == project.KeyedValues {
				continue
			}
			n := block.Path(k.Path...)
			if n == nil {
				continue
			}
			var entries []*config.Node
			switch {
			case k.Shape == project.SingleEntry && n.Kind == config.Object:
				if k.Key() == "assets" {
					continue // assets may have no binding
				}
				entries = []*config.Node{n}
			case n.Kind == config.Array:
				entries = n.Items
			}
			for _, e := range entries {
				if e.Kind != config.Object {
					continue
				}
				if nm := e.Get(k.NameField); nm != nil && nm.Kind == config.String && nm.Str != "" {
					continue
				}
				start, end := e.Range.Start, e.Range.End
				if nm := e.Get(k.NameField); nm != nil {
					start, end = nm.Range.Start, nm.Range.End
				} else if k.Shape == project.SingleEntry {
					start, end = n.KeyRange.Start, n.KeyRange.End
				}
				p.Report(start, end, "this "+k.Label+" entry has no \""+k.NameField+"\": it binds nothing on self.env")
			}
		}
	}
}
