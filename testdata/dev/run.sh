#!/usr/bin/env bash
# Runs the dev-server suite (test_dev.py) against the built binary: fetches
# the pinned pytest (requirements.txt, sha256-checked) into
# <repo>/.cache/devtest/site once, then runs pytest with the pinned `requests`
# of the test packages. Needs python3 + pip; `make dev-test` calls it after
# building the binary, the runtime and the test packages.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/.cache/devtest"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if ! { [ -f "$out/site/.complete" ] && [ "$(cat "$out/site/.complete")" = "$want" ]; }; then
  echo "run.sh: fetching pytest from PyPI into $out" >&2
  rm -rf "$out/wheels.tmp" "$out/site.tmp"
  mkdir -p "$out/wheels.tmp" "$out/site.tmp"
  python3 -m pip download --quiet --no-deps --no-cache-dir --require-hashes --only-binary=:all: --platform any \
    -r "$here/requirements.txt" -d "$out/wheels.tmp" >&2
  for whl in "$out"/wheels.tmp/*.whl; do
    python3 -m zipfile -e "$whl" "$out/site.tmp"
  done
  echo "$want" > "$out/site.tmp/.complete"
  rm -rf "$out/site" "$out/wheels.tmp"
  mv "$out/site.tmp" "$out/site"
fi
packages="${PYWORKERS_TEST_PACKAGES:-$repo/.cache/test-packages}/site"
if [ ! -f "$packages/.complete" ]; then
  echo "run.sh: the test packages are missing: run 'make test-packages' first" >&2
  exit 1
fi
export PYWORKERS_BIN="${PYWORKERS_BIN:-$repo/bin/pyworkers-lsp}"
export PYTHONPATH="$out/site:$packages"
export PYTHONDONTWRITEBYTECODE=1
cd "$here"
exec python3 -m pytest -p no:cacheprovider -q "$@" test_dev.py
