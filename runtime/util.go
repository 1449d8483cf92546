package runtime

import (
	"net/http"
	"os"
)

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

func httpStatusText(code int) string { return http.StatusText(code) }
