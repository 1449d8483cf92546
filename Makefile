# pyworkers-lsp — build, run and test. A fresh machine needs only Go, node/npm
# and a C compiler (for tree-sitter); everything else is fetched by these
# targets from the Go module proxy and the npm registry.
#
#   make run    build the server and run it over the example Worker
#   make test   every test: vet, gofmt, go test -race, fuzz seeds, editor tests

GO      ?= go
BIN     := bin/pyworkers-lsp
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
EXAMPLE := testdata/projects/bindings-jsonc
# Caches inside the build tree, so CI keeps them between steps of one run.
export PYWORKERS_CACHE_DIR ?= $(CURDIR)/.cache/pyworkers

.PHONY: all build artifacts run test vet fmt-check unit fuzz bench clean

all: build

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) .

# The embedded runtime's interpreter (npm pyodide, translated by binaryen).
artifacts:
	bash runtime/artifacts/build.sh

run: build artifacts
	@echo "== pyworkers-lsp $(VERSION): checking the example Worker ($(EXAMPLE))"
	-./$(BIN) check $(EXAMPLE)
	@echo "== the language server itself speaks LSP on stdio: point your editor at $(CURDIR)/$(BIN)"

vet:
	$(GO) vet ./...

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

unit: artifacts
	$(GO) test -race -count=1 -timeout 20m ./...

# Each fuzz target for a few seconds beyond its checked-in seeds.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzIncremental$$' -fuzztime 5s ./analysis/pysyntax/
	$(GO) test -run '^$$' -fuzz '^FuzzParseNeverPanics$$' -fuzztime 5s ./analysis/config/

test: fmt-check vet unit fuzz

bench: build
	$(GO) test -run '^$$' -bench . -benchtime 2s ./analysis/... ./completion/...
	$(GO) run ./bench/lspdriver -bin ./$(BIN)

clean:
	rm -rf bin .cache
