// Package project builds the model of a Python Worker from its wrangler
// config, .dev.vars/.env, pyproject.toml and python_modules/: bindings per
// environment, the runtime the compatibility settings select, secrets (names
// only, unless a caller asks for a value) and dependencies.
package project

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
)

// FS reads files; the server passes one that prefers the editor's unsaved
// buffers over the disk.
type FS interface {
	ReadFile(path string) ([]byte, error)
	ReadDir(path string) ([]fs.DirEntry, error)
}

// OSFS reads the real file system.
type OSFS struct{}

// ReadFile implements FS: a regular file of at most MaxSourceBytes, read
// without blocking (see ReadFile).
func (OSFS) ReadFile(p string) ([]byte, error) { return ReadFile(p, MaxSourceBytes) }

// ReadFileLimit implements LimitFS.
func (OSFS) ReadFileLimit(p string, limit int64) ([]byte, error) { return ReadFile(p, limit) }

// ReadDir implements FS.
func (OSFS) ReadDir(p string) ([]fs.DirEntry, error) { return os.ReadDir(p) }

// ConfigNames are the wrangler config names, in wrangler's lookup order.
var ConfigNames = []string{"wrangler.json", "wrangler.jsonc", "wrangler.toml"}

// IsConfigName says whether a file name is a wrangler config's.
func IsConfigName(base string) bool {
	for _, n := range ConfigNames {
		if base == n {
			return true
		}
	}
	return false
}

// FindConfig returns the nearest wrangler config at or above dir, or "".
func FindConfig(fsys FS, dir string) string {
	dir = filepath.Clean(dir)
	for {
		if p := ConfigIn(fsys, dir); p != "" {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// ConfigIn returns the wrangler config directly in dir, or "". A config
// that is there but refused by ReadFile (a FIFO, a device, too large) is
// returned too, so that Load reports it instead of the Worker vanishing.
func ConfigIn(fsys FS, dir string) string {
	for _, name := range ConfigNames {
		p := filepath.Join(dir, name)
		if _, err := readLimited(fsys, p, MaxConfigBytes); present(err) {
			return p
		}
	}
	return ""
}

// Worker is one Worker: a folder with a wrangler config.
type Worker struct {
	Dir        string
	ConfigPath string
	Config     *config.Document
	// ConfigErr is set when the config could not be read at all.
	ConfigErr error
	// FileErrs are the other project files that are there but were refused
	// (pyproject.toml, .dev.vars, .env, requirements files that are not
	// regular files or are too large, see ReadFile); each was skipped.
	FileErrs []error

	PyprojectPath string
	Pyproject     *config.Document // nil without pyproject.toml
	Dependencies  []Dependency

	// PythonModules lists the top-level names inside python_modules/;
	// HasPythonModules says whether the folder exists.
	PythonModules    []string
	HasPythonModules bool

	// LegacyRequirements lists requirements.txt-style files still present.
	LegacyRequirements []string

	EnvNames []string // the env.<name> blocks, sorted
	envs     map[string]*Environment

	secretFiles map[string][]Secret // per file path, read once
}

// Dependency is one requirement from pyproject.toml.
type Dependency struct {
	Name  string // normalized (PEP 503)
	Spec  string // as written
	Group string // "project", a dependency-group name, or "uv-dev"
	Node  *config.Node
}

// Secret is a name from .dev.vars/.env or secrets.required.
type Secret struct {
	Name   string
	File   string // the file it came from ("" for secrets.required)
	Line   int    // zero-based line in File
	value  string
	Node   *config.Node // for secrets.required entries
	Listed bool         // from secrets.required
}

// Value returns the secret's value; callers show it only when the user
// explicitly asks.
func (s Secret) Value() string { return s.value }

// Load builds the Worker whose config is at configPath.
func Load(fsys FS, configPath string) *Worker {
	w := &Worker{Dir: filepath.Dir(configPath), ConfigPath: configPath, envs: map[string]*Environment{}, secretFiles: map[string][]Secret{}}
	data, err := readLimited(fsys, configPath, MaxConfigBytes)
	if err != nil {
		w.ConfigErr = err
		data = nil
	}
	w.Config = config.Parse(configPath, data)

	w.PyprojectPath = filepath.Join(w.Dir, "pyproject.toml")
	if b, err := w.read(fsys, w.PyprojectPath); err == nil {
		w.Pyproject = config.Parse(w.PyprojectPath, b)
		w.Dependencies = dependencies(w.Pyproject.Root)
	}
	w.loadPythonModules(fsys)
	for _, name := range []string{"requirements.txt", "cf-requirements.txt"} {
		p := filepath.Join(w.Dir, name)
		if _, err := w.read(fsys, p); present(err) {
			w.LegacyRequirements = append(w.LegacyRequirements, p)
		}
	}

	if envBlock := w.Config.Root.Get("env"); envBlock != nil && envBlock.Kind == config.Object {
		for _, m := range envBlock.Members {
			if m.Kind == config.Object {
				w.EnvNames = append(w.EnvNames, m.Key)
			}
		}
		sort.Strings(w.EnvNames)
	}
	w.envs[""] = w.resolve(fsys, "")
	for _, name := range w.EnvNames {
		w.envs[name] = w.resolve(fsys, name)
	}
	return w
}

// read reads a project file other than the config (capped at
// MaxConfigBytes), noting a refusal in FileErrs.
func (w *Worker) read(fsys FS, path string) ([]byte, error) {
	data, err := readLimited(fsys, path, MaxConfigBytes)
	if Refused(err) {
		w.FileErrs = append(w.FileErrs, err)
	}
	return data, err
}

// Env returns the resolved environment name ("" is the top level). An
// unknown name falls back to the top level, with ok false.
func (w *Worker) Env(name string) (env *Environment, ok bool) {
	if e, found := w.envs[name]; found {
		return e, true
	}
	return w.envs[""], name == ""
}

func (w *Worker) loadPythonModules(fsys FS) {
	entries, err := fsys.ReadDir(filepath.Join(w.Dir, "python_modules"))
	if err != nil {
		return
	}
	w.HasPythonModules = true
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, ".dist-info"), strings.HasSuffix(name, ".egg-info"), name == "__pycache__":
			continue
		case strings.HasSuffix(name, ".py"):
			name = strings.TrimSuffix(name, ".py")
		case !e.IsDir():
			continue
		}
		w.PythonModules = append(w.PythonModules, name)
	}
	sort.Strings(w.PythonModules)
}

// NormalizeName normalizes a Python package name as PEP 503 does.
func NormalizeName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	var b strings.Builder
	dash := false
	for _, r := range s {
		if r == '-' || r == '_' || r == '.' {
			if !dash {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		dash = false
		b.WriteRune(r)
	}
	return b.String()
}

// DistributionName is the distribution name of a PEP 508 requirement, as
// written ("Requests" in "Requests[socks]>=2").
func DistributionName(spec string) string {
	end := len(spec)
	for i, r := range spec {
		if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			end = i
			break
		}
	}
	return spec[:end]
}

// requirementName is a requirement's normalized distribution name.
func requirementName(spec string) string { return NormalizeName(DistributionName(spec)) }

// ProjectDependencies reads the [project] dependencies of dir/pyproject.toml
// as Load does, for readers that have a folder rather than a config (the
// runtime's run warnings and package installer).
func ProjectDependencies(fsys FS, dir string) []Dependency {
	b, err := readLimited(fsys, filepath.Join(dir, "pyproject.toml"), MaxConfigBytes)
	if err != nil {
		return nil
	}
	var out []Dependency
	for _, d := range dependencies(config.Parse(filepath.Join(dir, "pyproject.toml"), b).Root) {
		if d.Group == "project" {
			out = append(out, d)
		}
	}
	return out
}

func dependencies(root *config.Node) []Dependency {
	var out []Dependency
	add := func(list *config.Node, group string) {
		if list == nil || list.Kind != config.Array {
			return
		}
		for _, it := range list.Items {
			if it.Kind == config.String && requirementName(it.Str) != "" {
				out = append(out, Dependency{Name: requirementName(it.Str), Spec: it.Str, Group: group, Node: it})
			}
		}
	}
	add(root.Path("project", "dependencies"), "project")
	if groups := root.Get("dependency-groups"); groups != nil {
		for _, g := range groups.Members {
			add(g, g.Key)
		}
	}
	add(root.Path("tool", "uv", "dev-dependencies"), "uv-dev")
	return out
}

// Dependency returns the first dependency named name (normalized), if any.
func (w *Worker) Dependency(name string) (Dependency, bool) {
	name = NormalizeName(name)
	for _, d := range w.Dependencies {
		if d.Name == name {
			return d, true
		}
	}
	return Dependency{}, false
}

// secretsFrom reads a dotenv-style file (.dev.vars, .env): KEY=value lines,
// # comments, optional "export ", quoted values.
func (w *Worker) secretsFrom(fsys FS, path string) ([]Secret, bool) {
	if s, ok := w.secretFiles[path]; ok {
		return s, s != nil
	}
	data, err := w.read(fsys, path)
	if Refused(err) {
		w.secretFiles[path] = []Secret{} // there, so it is the one chosen, but unread
		return nil, true
	}
	if err != nil {
		w.secretFiles[path] = nil
		return nil, false
	}
	out := []Secret{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		eq := strings.IndexByte(line, '=')
		if eq <= 0 {
			continue
		}
		name := strings.TrimSpace(line[:eq])
		val := strings.TrimSpace(line[eq+1:])
		if len(val) >= 2 && (val[0] == '"' || val[0] == '\'') && val[len(val)-1] == val[0] {
			val = val[1 : len(val)-1]
		}
		out = append(out, Secret{Name: name, File: path, Line: i, value: val})
	}
	w.secretFiles[path] = out
	return out, true
}

// devSecrets picks the local secrets file as wrangler does: .dev.vars.<env>,
// then .dev.vars, then .env.<env>, then .env.
func (w *Worker) devSecrets(fsys FS, env string) []Secret {
	var candidates []string
	if env != "" {
		candidates = append(candidates, ".dev.vars."+env)
	}
	candidates = append(candidates, ".dev.vars")
	if env != "" {
		candidates = append(candidates, ".env."+env)
	}
	candidates = append(candidates, ".env")
	for _, c := range candidates {
		if s, ok := w.secretsFrom(fsys, filepath.Join(w.Dir, c)); ok {
			return s
		}
	}
	return nil
}
