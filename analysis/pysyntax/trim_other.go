//go:build !(linux && cgo)

package pysyntax

func trimCHeap() {}
