package runtime

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// providedByRuntime are dependencies a Worker lists that Cloudflare's
// runtime (and this one) provide without vendoring.
var providedByRuntime = map[string]bool{"workers-py": true, "workers-runtime-sdk": true, "webtypy": true}

var (
	requirementName = regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)`)
	nameSeparators  = regexp.MustCompile(`[-_.]+`)
)

func normalizeName(n string) string { return strings.ToLower(nameSeparators.ReplaceAllString(n, "-")) }

// declaredDependencies are the normalized names of the project's
// pyproject.toml [project] dependencies and requirements.txt lines.
func declaredDependencies(projectDir string) map[string]bool {
	out := map[string]bool{}
	for _, req := range pyprojectDependencies(projectDir) {
		if m := requirementName.FindStringSubmatch(req); m != nil {
			out[normalizeName(m[1])] = true
		}
	}
	if b, err := os.ReadFile(filepath.Join(projectDir, "requirements.txt")); err == nil && len(b) <= 1<<20 {
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
				continue
			}
			if m := requirementName.FindStringSubmatch(line); m != nil {
				out[normalizeName(m[1])] = true
			}
		}
	}
	return out
}

func pyprojectDependencies(projectDir string) []string {
	b, err := os.ReadFile(filepath.Join(projectDir, "pyproject.toml"))
	if err != nil || len(b) > 1<<20 {
		return nil
	}
	var doc struct {
		Project struct {
			Dependencies []string `toml:"dependencies"`
		} `toml:"project"`
	}
	if toml.Unmarshal(b, &doc) != nil {
		return nil
	}
	return doc.Project.Dependencies
}

// unvendoredDependencies lists the [project] dependencies of the Worker's
// pyproject.toml that its python_modules/ (or .venv-workers) lacks, as
// `pywrangler sync` would have vendored them.
func unvendoredDependencies(projectDir string) []string {
	deps := pyprojectDependencies(projectDir)
	if len(deps) == 0 {
		return nil
	}
	have := map[string]bool{}
	if pm := pythonModulesOf(projectDir); pm != "" {
		ents, _ := os.ReadDir(pm)
		for _, e := range ents {
			if name, ok := strings.CutSuffix(e.Name(), ".dist-info"); ok {
				have[normalizeName(strings.SplitN(name, "-", 2)[0])] = true
			}
		}
	}
	var missing []string
	for _, req := range deps {
		m := requirementName.FindStringSubmatch(req)
		if m == nil {
			continue
		}
		n := normalizeName(m[1])
		if !have[n] && !providedByRuntime[n] {
			missing = append(missing, m[1])
		}
	}
	return missing
}
