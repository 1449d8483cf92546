#!/usr/bin/env bash
# Builds the embedded runtime's artifacts: npm pyodide@0.28.2 translated to
# wasm exception references (exnref) by binaryen@132's wasm-opt, so that
# wazero can load it; and fetches Cloudflare's workers-runtime-sdk 1.9.5 from
# PyPI, unpacked beside them, for the tests that run Workers against the real
# SDK. Idempotent: a second run only re-checks stamp files. Every download is
# checked against SHA256SUMS; a mismatch stops the build.
#
#   bash runtime/artifacts/build.sh            # build (or verify) the artifacts
#   PYWORKERS_ARTIFACTS=/some/dir bash ...     # choose the output directory
#
# Output (default ${XDG_CACHE_HOME:-$HOME/.cache}/pyworkers-lsp/pyodide-0.28.2):
#   pyodide.exnref.wasm  python_stdlib.zip  pyodide.asm.js  pyodide-lock.json  SHA256SUMS  .complete
#   workers-runtime-sdk-1.9.5/{workers/,...,.complete}   (the unpacked wheel)
# Needs: node + npm, python3 + pip (registry access on the first run),
# sha256sum, tar.
set -euo pipefail

PYODIDE_VERSION=0.28.2
BINARYEN_VERSION=132.0.0
SDK_VERSION=1.9.5
SDK_WHEEL="workers_runtime_sdk-$SDK_VERSION-py3-none-any.whl"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sums="$here/SHA256SUMS"
out="${PYWORKERS_ARTIFACTS:-${XDG_CACHE_HOME:-$HOME/.cache}/pyworkers-lsp/pyodide-$PYODIDE_VERSION}"
stamp="$out/.complete"
sdk_out="$out/workers-runtime-sdk-$SDK_VERSION"
sdk_stamp="$sdk_out/.complete"

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "build.sh: '$tool' is required" >&2; exit 1; }
  done
}

# check FILE: compares FILE's sha256 with the line recorded for its base name.
check() {
  local file="$1" name want got
  name="$(basename "$file")"
  want="$(awk -v n="$name" '$2 == n { print $1 }' "$sums")"
  [[ -n "$want" ]] || { echo "build.sh: no checksum recorded for $name" >&2; exit 1; }
  got="$(sha256sum "$file" | awk '{ print $1 }')"
  if [[ "$got" != "$want" ]]; then
    echo "build.sh: checksum mismatch for $name: got $got, want $want" >&2
    exit 1
  fi
}

# The Pyodide stamp records the checksum lines the interpreter was built from
# (the SDK's line is not among them: fetching the SDK never rebuilds Pyodide,
# and the runtime keys its snapshots on this stamp). The SDK's stamp holds its
# own line.
pyodide_sums() { grep -v "$SDK_WHEEL" "$sums"; }
pyodide_ready() { [[ -f "$stamp" ]] && cmp -s "$stamp" <(pyodide_sums); }
sdk_ready() { [[ -f "$sdk_stamp" ]] && [[ "$(cat "$sdk_stamp")" == "$(grep "$SDK_WHEEL" "$sums")" ]]; }

# Fast path: nothing to do.
if pyodide_ready && sdk_ready; then
  exit 0
fi

mkdir -p "$out"
work="$(mktemp -d "$out/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

build_pyodide() {
  if pyodide_ready; then
    return
  fi
  need node npm sha256sum tar

  echo "build.sh: fetching pyodide@$PYODIDE_VERSION and binaryen@$BINARYEN_VERSION from npm" >&2
  (cd "$work" && npm pack --silent "pyodide@$PYODIDE_VERSION" "binaryen@$BINARYEN_VERSION" >/dev/null)
  check "$work/pyodide-$PYODIDE_VERSION.tgz"
  check "$work/binaryen-$BINARYEN_VERSION.tgz"

  mkdir -p "$work/pyodide" "$work/binaryen"
  tar xzf "$work/pyodide-$PYODIDE_VERSION.tgz" -C "$work/pyodide"
  tar xzf "$work/binaryen-$BINARYEN_VERSION.tgz" -C "$work/binaryen"
  pkg="$work/pyodide/package"
  for f in pyodide.asm.wasm python_stdlib.zip pyodide.asm.js pyodide-lock.json; do
    check "$pkg/$f"
  done

  echo "build.sh: translating pyodide.asm.wasm to exnref (wasm-opt, ~10 s)" >&2
  # --all-features would emit an import encoding wazero cannot read: list them.
  node "$work/binaryen/package/bin/wasm-opt" --translate-to-exnref \
    --enable-exception-handling --enable-bulk-memory --enable-sign-ext \
    --enable-mutable-globals --enable-nontrapping-float-to-int \
    --enable-reference-types --enable-multivalue --enable-simd --enable-tail-call \
    "$pkg/pyodide.asm.wasm" -o "$work/pyodide.exnref.wasm"
  check "$work/pyodide.exnref.wasm"

  for f in python_stdlib.zip pyodide.asm.js pyodide-lock.json; do
    mv "$pkg/$f" "$out/$f"
  done
  mv "$work/pyodide.exnref.wasm" "$out/pyodide.exnref.wasm"
  pyodide_sums >"$out/SHA256SUMS"
  pyodide_sums >"$stamp"
  echo "build.sh: artifacts ready in $out" >&2
}

# The SDK: the wheel as PyPI serves it, unpacked as it is (pywrangler vendors
# its `workers` package into python_modules/).
fetch_sdk() {
  if sdk_ready; then
    return
  fi
  need python3 sha256sum
  echo "build.sh: fetching workers-runtime-sdk==$SDK_VERSION from PyPI" >&2
  python3 -m pip download --quiet --no-deps --no-cache-dir --only-binary=:all: \
    -d "$work/sdk" "workers-runtime-sdk==$SDK_VERSION" >&2
  check "$work/sdk/$SDK_WHEEL"
  rm -rf "$sdk_out" "$work/sdk-unpacked"
  python3 -m zipfile -e "$work/sdk/$SDK_WHEEL" "$work/sdk-unpacked"
  [[ -f "$work/sdk-unpacked/workers/__init__.py" ]] || { echo "build.sh: $SDK_WHEEL has no workers/__init__.py" >&2; exit 1; }
  grep "$SDK_WHEEL" "$sums" >"$work/sdk-unpacked/.complete"
  mv "$work/sdk-unpacked" "$sdk_out"
  echo "build.sh: workers-runtime-sdk $SDK_VERSION ready in $sdk_out" >&2
}

build_pyodide
fetch_sdk
