//go:build !unix

package pyodide

func LockCacheDir(dir string) (unlock func()) { return func() {} }
