package rules

import (
	"slices"

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
		for _, m := range root.Members {
			if !slices.Contains(keys, m.Key) || block.Get(m.Key) != nil {
				continue
			}
			fixes := p.newFix("Copy \""+m.Key+"\" into env."+block.Key).add(p.Worker.ConfigPath, e.copyMember(block.Key, m)...).preferred().fixes()
			p.Report(block.KeyRange.Start, block.KeyRange.End, "\""+m.Key+"\" exists at the top level, but not on \"env."+block.Key+"\": bindings are not inherited, so self.env lacks them in this environment", fixes...)
		}
	}
}
