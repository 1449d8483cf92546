#!/usr/bin/env bash
# Packs the runtime's artifacts directory (runtime/artifacts/build.sh's
# output) into the tar.gz a release binary embeds (build tag
# pyworkers_bundle): the translated interpreter, the stdlib, the loader,
# pyodide-lock.json, the checksums, the pinned workers-runtime-sdk and the
# CPython modules built from source (cpython-modules/: sqlite3, ...).
# Deterministic: sorted names, zero times and owners, gzip without a name.
#
#   bundle.sh OUT.tar.gz
set -euo pipefail
out="$1"
src="${PYWORKERS_ARTIFACTS:-${XDG_CACHE_HOME:-$HOME/.cache}/pyworkers-lsp/pyodide-0.28.2}"
sdk=workers-runtime-sdk-1.9.5
for f in .complete SHA256SUMS pyodide.exnref.wasm python_stdlib.zip pyodide.asm.js pyodide-lock.json "$sdk/.complete" cpython-modules/.complete; do
  [[ -f "$src/$f" ]] || { echo "bundle.sh: $src/$f is missing: run \`make artifacts\` first" >&2; exit 1; }
done
# Each file must still match the checksum the artifacts build recorded.
(cd "$src" && sha256sum --quiet -c <(grep -E ' (pyodide\.exnref\.wasm|python_stdlib\.zip|pyodide\.asm\.js|pyodide-lock\.json)$' SHA256SUMS))
(cd "$src/cpython-modules" && sha256sum --quiet -c SHA256SUMS)
tmp="$out.tmp"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --exclude='__pycache__' \
  -C "$src" -cf - .complete SHA256SUMS pyodide.exnref.wasm python_stdlib.zip pyodide.asm.js pyodide-lock.json "$sdk" cpython-modules \
  | gzip -9n >"$tmp"
mv "$tmp" "$out"
echo "bundle.sh: $(du -h "$out" | cut -f1) runtime bundle in $out" >&2
