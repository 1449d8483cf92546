package runtime

import (
	"embed"
	"io/fs"
	"path"
	"sync"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/internal/pyodide"
)

//go:embed py/*.py
var runtimePy embed.FS

//go:embed all:sdk
var sdkFS embed.FS

// runtimePythonFiles are installed into site-packages.
func runtimePythonFiles() map[string][]byte {
	out := map[string][]byte{}
	ents, _ := runtimePy.ReadDir("py")
	for _, e := range ents {
		b, _ := runtimePy.ReadFile("py/" + e.Name())
		out[e.Name()] = b
	}
	return out
}

// builtinSDKFiles is the built-in `workers` package, keyed by path below
// the SDK root (e.g. "workers/__init__.py").
func builtinSDKFiles() map[string][]byte {
	out := map[string][]byte{}
	_ = fs.WalkDir(sdkFS, "sdk", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".py" {
			return nil
		}
		b, _ := sdkFS.ReadFile(p)
		out[p[len("sdk/"):]] = b
		return nil
	})
	return out
}

// hostFiles are the files every interpreter gets, by absolute path: the
// runner in site-packages and the built-in SDK.
var hostFiles = sync.OnceValue(func() map[string][]byte {
	out := map[string][]byte{}
	for name, src := range runtimePythonFiles() {
		out[pyodide.SitePackages+"/"+name] = src
	}
	for name, src := range builtinSDKFiles() {
		out[pyodide.BuiltinSDKDir+"/"+name] = src
	}
	return out
})
