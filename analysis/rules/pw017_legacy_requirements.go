package rules

import (
	"path/filepath"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
)

func init() {
	register(&Rule{
		Code: "PW017", Name: "legacy-requirements-file", Severity: Warning, Targets: TargetRequirements,
		Summary: "requirements.txt / cf-requirements.txt is the old package path and breaks deploy; use pyproject.toml and pywrangler.",
		Check:   checkLegacyRequirements,
	})
}

func checkLegacyRequirements(p *Pass) {
	text := p.Lines.Text()
	end := strings.IndexByte(text, '\n')
	if end < 0 {
		end = len(text)
	}
	if end > 0 && text[end-1] == '\r' {
		end--
	}
	var fixes []Fix
	if pp := p.Worker.Pyproject; pp != nil {
		if deps := pp.Root.Path("project", "dependencies"); deps != nil && deps.Kind == config.Array {
			have := map[string]bool{}
			for _, d := range p.Worker.Dependencies {
				have[d.Name] = true
			}
			var items []string
			for _, line := range strings.Split(text, "\n") {
				line = strings.TrimSpace(line)
				if i := strings.Index(line, "#"); i >= 0 {
					line = strings.TrimSpace(line[:i])
				}
				if line == "" || strings.HasPrefix(line, "-") {
					continue
				}
				if name := reqName(line); name != "" && !have[name] {
					have[name] = true
					items = append(items, quote(line))
				}
			}
			if len(items) > 0 {
				edits := arrayAppend(pp.Text, deps, strings.Join(items, ", "), true)
				fixes = p.newFix("Add these requirements to pyproject.toml").add(p.Worker.PyprojectPath, edits...).fixes()
			}
		}
	}
	p.Report(0, end, filepath.Base(p.Path)+" is the old way to declare packages and breaks deploy: list dependencies in pyproject.toml, run pywrangler, and delete this file", fixes...)
}

// reqName extracts the normalized distribution name of a requirement line.
func reqName(line string) string {
	end := len(line)
	for i, r := range line {
		if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			end = i
			break
		}
	}
	return strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(line[:end]))
}
