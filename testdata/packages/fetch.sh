#!/usr/bin/env bash
# Fetches the pinned test packages (requirements.txt, with their sha256) from
# PyPI for Pyodide's platform and unpacks them into one site-packages tree, as
# `pywrangler sync` lays out python_modules/:
#
#   ${PYWORKERS_TEST_PACKAGES:-<repo>/.cache/test-packages}/site/   the unpacked wheels
#
# Idempotent: a stamp holding requirements.txt's checksum makes a second run
# exit at once. Needs python3 + pip (registry access on the first run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${PYWORKERS_TEST_PACKAGES:-$repo/.cache/test-packages}"
want="$(cat "$here/requirements.txt" "$0" | sha256sum | cut -d' ' -f1)"
if [ -f "$out/site/.complete" ] && [ "$(cat "$out/site/.complete")" = "$want" ]; then
  exit 0
fi
echo "fetch.sh: fetching test packages from PyPI into $out" >&2
rm -rf "$out/wheels.tmp" "$out/site.tmp"
mkdir -p "$out/wheels.tmp" "$out/site.tmp"
# --require-hashes fails on any wheel whose sha256 differs from the pin.
python3 -m pip download --quiet --no-deps --no-cache-dir --require-hashes --only-binary=:all: \
  --platform pyodide_2025_0_wasm32 --platform pyemscripten_2025_0_wasm32 --python-version 3.13 --implementation cp --abi cp313 \
  -r "$here/requirements.txt" -d "$out/wheels.tmp" >&2
for whl in "$out"/wheels.tmp/*.whl; do
  python3 -m zipfile -e "$whl" "$out/site.tmp"
done
# MarkupSafe (Jinja2's dependency) publishes no pure wheel, only an sdist and
# native wheels for CPython's usual platforms (Pyodide builds its own): its
# pure-Python package, which markupsafe uses whenever its C speedups are not
# built, comes from the sdist, pinned here.
markupsafe=markupsafe-3.0.4.tar.gz
curl -fsSL --retry 3 -o "$out/wheels.tmp/$markupsafe" \
  https://files.pythonhosted.org/packages/38/9b/e422a865e1d5d57d0e509b4e0bf1c1a70a7f6382c29a5aa428df994c8bc8/markupsafe-3.0.4.tar.gz
echo "2e9ad7dd851bf45fab9f75cbff4cb493fee9979e8d8c7c9c3ee119022518edd6  $out/wheels.tmp/$markupsafe" | sha256sum --quiet -c -
tar -xzf "$out/wheels.tmp/$markupsafe" -C "$out/wheels.tmp" markupsafe-3.0.4/src/markupsafe
mkdir -p "$out/site.tmp/markupsafe"
cp "$out"/wheels.tmp/markupsafe-3.0.4/src/markupsafe/*.py "$out/site.tmp/markupsafe/"
rm -rf "$out/wheels.tmp/markupsafe-3.0.4"
echo "$want" > "$out/site.tmp/.complete"
rm -rf "$out/site" "$out/wheels"
mv "$out/site.tmp" "$out/site"
mv "$out/wheels.tmp" "$out/wheels"
echo "fetch.sh: test packages ready in $out/site" >&2
