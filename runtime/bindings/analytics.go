package bindings

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// newAnalytics builds an AnalyticsEngineDataset: writeDataPoint appends one
// JSON line to analytics/<dataset>.jsonl (O_APPEND: concurrent writers
// never interleave within a line).
func (s *Store) newAnalytics(r *runtime.Realm, b runtime.Binding) *runtime.Object {
	dataset := ResourceName(b, "dataset")
	o := r.NewInstance("AnalyticsEngineDataset")
	syncMethod(r, o, "writeDataPoint", func(a args) (runtime.Value, error) {
		p := a.opts(0)
		if p == nil && a.present(0) {
			return nil, errors.New("writeDataPoint: expected {indexes?, doubles?, blobs?}")
		}
		list := func(k string, limit int) ([]any, error) {
			v, _ := p[k].([]any)
			if len(v) > limit {
				return nil, fmt.Errorf("writeDataPoint: at most %d %s allowed, got %d", limit, k, len(v))
			}
			if v == nil {
				v = []any{}
			}
			return v, nil
		}
		indexes, err := list("indexes", 1)
		if err != nil {
			return nil, err
		}
		blobs, err := list("blobs", 20)
		if err != nil {
			return nil, err
		}
		doubles, err := list("doubles", 20)
		if err != nil {
			return nil, err
		}
		for _, d := range doubles {
			if _, ok := d.(float64); !ok {
				return nil, fmt.Errorf("writeDataPoint: doubles must be numbers, got %v", d)
			}
		}
		for i, bl := range blobs {
			if by, ok := bl.([]byte); ok {
				blobs[i] = string(by)
			}
		}
		line := jsonText(map[string]any{
			"timestamp": s.opts.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
			"dataset":   dataset, "indexes": indexes, "blobs": blobs, "doubles": doubles,
		}) + "\n"
		path := filepath.Join(s.opts.StateDir, "analytics", safeName(dataset)+".jsonl")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		writeGitignore(s.opts.StateDir)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if _, err := f.WriteString(line); err != nil {
			return nil, err
		}
		return runtime.Undefined, nil
	})
	return o
}
