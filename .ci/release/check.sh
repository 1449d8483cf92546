#!/usr/bin/env bash
# make release-check: fetches what running the foreign binaries needs and
# runs release_test.go (build tag releasecheck) against dist/.
#
#   qemu-user: Debian's qemu-user-static, pinned by version and sha256,
#              unpacked into .cache/release (nothing installed system-wide);
#   Wine:      Debian's wine64, pinned by version (apt checks its signature),
#              installed with apt when missing and root; its own prefix in
#              .cache/release/wine, with the bcryptprimitives.dll stand-in
#              that Wine 8 lacks (wine/bcryptprimitives.c, built by Zig).
set -euo pipefail
cd "$(dirname "$0")/../.."
cache="$PWD/.cache/release"
mkdir -p "$cache"
ZIG="${ZIG:-$PWD/.cache/toolchain/ziglang/zig}"

QEMU_VERSION='1:7.2+dfsg-7+deb12u18+b3'
QEMU_SHA256=c3e3ba2bd87f8c5b9a5da5ef21b5a3b82d7c63b89dd448d9ddaa4eabc5b6e402
WINE_VERSION='8.0~repack-4'

qemu="$cache/qemu/usr/bin/qemu-aarch64-static"
if [[ ! -x "$qemu" ]]; then
  echo "release-check: fetching qemu-user-static $QEMU_VERSION (Debian)" >&2
  rm -rf "$cache/qemu" "$cache/qemu.tmp"
  mkdir -p "$cache/qemu.tmp"
  (cd "$cache/qemu.tmp" && apt-get download "qemu-user-static=$QEMU_VERSION" >/dev/null 2>&1) || {
    (apt-get update -qq >/dev/null 2>&1 || true)
    (cd "$cache/qemu.tmp" && apt-get download "qemu-user-static=$QEMU_VERSION" >/dev/null)
  }
  deb="$(ls "$cache"/qemu.tmp/qemu-user-static_*.deb)"
  echo "$QEMU_SHA256  $deb" | sha256sum --quiet -c
  dpkg -x "$deb" "$cache/qemu"
  rm -rf "$cache/qemu.tmp"
fi

if ! command -v wine >/dev/null 2>&1; then
  if [[ "$(id -u)" = 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "release-check: installing wine $WINE_VERSION (apt)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "wine=$WINE_VERSION" "wine64=$WINE_VERSION" >/dev/null 2>&1 || {
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends "wine=$WINE_VERSION" "wine64=$WINE_VERSION" >/dev/null
    }
  else
    echo "release-check: wine is missing; install it (apt-get install wine wine64)" >&2
    exit 1
  fi
fi
export WINEPREFIX="$cache/wine" WINEDEBUG=-all
dll="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
if [[ ! -f "$dll" ]]; then
  echo "release-check: creating the Wine prefix" >&2
  wineboot --init >/dev/null 2>&1 || wine cmd /c exit >/dev/null 2>&1 || true
  [[ -d "$WINEPREFIX/drive_c/windows/system32" ]] || { echo "release-check: wineboot made no prefix" >&2; exit 1; }
  "$ZIG" cc -target x86_64-windows-gnu -shared -O2 -o "$dll" .ci/release/wine/bcryptprimitives.c -ladvapi32
fi

# One wineserver for the whole check, started here: a wineserver that a
# test's Wine process starts inherits that process's stderr, and the test's
# wait for the process would then last as long as the wineserver does.
# A wineserver left by wineboot --init above would make `wineserver -p` exit
# with status 2 ("already running"): stop it and wait for it first.
wineserver -k </dev/null >/dev/null 2>&1 || true
wineserver -w </dev/null >/dev/null 2>&1 || true
wineserver -p </dev/null >/dev/null 2>&1 || { echo "release-check: could not start a persistent wineserver (status $?)" >&2; exit 1; }
# Wine's helper processes (services.exe, winedevice.exe, …) too: started by a
# test's first Wine process they would hold its pipes open in the same way.
wineboot </dev/null >/dev/null 2>&1 || true
trap 'wineserver -k 2>/dev/null || true' EXIT

export PYWORKERS_DIST="$PWD/${DIST:-dist}" PYWORKERS_RELEASE_VERSION="${VERSION:?VERSION is required}" PYWORKERS_QEMU_AARCH64="$qemu"
# The fresh-machine test must not find the developer's caches.
unset PYWORKERS_CACHE_DIR PYWORKERS_ARTIFACTS PYWORKERS_COMPILE_CACHE
go test -tags releasecheck -count=1 -timeout 20m -run '^TestRelease' -v . 2>&1 | grep -v '^=== \(RUN\|PAUSE\|CONT\)'
rc="${PIPESTATUS[0]}"
exit "$rc"
