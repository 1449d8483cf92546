#!/usr/bin/env bash
# Builds the embedded runtime's artifacts: npm pyodide@0.28.2 translated to
# wasm exception references (exnref) by binaryen@132's wasm-opt, so that
# wazero can load it. Idempotent: a second run only re-checks a stamp file.
#
#   bash runtime/artifacts/build.sh            # build (or verify) the artifacts
#   PYWORKERS_ARTIFACTS=/some/dir bash ...     # choose the output directory
#
# Output (default ${XDG_CACHE_HOME:-$HOME/.cache}/pyworkers-lsp/pyodide-0.28.2):
#   pyodide.exnref.wasm  python_stdlib.zip  pyodide.asm.js  pyodide-lock.json  SHA256SUMS  .complete
# Needs: node + npm (registry access on the first run), sha256sum, tar.
set -euo pipefail

PYODIDE_VERSION=0.28.2
BINARYEN_VERSION=132.0.0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sums="$here/SHA256SUMS"
out="${PYWORKERS_ARTIFACTS:-${XDG_CACHE_HOME:-$HOME/.cache}/pyworkers-lsp/pyodide-$PYODIDE_VERSION}"
stamp="$out/.complete"

# Fast path: the stamp records the checksum list the artifacts were built from.
if [[ -f "$stamp" ]] && cmp -s "$stamp" "$sums"; then
  exit 0
fi

for tool in node npm sha256sum tar; do
  command -v "$tool" >/dev/null || { echo "build.sh: '$tool' is required" >&2; exit 1; }
done

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

mkdir -p "$out"
work="$(mktemp -d "$out/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

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
cp "$sums" "$out/SHA256SUMS"
cp "$sums" "$stamp"
echo "build.sh: artifacts ready in $out" >&2
