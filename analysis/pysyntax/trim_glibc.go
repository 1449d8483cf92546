//go:build linux && cgo

package pysyntax

/*
#include <features.h>
#ifdef __GLIBC__
#include <malloc.h>
static void pw_malloc_trim(void) { malloc_trim(0); }
#else
static void pw_malloc_trim(void) {}
#endif
*/
import "C"

// trimCHeap hands memory freed by tree-sitter back to the OS; glibc keeps
// freed chunks in its arenas otherwise, and trees come and go in megabytes.
func trimCHeap() { C.pw_malloc_trim() }
