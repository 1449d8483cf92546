package tspython

import (
	"context"
	"testing"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/python"

	"github.com/pyworkers-lsp/pyworkers-lsp/bench/workergen"
)

// BenchmarkFreshParse5000: the fixed scanner against upstream's, side by
// side in one run (issue 10 asked whether the fix slowed parsing).
func BenchmarkFreshParse5000(b *testing.B) {
	src := workergen.Module(5000)
	for _, c := range []struct {
		name string
		lang *sitter.Language
	}{{"fixed", GetLanguage()}, {"upstream", python.GetLanguage()}} {
		b.Run(c.name, func(b *testing.B) {
			p := sitter.NewParser()
			p.SetLanguage(c.lang)
			for i := 0; i < b.N; i++ {
				tree, err := p.ParseCtx(context.Background(), nil, []byte(src))
				if err != nil {
					b.Fatal(err)
				}
				tree.Close()
			}
		})
	}
}
