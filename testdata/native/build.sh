#!/usr/bin/env bash
# Builds the native test modules (Emscripten side modules for Pyodide 0.28's
# CPython 3.13 ABI) with a real toolchain: clang --target=wasm32-unknown-emscripten
# -fPIC, linked by wasm-ld -shared --experimental-pic, both from the pinned
# ziglang wheel (runtime/artifacts/toolchain.txt). Output, laid out as a Worker's python_modules/:
#
#   ${PYWORKERS_NATIVE_FIXTURES:-<repo>/.cache/native}/site/
#     dlfix.cpython-313-wasm32-emscripten.so   needs libdlhelper.so (RPATH $ORIGIN/dlfix.libs)
#     dlfix.libs/libdlhelper.so
#     dlmissing.cpython-313-wasm32-emscripten.so   imports an undefined function
#     dlctorfail.cpython-313-wasm32-emscripten.so  its constructor traps
#
# Idempotent: a stamp of the sources' checksum makes a second run exit at once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${PYWORKERS_NATIVE_FIXTURES:-$repo/.cache/native}"
want="$(cat "$repo"/runtime/artifacts/toolchain.txt "$repo"/runtime/artifacts/zig.sh "$here"/*.c "$here"/*.h "$here"/*.py "$0" | sha256sum | cut -d' ' -f1)"
if [ -f "$out/site/.complete" ] && [ "$(cat "$out/site/.complete")" = "$want" ]; then
  exit 0
fi
. "$repo/runtime/artifacts/zig.sh"
ensure_zig "${PYWORKERS_TOOLCHAIN:-$repo/.cache/toolchain}"
rm -rf "$out/site.tmp" "$out/obj"
mkdir -p "$out/site.tmp/dlfix.libs" "$out/obj"
cc() { "$zig" clang --target=wasm32-unknown-emscripten -fPIC -O2 -fvisibility=hidden -Wall -Werror -c "$@"; }
# Symbols of the interpreter stay imports, resolved at load time.
ld() { "$zig" wasm-ld -shared --experimental-pic --unresolved-symbols=import-dynamic "$@"; }
ext=cpython-313-wasm32-emscripten.so
cc "$here/dlhelper.c" -o "$out/obj/dlhelper.o"
ld "$out/obj/dlhelper.o" -o "$out/site.tmp/dlfix.libs/libdlhelper.so"
cc -I"$here" "$here/dlfix.c" -o "$out/obj/dlfix.o"
ld "$out/obj/dlfix.o" "$out/site.tmp/dlfix.libs/libdlhelper.so" -o "$out/site.tmp/dlfix.$ext"
python3 "$here/add_rpath.py" "$out/site.tmp/dlfix.$ext" '$ORIGIN/dlfix.libs'
cc -I"$here" "$here/dlmissing.c" -o "$out/obj/dlmissing.o"
ld "$out/obj/dlmissing.o" -o "$out/site.tmp/dlmissing.$ext"
cc -I"$here" "$here/dlctorfail.c" -o "$out/obj/dlctorfail.o"
ld "$out/obj/dlctorfail.o" -o "$out/site.tmp/dlctorfail.$ext"
echo "$want" > "$out/site.tmp/.complete"
rm -rf "$out/site"
mv "$out/site.tmp" "$out/site"
echo "native/build.sh: native test modules ready in $out/site" >&2
