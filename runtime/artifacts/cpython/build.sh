#!/usr/bin/env bash
# Builds the parts of CPython's standard library that Pyodide ships apart
# (pyodide-lock.json's cpython_module packages) from their own sources, as
# Emscripten side modules for Pyodide 0.28.2's CPython 3.13, so that a Worker
# importing them runs offline and without Pyodide's CDN (which Cloudflare's
# runtime does not need either: it carries these modules).
#
#   sqlite3     CPython 3.13.5's Modules/_sqlite + Lib/sqlite3, SQLite's
#               amalgamation (the copy in npm better-sqlite3) linked in
#   ssl         Modules/_ssl.c + Lib/ssl.py, OpenSSL 3.0 (libssl, libcrypto)
#               linked in: Pyodide's lock makes ssl depend on its libopenssl
#               package, which a static link makes unnecessary
#   hashlib     Modules/_hashopenssl.c (_hashlib), libcrypto linked in
#   lzma        Modules/_lzmamodule.c + Lib/lzma.py, xz 5.8.1's liblzma linked in
#               (its configuration: liblzma-config.h)
#   pydecimal   Lib/_pydecimal.py;  pydoc-data  Lib/pydoc_data
#
# Sources, each checked against SHA256SUMS and kept in .cache/downloads:
# Debian's CPython 3.13.5, OpenSSL 3.0.20 and xz-utils 5.8.1 source tarballs, Debian's
# emscripten 3.1.69 package (only its libc headers: the interpreter's libc is
# Emscripten's musl), npm better-sqlite3. Compiler: clang 19 + wasm-ld from the pinned ziglang wheel
# (../toolchain.txt). pyconfig.h is written from the sysconfig data of
# Pyodide's own python_stdlib.zip (pyconfig.py): the interpreter's exact
# configuration. Needs the runtime artifacts (runtime/artifacts/build.sh) first.
#
# Output (default: the runtime artifacts folder, as runtime/artifacts/build.sh):
#   cpython-modules/<the lock's file_name>   a wheel laid out as Pyodide's
#   cpython-modules/SHA256SUMS               their checksums (the runtime checks them)
#   cpython-modules/.complete                the inputs' checksum (a second run exits at once)
# and, for the tests, CPython's own test suites of these modules:
#   ${PYWORKERS_CPYTHON_TESTS:-<repo>/.cache/cpython-tests}/test/{support,test_sqlite3}
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
artifacts="${PYWORKERS_ARTIFACTS:-${XDG_CACHE_HOME:-$HOME/.cache}/pyworkers-lsp/pyodide-0.28.2}"
out="$artifacts/cpython-modules"
tests="${PYWORKERS_CPYTHON_TESTS:-$repo/.cache/cpython-tests}"
downloads="$repo/.cache/downloads"
[ -f "$artifacts/.complete" ] || { echo "cpython/build.sh: no runtime artifacts in $artifacts: run runtime/artifacts/build.sh first" >&2; exit 1; }
want="$(cat "$here"/SHA256SUMS "$here"/pyconfig.py "$here"/liblzma-config.h "$0" "$here"/../toolchain.txt "$artifacts/.complete" | sha256sum | cut -d' ' -f1)"
if [ -f "$out/.complete" ] && [ "$(cat "$out/.complete")" = "$want" ] && [ -f "$tests/.complete" ] && [ "$(cat "$tests/.complete")" = "$want" ]; then
  exit 0
fi
. "$here/../zig.sh"
ensure_zig "${PYWORKERS_TOOLCHAIN:-$repo/.cache/toolchain}"

# fetch NAME URL: into .cache/downloads, checked against SHA256SUMS.
fetch() {
  local name="$1" url="$2" sum
  sum="$(awk -v n="$name" '$2 == n { print $1 }' "$here/SHA256SUMS")"
  [ -n "$sum" ] || { echo "cpython/build.sh: no checksum for $name" >&2; exit 1; }
  mkdir -p "$downloads"
  if [ ! -f "$downloads/$name" ] || [ "$(sha256sum "$downloads/$name" | cut -d' ' -f1)" != "$sum" ]; then
    echo "cpython/build.sh: fetching $name" >&2
    curl -fsSL --retry 3 -o "$downloads/$name.tmp" "$url"
    if [ "$(sha256sum "$downloads/$name.tmp" | cut -d' ' -f1)" != "$sum" ]; then
      echo "cpython/build.sh: checksum mismatch for $name" >&2
      rm -f "$downloads/$name.tmp"
      exit 1
    fi
    mv "$downloads/$name.tmp" "$downloads/$name"
  fi
}
fetch emscripten_3.1.69+dfsg-3_all.deb https://deb.debian.org/debian/pool/main/e/emscripten/emscripten_3.1.69+dfsg-3_all.deb
fetch python3.13_3.13.5.orig.tar.xz https://deb.debian.org/debian/pool/main/p/python3.13/python3.13_3.13.5.orig.tar.xz
fetch better-sqlite3-12.5.0.tgz https://registry.npmjs.org/better-sqlite3/-/better-sqlite3-12.5.0.tgz
fetch openssl_3.0.20.orig.tar.gz https://deb.debian.org/debian/pool/main/o/openssl/openssl_3.0.20.orig.tar.gz
fetch xz-utils_5.8.1.orig.tar.xz https://deb.debian.org/debian/pool/main/x/xz-utils/xz-utils_5.8.1.orig.tar.xz

work="$(mktemp -d "${TMPDIR:-/tmp}/pyworkers-cpython.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "cpython/build.sh: unpacking sources" >&2
dpkg-deb --fsys-tarfile "$downloads/emscripten_3.1.69+dfsg-3_all.deb" |
  tar -x -C "$work" --wildcards './usr/share/emscripten/cache/sysroot/include/*'
sysroot="$work/usr/share/emscripten/cache/sysroot"
tar -xJf "$downloads/python3.13_3.13.5.orig.tar.xz" -C "$work" \
  Python-3.13.5/Include Python-3.13.5/Modules/_sqlite Python-3.13.5/Lib/sqlite3 \
  Python-3.13.5/Lib/test/__init__.py Python-3.13.5/Lib/test/support Python-3.13.5/Lib/test/test_sqlite3 \
  Python-3.13.5/Modules/_ssl.c Python-3.13.5/Modules/_ssl.h Python-3.13.5/Modules/_ssl Python-3.13.5/Modules/_ssl_data_300.h \
  Python-3.13.5/Modules/_ssl_data_31.h Python-3.13.5/Modules/_ssl_data_111.h Python-3.13.5/Modules/_hashopenssl.c \
  Python-3.13.5/Modules/hashlib.h Python-3.13.5/Modules/clinic/_ssl.c.h Python-3.13.5/Modules/clinic/_hashopenssl.c.h \
  Python-3.13.5/Modules/socketmodule.h Python-3.13.5/Modules/_lzmamodule.c Python-3.13.5/Modules/clinic/_lzmamodule.c.h \
  Python-3.13.5/Lib/lzma.py Python-3.13.5/Lib/ssl.py Python-3.13.5/Lib/_pydecimal.py Python-3.13.5/Lib/pydoc_data \
  Python-3.13.5/LICENSE Python-3.13.5/pyconfig.h.in
py="$work/Python-3.13.5"
mkdir -p "$work/config"
python3 "$here/pyconfig.py" "$artifacts/python_stdlib.zip" "$py/pyconfig.h.in" >"$work/config/pyconfig.h"
tar -xzf "$downloads/better-sqlite3-12.5.0.tgz" -C "$work" package/deps/sqlite3
sqlite="$work/package/deps/sqlite3"

# Clang's own headers (stdatomic.h, stdarg.h, ...) come from Zig's copy, as
# emcc takes them from its LLVM's resource directory; libc's from Emscripten.
cc() {
  "$zig" clang --target=wasm32-unknown-emscripten -resource-dir "$(dirname "$zig")/lib" --sysroot="$sysroot" \
    -isystem "$sysroot/include/compat" -fPIC -O2 -fvisibility=hidden -DNDEBUG -c "$@"
}
# Symbols of the interpreter (CPython, libc) stay imports, resolved at load time.
ld() { "$zig" wasm-ld -shared --experimental-pic --unresolved-symbols=import-dynamic "$@"; }
ext=cpython-313-wasm32-emscripten.so
mkdir -p "$work/obj" "$work/wheels"

# wheel NAME VERSION DIR: a deterministic wheel of DIR's files, named as the lock names it.
wheel() {
  python3 - "$1" "$2" "$3" "$work/wheels" <<'PY'
import os, sys, zipfile
name, version, src, dst = sys.argv[1:]
dist = f"{name}-{version}.dist-info"
files = {}
for root, _, names in os.walk(src):
    for n in names:
        p = os.path.join(root, n)
        files[os.path.relpath(p, src)] = open(p, "rb").read()
files[f"{dist}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: CPython 3.13.5's {name} module, built by pyworkers-lsp for Pyodide 0.28.2\n".encode()
files[f"{dist}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: pyworkers-lsp\nRoot-Is-Purelib: false\nTag: cp313-cp313-pyodide_2025_0_wasm32\n"
files[f"{dist}/RECORD"] = "".join(f"{n},,\n" for n in sorted(files) + [f"{dist}/RECORD"]).encode()
out = os.path.join(dst, f"{name}-{version}-cp313-cp313-pyodide_2025_0_wasm32.whl")
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for n in sorted(files):
        info = zipfile.ZipInfo(n, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, files[n])
PY
}

echo "cpython/build.sh: compiling sqlite3 (SQLite $(sed -n 's/^#define SQLITE_VERSION *"\(.*\)"/\1/p' "$sqlite/sqlite3.h"), ~40 s)" >&2
# No threads in Pyodide; no loadable extensions (no dlopen of SQLite
# extensions from a Worker); FTS5 and the math functions as CPython's
# usual builds have them.
cc -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_MATH_FUNCTIONS \
  "$sqlite/sqlite3.c" -o "$work/obj/sqlite3.o"
for f in "$py"/Modules/_sqlite/*.c; do
  cc -DPy_BUILD_CORE_MODULE -I"$work/config" -I"$py/Include" -I"$py/Include/internal" -I"$sqlite" \
    -Wno-tautological-constant-out-of-range-compare "$f" -o "$work/obj/_sqlite_$(basename "$f" .c).o"
done
mkdir -p "$work/pkg/sqlite3"
ld "$work"/obj/_sqlite_*.o "$work/obj/sqlite3.o" -o "$work/pkg/sqlite3/_sqlite3.$ext"
cp "$py"/Lib/sqlite3/*.py "$work/pkg/sqlite3/"
mv "$work/pkg/sqlite3/_sqlite3.$ext" "$work/pkg/_sqlite3.$ext"
wheel sqlite3 1.0.0 "$work/pkg"

echo "cpython/build.sh: compiling OpenSSL 3.0.20 (libssl, libcrypto; ~1 min)" >&2
tar -xzf "$downloads/openssl_3.0.20.orig.tar.gz" -C "$work"
ossl="$work/openssl-3.0.20"
mkdir -p "$work/bin"
# OpenSSL's build calls the compiler by one name: wrappers around cc() and Zig's ar.
printf '#!/bin/sh\nexec "%s" clang --target=wasm32-unknown-emscripten -resource-dir "%s" --sysroot="%s" -isystem "%s" -fPIC "$@"\n' \
  "$zig" "$(dirname "$zig")/lib" "$sysroot" "$sysroot/include/compat" >"$work/bin/cc"
printf '#!/bin/sh\nexec "%s" ar "$@"\n' "$zig" >"$work/bin/ar"
printf '#!/bin/sh\nexec "%s" ranlib "$@"\n' "$zig" >"$work/bin/ranlib"
chmod +x "$work"/bin/*
# Threads on (CPython requires OPENSSL_THREADS) but without -pthread: the
# interpreter has no threads and no shared-memory atomics, and Emscripten's
# libc answers the pthread calls. No assembly, engines, dlopen or async jobs.
(cd "$ossl" && CC="$work/bin/cc" AR="$work/bin/ar" RANLIB="$work/bin/ranlib" ./Configure linux-generic32 \
  no-asm no-shared no-dso no-engine no-afalgeng no-async no-tests no-ui-console no-secure-memory \
  --prefix=/usr --openssldir=/etc/ssl -O2 -fvisibility=hidden >"$work/openssl-configure.log" 2>&1 &&
  make -j"$(nproc)" build_libs CNF_CFLAGS= CNF_CXXFLAGS= CNF_EX_LIBS= >"$work/openssl-make.log" 2>&1) || {
  tail -30 "$work"/openssl-*.log >&2
  echo "cpython/build.sh: building OpenSSL failed" >&2
  exit 1
}
for m in _ssl _hashopenssl; do
  cc -DPy_BUILD_CORE_MODULE -I"$work/config" -I"$py/Include" -I"$py/Include/internal" -I"$ossl/include" \
    "$py/Modules/$m.c" -o "$work/obj/$m.o"
done
mkdir -p "$work/ssl" "$work/hashlib"
ld "$work/obj/_ssl.o" "$ossl/libssl.a" "$ossl/libcrypto.a" -o "$work/ssl/_ssl.$ext"
cp "$py/Lib/ssl.py" "$work/ssl/"
wheel ssl 1.0.0 "$work/ssl"
ld "$work/obj/_hashopenssl.o" "$ossl/libcrypto.a" -o "$work/hashlib/_hashlib.$ext"
wheel hashlib 1.0.0 "$work/hashlib"

echo "cpython/build.sh: compiling lzma (xz 5.8.1's liblzma)" >&2
tar -xJf "$downloads/xz-utils_5.8.1.orig.tar.xz" -C "$work" xz-5.8.1/src/liblzma xz-5.8.1/src/common
lz="$work/xz-5.8.1/src/liblzma"
mkdir -p "$work/lzma" "$work/obj/liblzma" "$work/lzconfig"
cp "$here/liblzma-config.h" "$work/lzconfig/config.h"
for f in "$lz"/common/*.c "$lz"/check/crc32_fast.c "$lz"/check/crc64_fast.c "$lz"/check/check.c "$lz"/check/sha256.c \
  "$lz"/lz/*.c "$lz"/lzma/*.c "$lz"/rangecoder/price_table.c "$lz"/delta/*.c "$lz"/simple/*.c "$lz"/../common/tuklib_physmem.c; do
  case "$f" in *_mt.c | */outqueue.c | *_tablegen.c | */hardware_cputhreads.c) continue ;; esac # threads, generators
  o="$work/obj/liblzma/$(basename "$(dirname "$f")")_$(basename "$f" .c).o"
  cc -DHAVE_CONFIG_H -I"$work/lzconfig" -I"$lz/api" -I"$lz/common" -I"$lz/check" -I"$lz/lz" -I"$lz/lzma" \
    -I"$lz/rangecoder" -I"$lz/delta" -I"$lz/simple" -I"$lz/../common" "$f" -o "$o"
done
cc -DPy_BUILD_CORE_MODULE -I"$work/config" -I"$py/Include" -I"$py/Include/internal" -I"$lz/api" \
  "$py/Modules/_lzmamodule.c" -o "$work/obj/_lzma.o"
ld "$work/obj/_lzma.o" "$work"/obj/liblzma/*.o -o "$work/lzma/_lzma.$ext"
cp "$py/Lib/lzma.py" "$work/lzma/"
wheel lzma 1.0.0 "$work/lzma"

mkdir -p "$work/pydecimal" "$work/pydoc_data"
cp "$py/Lib/_pydecimal.py" "$work/pydecimal/"
wheel pydecimal 1.0.0 "$work/pydecimal"
cp -r "$py/Lib/pydoc_data" "$work/pydoc_data/"
wheel pydoc_data 1.0.0 "$work/pydoc_data"

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
mv "$work"/wheels/*.whl "$out.tmp/"
(cd "$out.tmp" && sha256sum -- *.whl >SHA256SUMS)
echo "$want" >"$out.tmp/.complete"
rm -rf "$out"
mv "$out.tmp" "$out"

rm -rf "$tests"
mkdir -p "$tests/test"
cp "$py/Lib/test/__init__.py" "$tests/test/"
cp -r "$py/Lib/test/support" "$py/Lib/test/test_sqlite3" "$tests/test/"
cp "$py/LICENSE" "$tests/LICENSE-CPython"
echo "$want" >"$tests/.complete"
echo "cpython/build.sh: $(ls "$out"/*.whl | wc -l) module(s) ready in $out" >&2
