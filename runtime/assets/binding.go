package assets

import (
	"fmt"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
)

// Factory builds the assets binding (env.ASSETS, a Fetcher): fetch(request)
// answers from the Worker's assets directory with its rules, a 404 (or the
// not-found handling) when nothing matches.
func Factory() runtime.BindingFactory {
	return func(r *runtime.Realm, b runtime.Binding) (*runtime.Object, bool) {
		if b.Kind != "assets" {
			return nil, false
		}
		spec := r.Spec()
		f := r.NewInstance("Fetcher")
		r.Method(f, "fetch", func(a []runtime.Value) (runtime.Value, error) {
			if spec.Assets == nil {
				return nil, fmt.Errorf("env.%s: the Worker's assets block has no directory", b.Name)
			}
			site, err := Load(*spec.Assets, spec.Main != "")
			if err != nil {
				return nil, fmt.Errorf("env.%s: %w", b.Name, err)
			}
			return r.HTTPRequestOf(arg(a, 0), arg(a, 1), func(req runtime.HTTPRequest) (runtime.Value, error) {
				return r.ResponseOf(site.Fetch(req)), nil
			}), nil
		})
		return f, true
	}
}

func arg(a []runtime.Value, i int) runtime.Value {
	if i < len(a) {
		return a[i]
	}
	return runtime.Undefined
}
