// Package tspython is tree-sitter's Python grammar from
// github.com/smacker/go-tree-sitter/python with a fixed external scanner:
// upstream serializes the indentation stack one byte per column, so a block
// indented by 256 columns or more broke the parse of the rest of the file
// (and with it every diagnostic there). See scanner.c.
package tspython

// #cgo CFLAGS: -std=c11 -fPIC
// #include "parser.h"
// const TSLanguage *pw_python_language(void);
import "C"

import (
	"sync"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
	// The original language: its parse tables (tree_sitter_python) are
	// linked from there.
	_ "github.com/smacker/go-tree-sitter/python"
)

var language = sync.OnceValue(func() *sitter.Language {
	return sitter.NewLanguage(unsafe.Pointer(C.pw_python_language()))
})

// GetLanguage returns the Python language with the fixed scanner.
func GetLanguage() *sitter.Language { return language() }
