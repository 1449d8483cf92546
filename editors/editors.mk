# Editor integrations (editors/): included from the top-level Makefile.
#
#   make editors-test   install what the editor tests need (npm ci, neovim via
#                       apt when missing and root) and run them all
#   make vsix           build dist/pyworkers-linux-x64-<version>.vsix with the
#                       linux-x64 release server (runtime inside) bundled
#
# Paths are relative to the repository root (the Makefile's directory).

GO            ?= go
EDITORS_BIN   ?= $(CURDIR)/bin/pyworkers-lsp
EDITORS_NVIM  ?= nvim

EDITORS_VSCODE := editors/vscode
# Neovim 0.12 and Helix 25.07 from Debian forky (editors/fetch-editors.sh).
EDITORS_FETCHED := $(CURDIR)/.cache/editors/bin
EDITORS_VERSION ?= $(if $(VERSION),$(VERSION),$(shell git describe --tags --always --dirty 2>/dev/null || echo dev))

.PHONY: editors-vscode-e2e editors-test editors-bin editors-nvim-deps editors-fetch editors-tmux-deps editors-nvim-test editors-helix-test editors-vscode-test vsix

# Always rebuilt (go's cache makes this quick), so the tests see the current server.
editors-bin:
	$(GO) build -ldflags "-X main.version=$(EDITORS_VERSION)" -o $(EDITORS_BIN) .

editors-nvim-deps:
	@if ! command -v $(EDITORS_NVIM) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "== installing neovim (apt)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null; \
	  else \
	    echo "editors-test: nvim is missing; install Neovim (apt-get install neovim)" >&2; exit 1; \
	  fi; \
	fi

editors-fetch:
	bash editors/fetch-editors.sh >/dev/null

editors-tmux-deps:
	@if ! command -v tmux >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "== installing tmux (apt)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null 2>&1 || { \
	      DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null; }; \
	  else \
	    echo "editors-test: tmux is missing; install it (apt-get install tmux)" >&2; exit 1; \
	  fi; \
	fi

# Neovim 0.12 (vim.lsp.config/enable, as the README says) and the system's
# Neovim (Debian stable: 0.7, require('pyworkers').setup()).
editors-nvim-test: editors-bin editors-nvim-deps editors-fetch
	@echo "== editors: headless Neovim"
	PYWORKERS_BIN=$(EDITORS_BIN) NVIM="$(EDITORS_FETCHED)/nvim $(EDITORS_NVIM)" bash editors/nvim/test.sh

# The snippet against the binary, then the real Helix driven in tmux.
editors-helix-test: editors-bin editors-fetch editors-tmux-deps
	@echo "== editors: Helix languages.toml against the binary; Helix in tmux"
	PYWORKERS_BIN=$(EDITORS_BIN) $(GO) test -count=1 ./editors/helix/
	PYWORKERS_BIN=$(EDITORS_BIN) PYWORKERS_HX=$(EDITORS_FETCHED)/hx PYWORKERS_HELIX_SHOTS=$(CURDIR)/.cache/editors/helix-screens \
	  $(GO) test -tags helixtmux -count=1 -run TestHelixInTmux -v ./editors/helix/

# npm ci from the committed package-lock.json, again whenever it changes.
$(EDITORS_VSCODE)/node_modules/.editors-stamp: $(EDITORS_VSCODE)/package.json $(EDITORS_VSCODE)/package-lock.json
	cd $(EDITORS_VSCODE) && npm ci --no-audit --no-fund
	touch $@

# Type check (tsc --noEmit), lint (eslint), bundle (esbuild), unit tests and
# the protocol test against the built server (node --test).
editors-vscode-test: editors-bin $(EDITORS_VSCODE)/node_modules/.editors-stamp
	@echo "== editors: VS Code extension"
	cd $(EDITORS_VSCODE) && PYWORKERS_BIN=$(EDITORS_BIN) npm test

# The .vsix for linux-x64 only, as make release builds it (every platform).
vsix: artifacts native-fixtures $(EDITORS_VSCODE)/node_modules/.editors-stamp
	VERSION=$(RELEASE_VERSION) bash .ci/release/build.sh linux/amd64

# The released linux-x64 .vsix in a real VS Code (code-server in headless
# Chromium, editors/vscode/e2e): first start on an empty user cache with its
# progress, ▶ Run fetch and its result, one notification for a failed run.
editors-vscode-e2e: release
	@echo "== editors: the .vsix in a real VS Code (code-server)"
	bash editors/vscode/e2e/run.sh dist/pyworkers-linux-x64-$(RELEASE_VERSION).vsix

editors-test: editors-nvim-test editors-helix-test editors-vscode-test editors-vscode-e2e
