#!/usr/bin/env bash
# Installs the servers the benchmark driver compares against: pyright (npm)
# into .cache/bench and pylsp (Debian python3-pylsp), and wrk (Debian) for
# the dev server's load test. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PYRIGHT_VERSION=1.1.414
if [[ ! -x .cache/bench/node_modules/.bin/pyright-langserver ]]; then
  npm install --prefix .cache/bench --no-audit --no-fund --no-save "pyright@$PYRIGHT_VERSION" >/dev/null
fi
if ! command -v pylsp >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    (apt-get install -y python3-pylsp >/dev/null 2>&1) || (apt-get update >/dev/null && apt-get install -y python3-pylsp >/dev/null)
  else
    echo "bench/setup.sh: pylsp missing; run: sudo apt-get install python3-pylsp" >&2
  fi
fi
# wrk (Debian) drives the dev server's load benchmark (bench/devbench).
if ! command -v wrk >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    (apt-get install -y wrk >/dev/null 2>&1) || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null)
  else
    echo "bench/setup.sh: wrk missing; run: sudo apt-get install wrk" >&2
  fi
fi
