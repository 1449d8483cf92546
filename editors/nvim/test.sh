#!/usr/bin/env bash
# Headless Neovim test of the pyworkers-lsp configuration (test/headless.lua),
# once per Neovim given: each on its own copy of editors/testdata/run-worker.
#   PYWORKERS_BIN   server binary (default: <repo>/bin/pyworkers-lsp, built if missing)
#   NVIM            nvims to run, space-separated (default: nvim on PATH)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${PYWORKERS_BIN:-$repo/bin/pyworkers-lsp}"
if [ ! -x "$bin" ]; then
  if [ -n "${PYWORKERS_BIN:-}" ]; then
    echo "nvim test: PYWORKERS_BIN=$bin is not an executable" >&2
    exit 1
  fi
  echo "nvim test: building $bin"
  (cd "$repo" && go build -o "$bin" .)
fi
export PYWORKERS_BIN="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$here"
for nvim in ${NVIM:-nvim}; do
  if ! command -v "$nvim" >/dev/null; then
    echo "nvim test: $nvim not found (apt-get install neovim, or editors/fetch-editors.sh)" >&2
    exit 1
  fi
  echo "== $("$nvim" --version | head -1) ($nvim)"
  project="$work/$(basename "$(dirname "$nvim")")-$RANDOM/run-worker"
  mkdir -p "$(dirname "$project")"
  cp -r "$repo/editors/testdata/run-worker" "$project"
  # -u NONE: no user config or plugins; output goes to stdout via io.stdout.
  # A user's own state (XDG dirs) stays out of it.
  XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state" XDG_DATA_HOME="$work/data" \
    PYWORKERS_TEST_PROJECT="$project" \
    timeout 300 "$nvim" --headless -u NONE -i NONE -n -c "luafile test/headless.lua" </dev/null
done
