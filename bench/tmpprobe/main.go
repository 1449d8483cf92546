package main

import (
	"context"
	"fmt"
	"time"
	"os"
	"runtime/pprof"

	"github.com/pyworkers-lsp/pyworkers-lsp/runtime"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/actors"
	"github.com/pyworkers-lsp/pyworkers-lsp/runtime/workerspec"
)

func main() {
	t := time.Now()
	spec, err := workerspec.Load("testdata/dev/app/wrangler.jsonc", "")
	fmt.Println("load spec", time.Since(t), err)
	eng := actors.NewEngine(runtime.EngineOptions{})
	f, _ := os.Create("/tmp/warm.prof")
	pprof.StartCPUProfile(f)
	t = time.Now()
	err = eng.Warm(context.Background(), nil)
	fmt.Println("warm", time.Since(t), err)
	pprof.StopCPUProfile()
	t = time.Now()
	iso, err := eng.StartIsolate(context.Background(), spec, runtime.IsolateOptions{})
	fmt.Println("isolate", time.Since(t), err)
	t = time.Now()
	res, err := iso.Fetch(context.Background(), runtime.HTTPRequest{URL: "http://x/"})
	fmt.Println("fetch", time.Since(t), err, string(res.Body))
}
