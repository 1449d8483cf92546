// Not Go code: this file makes editors/vscode its own module so that the
// repository's `go test ./...` and `go vet ./...` skip node_modules (some npm
// packages ship .go files).
module github.com/pyworkers-lsp/pyworkers-lsp/editors/vscode

go 1.26.8
