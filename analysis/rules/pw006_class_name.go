package rules

import (
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
)

func init() {
	register(&Rule{
		Code: "PW006", Name: "unknown-class-name", Severity: Error, Targets: TargetConfig,
		Summary: "A Durable Object or Workflow class_name has no matching class in the Worker's modules.",
		Check:   checkClassName,
	})
}

func checkClassName(p *Pass) {
	if !p.isPythonWorker() {
		return
	}
	classes := map[string]*pyfacts.Class{}
	var mainModule *pyfacts.Module
	for _, m := range p.Modules() {
		for _, c := range m.Classes {
			if c.TopLevel {
				classes[c.Name] = c
			}
		}
		if m.Path == p.Env.MainPath {
			mainModule = m
		}
	}
	if len(classes) == 0 && mainModule == nil {
		return // the modules are not known (e.g. main is missing): PW007 says so
	}
	type use struct {
		entries *config.Node
		base    string
		what    string
	}
	// Every block: a config error in another environment is still an error.
	blocks := []*config.Node{p.Doc.Root}
	if envs := p.Doc.Root.Get("env"); envs != nil {
		blocks = append(blocks, envs.Members...)
	}
	for _, block := range blocks {
		for _, u := range []use{
			{block.Path("durable_objects", "bindings"), "DurableObject", "Durable Object"},
			{block.Get("workflows"), "WorkflowEntrypoint", "Workflow"},
		} {
			if u.entries == nil || u.entries.Kind != config.Array {
				continue
			}
			for _, entry := range u.entries.Items {
				cn := entry.Get("class_name")
				if cn == nil || cn.Kind != config.String || entry.Get("script_name").String() != "" {
					continue // a class of another Worker
				}
				if c, ok := classes[cn.Str]; ok {
					if !c.HasBase(u.base) && len(c.Bases) > 0 {
						d := p.ReportConfig(cn, "class "+cn.Str+" does not subclass "+u.base+"; a "+u.what+" class must")
						d.Severity = Warning
					}
					continue
				}
				var candidates []string
				for name, c := range classes {
					if c.HasBase(u.base) {
						candidates = append(candidates, name)
					}
				}
				var fixes []Fix
				if best, ok := closest(cn.Str, candidates); ok {
					fixes = append(fixes, p.newFix("Change class_name to "+best).add(p.Worker.ConfigPath, textEdit{cn.Range.Start, cn.Range.End, quoteLike(p.Doc.Text[cn.Range.Start:cn.Range.End], best)}).preferred().fixes()...)
				}
				if mainModule != nil {
					text := "\n\nclass " + cn.Str + "(" + u.base + "):\n    pass\n"
					if u.base == "WorkflowEntrypoint" {
						text = "\n\nclass " + cn.Str + "(" + u.base + "):\n    async def run(self, event, step):\n        pass\n"
					}
					src := mainModule.Src
					trimmed := len(src)
					for trimmed > 0 && (src[trimmed-1] == '\n' || src[trimmed-1] == ' ') {
						trimmed--
					}
					edits := append(pyEdits{m: mainModule}.addImport("workers", u.base), textEdit{trimmed, len(src), text})
					fixes = append(fixes, p.newFix("Create class "+cn.Str+" in "+relPath(p.Worker.Dir, mainModule.Path)).add(mainModule.Path, edits...).fixes()...)
				}
				p.ReportConfig(cn, "no class "+cn.Str+" in the Worker's modules: the "+u.what+" binding cannot be created (deploy fails)", fixes...)
			}
		}
	}
}

// quoteLike writes s quoted the way the original value was (TOML literal
// strings use single quotes).
func quoteLike(orig, s string) string {
	if len(orig) > 0 && orig[0] == '\'' {
		return "'" + s + "'"
	}
	return `"` + s + `"`
}
