// Package workerspec turns the language server's project model
// (analysis/project) into a runtime.WorkerSpec, so the `run` command and the
// server's code lens describe a Worker to the runtime the same way.
package workerspec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// FromEnvironment builds the spec of one resolved environment: main,
// compatibility date and flags, vars (any JSON value), secrets from
// .dev.vars/.env, and every other binding by name and config key.
// Limits and AllowNet are left for the caller.
func FromEnvironment(w *project.Worker, env *project.Environment) (runtime.WorkerSpec, error) {
	if env.MainPath == "" {
		return runtime.WorkerSpec{}, fmt.Errorf("%s sets no `main`", w.ConfigPath)
	}
	if err := checkSources(w.Dir, env.MainPath); err != nil {
		return runtime.WorkerSpec{}, err
	}
	spec := runtime.WorkerSpec{
		Name:               env.WorkerName,
		Env:                env.Name,
		ConfigPath:         w.ConfigPath,
		ProjectDir:         w.Dir,
		Main:               env.MainPath,
		CompatibilityDate:  env.CompatDate,
		CompatibilityFlags: env.CompatFlags,
		Vars:               map[string]any{},
		Secrets:            map[string]string{},
	}
	for _, b := range env.Bindings {
		switch {
		case b.Secret != nil:
			spec.Secrets[b.Name] = b.Secret.Value()
		case b.Kind != nil && b.Kind.Key() == "vars":
			if b.Entry != nil {
				spec.Vars[b.Name] = b.Entry.ToAny()
			}
		case b.Kind != nil:
			rb := runtime.Binding{Name: b.Name, Kind: b.Kind.Key()}
			if m, ok := b.Entry.ToAny().(map[string]any); ok {
				rb.Config = m
			}
			spec.Bindings = append(spec.Bindings, rb)
		}
	}
	spec.QueueConsumers = queueConsumers(env)
	spec.Assets = assetsConfig(w.Dir, env)
	return spec, nil
}

// assetsConfig reads the environment's assets block (nil without a
// directory).
func assetsConfig(dir string, env *project.Environment) *runtime.AssetsConfig {
	n := env.AssetsNode
	if n == nil || n.Get("directory").String() == "" {
		return nil
	}
	a := &runtime.AssetsConfig{
		Directory:        filepath.Join(dir, filepath.FromSlash(n.Get("directory").String())),
		Binding:          n.Get("binding").String(),
		HTMLHandling:     n.Get("html_handling").String(),
		NotFoundHandling: n.Get("not_found_handling").String(),
	}
	if filepath.IsAbs(n.Get("directory").String()) {
		a.Directory = n.Get("directory").String()
	}
	switch v := n.Get("run_worker_first").ToAny().(type) {
	case bool:
		a.RunWorkerFirst = v
	case []any:
		for _, p := range v {
			if s, ok := p.(string); ok {
				a.RunWorkerFirstRoutes = append(a.RunWorkerFirstRoutes, s)
			}
		}
	}
	return a
}

// maxSources bounds how many of the Worker's modules checkSources looks at.
const maxSources = 10000

// checkSources refuses to hand the runtime a Worker whose main module or
// other .py files are not regular files (a FIFO would block the
// interpreter's read, a link to /dev/zero would never end) or are larger
// than project.MaxSourceBytes. It only stats: the runtime reads the files.
func checkSources(dir, main string) error {
	if err := project.CheckFile(main, project.MaxSourceBytes); project.Refused(err) {
		return fmt.Errorf("main module: %w", err)
	}
	for _, p := range project.PythonFiles(project.OSFS{}, dir, project.Limits{Files: maxSources}) {
		if err := project.CheckFile(p, project.MaxSourceBytes); project.Refused(err) {
			return fmt.Errorf("module %s: %w", p, err)
		}
	}
	return nil
}

// queueConsumers reads queues.consumers of the environment's block (queues
// are not inherited from the top level into env.X).
func queueConsumers(env *project.Environment) []runtime.QueueConsumer {
	list := env.Block.Path("queues", "consumers")
	if list == nil {
		return nil
	}
	var out []runtime.QueueConsumer
	for _, n := range list.Items {
		m, ok := n.ToAny().(map[string]any)
		if !ok {
			continue
		}
		c := runtime.QueueConsumer{MaxRetries: -1}
		c.Queue, _ = m["queue"].(string)
		if v, ok := m["max_batch_size"].(float64); ok {
			c.MaxBatchSize = int(v)
		}
		if v, ok := m["max_retries"].(float64); ok {
			c.MaxRetries = int(v)
		}
		if v, ok := m["max_batch_timeout"].(float64); ok && v >= 0 {
			c.MaxBatchTimeout = time.Duration(v * float64(time.Second))
		}
		c.DeadLetterQueue, _ = m["dead_letter_queue"].(string)
		if c.Queue != "" {
			out = append(out, c)
		}
	}
	return out
}

// Load reads the wrangler config at configPath ("" = the nearest one at or
// above the working directory) and builds the spec of environment envName
// ("" = the top level).
func Load(configPath, envName string) (runtime.WorkerSpec, error) {
	if configPath == "" {
		cwd, err := os.Getwd()
		if err != nil {
			return runtime.WorkerSpec{}, err
		}
		configPath = project.FindConfig(project.OSFS{}, cwd)
		if configPath == "" {
			return runtime.WorkerSpec{}, fmt.Errorf("no wrangler.json, wrangler.jsonc or wrangler.toml in %s or above (use --config)", cwd)
		}
	}
	abs, err := filepath.Abs(configPath)
	if err != nil {
		return runtime.WorkerSpec{}, err
	}
	w := project.Load(project.OSFS{}, abs)
	if w.ConfigErr != nil {
		return runtime.WorkerSpec{}, fmt.Errorf("reading %s: %w", abs, w.ConfigErr)
	}
	if len(w.FileErrs) > 0 {
		return runtime.WorkerSpec{}, fmt.Errorf("reading the Worker in %s: %w", w.Dir, errors.Join(w.FileErrs...))
	}
	env, ok := w.Env(envName)
	if !ok {
		return runtime.WorkerSpec{}, fmt.Errorf("%s has no environment %q (have: %s)", abs, envName, strings.Join(w.EnvNames, ", "))
	}
	return FromEnvironment(w, env)
}
