package bindings

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/project"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// aiFixture is one entry of the Workers AI fixtures file.
type aiFixture struct {
	Model  string          `json:"model"`
	Input  json.RawMessage `json:"input,omitempty"` // omitted = any input
	Output json.RawMessage `json:"output"`
}

// newAI builds an Ai binding answering run() from the fixtures file; there
// is no network, so without a matching fixture run() explains how to add one.
func (s *Store) newAI(r *runtime.Realm, b runtime.Binding) *runtime.Object {
	o := r.NewInstance("Ai")
	async(r, o, "run", func(a args) (runtime.Value, error) {
		model, err := a.str(0, "AI model")
		if err != nil {
			return nil, err
		}
		input := r.ToGo(a.at(1))
		out, err := s.aiLookup(b.Name, model, input)
		if err != nil {
			return nil, err
		}
		return r.JSONParse(string(out))
	})
	for _, m := range []string{"models", "gateway", "toMarkdown", "autorag"} {
		name := m
		async(r, o, name, func(args) (runtime.Value, error) {
			return nil, fmt.Errorf("env.%s.%s(): Workers AI is not simulated locally (only run() answers, from %s)",
				b.Name, name, s.opts.AIFixtures)
		})
	}
	return o
}

func (s *Store) aiLookup(binding, model string, input any) ([]byte, error) {
	inputJSON := jsonText(input)
	example := fmt.Sprintf(`[{"model": %q, "input": %s, "output": {"response": "..."}}]`, model, inputJSON)
	noFixture := func(why string) error {
		return fmt.Errorf("env.%s.run(%q): Workers AI is not available locally (it needs Cloudflare's network); %s. "+
			"Add a fixture to %s, e.g. %s (omit \"input\" to match any input)", binding, model, why, s.opts.AIFixtures, example)
	}
	if s.opts.AIFixtures == "" {
		return nil, noFixture("no fixtures file is configured")
	}
	data, err := project.ReadFile(s.opts.AIFixtures, project.MaxConfigBytes) // a project file: regular, capped, never blocking
	if errors.Is(err, os.ErrNotExist) {
		return nil, noFixture("there is no fixtures file")
	}
	if err != nil {
		return nil, err
	}
	var fixtures []aiFixture
	if err := json.Unmarshal(data, &fixtures); err != nil {
		return nil, fmt.Errorf("env.%s.run: %s is not a JSON list of {model, input, output}: %v", binding, s.opts.AIFixtures, err)
	}
	var models []string
	for _, f := range fixtures {
		if f.Model != model {
			models = append(models, f.Model)
			continue
		}
		if len(f.Input) == 0 || jsonEqual(f.Input, input) {
			if len(f.Output) == 0 {
				return []byte("null"), nil
			}
			return f.Output, nil
		}
	}
	why := "no fixture matches this model and input"
	if len(models) == len(fixtures) && len(models) > 0 {
		why = "the fixtures cover only " + strings.Join(uniq(models), ", ")
	}
	return nil, noFixture(why)
}

// jsonEqual compares a fixture's input with the call's, as JSON values.
func jsonEqual(raw json.RawMessage, input any) bool {
	var want any
	if json.Unmarshal(raw, &want) != nil {
		return false
	}
	var got any
	_ = json.Unmarshal([]byte(jsonText(input)), &got)
	return reflect.DeepEqual(want, got)
}

func uniq(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
