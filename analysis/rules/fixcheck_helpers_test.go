package rules

import (
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/config"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pyfacts"
	"github.com/pyworkers-lsp/pyworkers-lsp/analysis/pysyntax"
)

func pyfactsParse(path string, f *pysyntax.File) *pyfacts.Module { return pyfacts.Parse(path, f) }

func configParse(path, text string) *config.Document { return config.Parse(path, []byte(text)) }
