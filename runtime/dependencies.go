package runtime

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
)

// providedByRuntime are dependencies a Worker lists that Cloudflare's
// runtime (and this one) provide without vendoring.
var providedByRuntime = map[string]bool{"workers-py": true, "workers-runtime-sdk": true, "webtypy": true}

// declaredDependencies are the normalized names of the project's
// pyproject.toml [project] dependencies and requirements.txt lines.
func declaredDependencies(projectDir string) map[string]bool {
	out := map[string]bool{}
	for _, d := range project.ProjectDependencies(project.OSFS{}, projectDir) {
		out[d.Name] = true
	}
	b, err := project.OSFS{}.ReadFileLimit(filepath.Join(projectDir, "requirements.txt"), project.MaxConfigBytes)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
			continue
		}
		if name := project.DistributionName(line); name != "" {
			out[project.NormalizeName(name)] = true
		}
	}
	return out
}

// unvendoredDependencies lists the [project] dependencies of the Worker's
// pyproject.toml that its python_modules/ (or .venv-workers) lacks, as
// `pywrangler sync` would have vendored them.
func unvendoredDependencies(projectDir string) []string {
	deps := project.ProjectDependencies(project.OSFS{}, projectDir)
	if len(deps) == 0 {
		return nil
	}
	have := map[string]bool{}
	if pm := pythonModulesOf(projectDir); pm != "" {
		ents, _ := os.ReadDir(pm)
		for _, e := range ents {
			if name, ok := strings.CutSuffix(e.Name(), ".dist-info"); ok {
				have[project.NormalizeName(strings.SplitN(name, "-", 2)[0])] = true
			}
		}
	}
	var missing []string
	for _, d := range deps {
		if !have[d.Name] && !providedByRuntime[d.Name] {
			missing = append(missing, project.DistributionName(d.Spec))
		}
	}
	return missing
}
