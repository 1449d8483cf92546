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

.PHONY: all build artifacts runtime-warm run test vet fmt-check unit fuzz bench bench-setup clean

include editors/editors.mk

all: build

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) .

# The embedded runtime's interpreter (npm pyodide, translated by binaryen).
artifacts:
	bash runtime/artifacts/build.sh

# The one-time runtime compile (cached in $(PYWORKERS_CACHE_DIR)); done once
# here so the tests that run Python find it ready.
runtime-warm: build artifacts
	./$(BIN) runtime warm

run: build runtime-warm
	@echo "== pyworkers-lsp $(VERSION): checking the example Worker ($(EXAMPLE))"
	-./$(BIN) check $(EXAMPLE)
	@echo "== running its fetch handler in the embedded Python runtime"
	cd testdata/runtime/hello && ../../../$(BIN) run '/?name=pyworkers'
	@echo "== the language server speaks LSP on stdio: point your editor at $(CURDIR)/$(BIN) (see README)"

vet:
	$(GO) vet ./...

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# One package at a time (-p 1): several packages boot Python interpreters,
# and under the race detector on two cores they starve each other when run
# side by side (wall-clock limits then fire); one at a time is faster.
unit: runtime-warm
	$(GO) test -race -count=1 -p 1 -timeout 30m ./...

# Each fuzz target for a few seconds beyond its checked-in seeds.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzIncremental$$' -fuzztime 5s ./analysis/pysyntax/
	$(GO) test -run '^$$' -fuzz '^FuzzParseNeverPanics$$' -fuzztime 5s ./analysis/config/

test: fmt-check vet unit fuzz editors-test

bench-setup:
	bash bench/setup.sh

bench: build runtime-warm bench-setup
	$(GO) test -run '^$$' -bench . -benchtime 2s ./analysis/... ./completion/...
	PYWORKERS_NO_WARMUP=1 $(GO) run ./bench/lspdriver -bin ./$(BIN)

clean:
	rm -rf bin .cache
