//go:build !unix && !windows

package pyodide

func LockCacheDir(dir string) (unlock func()) { return func() {} }
