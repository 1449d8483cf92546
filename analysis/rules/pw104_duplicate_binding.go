package rules

import (
	"strconv"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
)

func init() {
	register(&Rule{
		Code: "PW104", Name: "config-duplicate-binding", Severity: Error, Targets: TargetConfig,
		Summary: "Two bindings (of any kinds) share one name in an environment; only one can be self.env.NAME.",
		Check:   checkDuplicateBindings,
	})
}

func checkDuplicateBindings(p *Pass) {
	if len(p.Doc.Errors) > 0 {
		return
	}
	envs := []string{""}
	envs = append(envs, p.Worker.EnvNames...)
	reported := map[int]bool{}
	for _, name := range envs {
		env, ok := p.Worker.Env(name)
		if !ok {
			continue
		}
		first := map[string]*project.Binding{}
		for _, b := range env.Bindings {
			if b.NameNode == nil || b.Kind == project.SecretKind {
				continue
			}
			prev, dup := first[b.Name]
			if !dup {
				first[b.Name] = b
				continue
			}
			if reported[b.NameNode.Range.Start] {
				continue
			}
			reported[b.NameNode.Range.Start] = true
			line := p.Lines.Position(prev.NameNode.Range.Start).Line + 1
			p.ReportConfig(b.NameNode, "binding name "+b.Name+" is already used by the "+prev.Kind.Label+" on line "+strconv.Itoa(line)+"; binding names must be unique across all kinds")
		}
	}
}
