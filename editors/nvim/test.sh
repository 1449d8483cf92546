#!/usr/bin/env bash
# Headless Neovim test of the pyworkers-lsp configuration.
#   PYWORKERS_BIN   server binary (default: <repo>/bin/pyworkers-lsp, built if missing)
#   NVIM            nvim to run (default: nvim on PATH)
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
nvim="${NVIM:-nvim}"
if ! command -v "$nvim" >/dev/null; then
  echo "nvim test: $nvim not found (apt-get install neovim)" >&2
  exit 1
fi
export PYWORKERS_BIN="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
cd "$here"
# -u NONE: no user config or plugins; output goes to stdout via io.stdout.
timeout 120 "$nvim" --headless -u NONE -i NONE -n -c "luafile test/headless.lua" </dev/null
