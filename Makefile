# pyworkers-lsp — build, run and test. A fresh machine needs only Go, node/npm
# and a C compiler (for tree-sitter); everything else is fetched by these
# targets from the Go module proxy and the npm registry.
#
#   make run       build the server and run it over the example Worker
#   make test      every test: gofmt, go vet, staticcheck, go mod tidy, go test
#                  -race, the performance gate, fuzz seeds, editor tests
#   make perf      the latency tests without -race, with their limits asserted
#   make coverage  server end-to-end coverage, measured through the built binary

GO      ?= go
BIN     := bin/pyworkers-lsp
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
EXAMPLE := testdata/projects/bindings-jsonc
# Caches inside the build tree, so CI keeps them between steps of one run.
export PYWORKERS_CACHE_DIR ?= $(CURDIR)/.cache/pyworkers

.PHONY: release release-check all build artifacts test-packages native-fixtures runtime-warm run test dev-test vet fmt-check staticcheck tidy-check unit perf coverage fuzz bench bench-setup clean

include editors/editors.mk

all: build

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) .

# The embedded runtime's interpreter (npm pyodide, translated by binaryen),
# and the stdlib parts Pyodide ships apart (sqlite3, ...) compiled from
# CPython's sources (runtime/artifacts/cpython/build.sh, ~1 min once).
artifacts:
	bash runtime/artifacts/build.sh
	bash runtime/artifacts/cpython/build.sh

# Pinned pure-Python packages from PyPI (testdata/packages/requirements.txt,
# with their sha256) that the runtime tests vendor into Workers.
test-packages:
	bash testdata/packages/fetch.sh

# The native test modules (C compiled to Emscripten side modules by the
# pinned ziglang wheel's clang and wasm-ld; testdata/native/build.sh).
native-fixtures:
	bash testdata/native/build.sh

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
	$(GO) vet -tags releasecheck .
	$(GO) vet -tags helixtmux ./editors/helix/

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# staticcheck, pinned by the tool directive in go.mod (checksums in go.sum).
staticcheck:
	$(GO) tool staticcheck ./...
	$(GO) tool staticcheck -tags helixtmux ./editors/helix/

tidy-check:
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

# One package at a time (-p 1): several packages boot Python interpreters,
# and under the race detector on two cores they starve each other when run
# side by side (wall-clock limits then fire); one at a time is faster.
unit: runtime-warm test-packages native-fixtures
	$(GO) test -race -count=1 -p 1 -timeout 30m ./...

# The latency and timing tests again, without -race (under it they only check
# their answers): each fails past a limit about 10x above its usual median,
# so a real regression fails, not noise. About a minute.
PERF_TESTS := ^(TestWireLatency|TestEditThenCompleteLatency|TestKeystrokeLatency5k|TestCheck50FilesTime)$$
perf: runtime-warm
	$(GO) test -count=1 -p 1 -timeout 10m -run '$(PERF_TESTS)' -v ./server/ ./completion/ ./analysis/rules/ ./analysis/checkcmd/

# Server end-to-end coverage: the server's e2e tests drive a binary built
# with -cover (every package of the module instrumented); its counters land
# in $(COVER_DIR) and are summed by go tool covdata. Recorded in
# docs/coverage.md.
COVER_DIR := $(CURDIR)/.cache/coverage
coverage: runtime-warm
	rm -rf $(COVER_DIR) && mkdir -p $(COVER_DIR)/e2e
	$(GO) build -cover -coverpkg=./... -o $(COVER_DIR)/pyworkers-lsp .
	PYWORKERS_BIN=$(COVER_DIR)/pyworkers-lsp GOCOVERDIR=$(COVER_DIR)/e2e $(GO) test -count=1 -timeout 20m ./server/
	$(GO) tool covdata percent -i=$(COVER_DIR)/e2e -pkg=$$($(GO) list ./server/)
	$(GO) tool covdata textfmt -i=$(COVER_DIR)/e2e -o $(COVER_DIR)/e2e.txt
	@$(GO) tool cover -func=$(COVER_DIR)/e2e.txt | awk '/^total:/ { print "all packages, through the server e2e tests: " $$NF }'

# Each fuzz target for about five seconds beyond its checked-in seeds. The
# budgets are execution counts, not durations: a duration races Go's fuzz
# coordinator at the deadline and fails with a bare "context deadline
# exceeded" (golang/go#75804, fixed in Go 1.27).
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzIncremental$$' -fuzztime 1500x ./analysis/pysyntax/
	$(GO) test -run '^$$' -fuzz '^FuzzParseNeverPanics$$' -fuzztime 150000x ./analysis/config/
	$(GO) test -run '^$$' -fuzz '^FuzzRoundTrip$$' -fuzztime 60000x ./analysis/textpos/
	$(GO) test -run '^$$' -fuzz '^FuzzEdited$$' -fuzztime 20000x ./analysis/textpos/
	$(GO) test -run '^$$' -fuzz '^FuzzRulesPython$$' -fuzztime 2000x ./analysis/rules/
	$(GO) test -run '^$$' -fuzz '^FuzzRulesConfig$$' -fuzztime 10000x ./analysis/rules/
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime 60000x ./analysis/project/
	$(GO) test -run '^$$' -fuzz '^FuzzFraming$$' -fuzztime 15000x ./server/

# The dev server as users' test suites drive it: pytest + requests against
# the built binary (testdata/dev/run.sh fetches the pinned pytest).
dev-test: build runtime-warm test-packages
	bash testdata/dev/run.sh

# Release archives and VS Code packages for every platform, each binary
# carrying the Python runtime (.ci/release/build.sh): dist/. The version is
# the VS Code extension's (vsce needs plain semver).
RELEASE_VERSION ?= $(shell node -p "require('./editors/vscode/package.json').version")
release: artifacts native-fixtures $(EDITORS_VSCODE)/node_modules/.editors-stamp
	VERSION=$(RELEASE_VERSION) bash .ci/release/build.sh

# Every artefact in dist/ opened and checked; the linux/amd64 binary on an
# empty user cache, linux/arm64 under qemu-user, windows/amd64 under Wine
# (.ci/release/check.sh fetches them; release_test.go).
release-check: release
	VERSION=$(RELEASE_VERSION) bash .ci/release/check.sh

test: fmt-check vet staticcheck tidy-check unit perf fuzz dev-test editors-test release-check

bench-setup:
	bash bench/setup.sh

bench: build runtime-warm test-packages bench-setup
	$(GO) test -run '^$$' -bench . -benchtime 2s ./analysis/... ./completion/...
	PYWORKERS_NO_WARMUP=1 $(GO) run ./bench/lspdriver -bin ./$(BIN)
	$(GO) run ./bench/devbench -bin $(CURDIR)/$(BIN)

clean:
	rm -rf bin .cache
