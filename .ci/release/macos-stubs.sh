#!/usr/bin/env bash
# Writes the link stubs a macOS build needs and Zig does not ship: text-based
# (.tbd) descriptions of CoreFoundation, Security and libresolv that list only
# the symbols this binary imports from them, under their real install names,
# so that Zig's linker can record the right LC_LOAD_DYLIB entries and two-level
# bindings without Apple's SDK. The symbols are read from the objects Go hands
# to the external linker (-tmpdir, with `true` as the linker), so they follow
# the Go release in use; a symbol from an unknown library stops the build.
#
#   macos-stubs.sh GOARCH OUT_DIR      (run from the repository root)
set -euo pipefail
arch="$1" out="$2"
zig="${ZIG:?ZIG must point at the zig binary}"
case "$arch" in
  arm64) triple=aarch64-macos tbd_target=arm64-macos ;;
  amd64) triple=x86_64-macos tbd_target=x86_64-macos ;;
  *) echo "macos-stubs.sh: unknown GOARCH $arch" >&2; exit 1 ;;
esac
objs="$(mktemp -d)"
trap 'rm -rf "$objs"' EXIT
# The link "fails" after `true` returns (no a.out to stamp); the objects stay.
CGO_ENABLED=1 GOOS=darwin GOARCH="$arch" CC="$zig cc -target $triple" \
  go build ${GOFLAGS_RELEASE:-} -ldflags "-linkmode external -extld /bin/true -tmpdir $objs" -o "$objs/a.out" . >"$objs/build.log" 2>&1 || true
if [[ ! -f "$objs/go.o" ]]; then
  echo "macos-stubs.sh: go did not leave its objects in $objs:" >&2
  cat "$objs/build.log" >&2
  exit 1
fi
# An object without symbols makes nm fail ("no symbols"): nothing to read there.
nm_all() { for f in "$objs"/*.o; do go tool nm "$f" 2>/dev/null || true; done; }
nm_all | awk 'NF==2 && $1=="U" { print $2 }' | sort -u >"$objs/undefined"
nm_all | awk 'NF==3 && $2!="U" { print $3 }' | sort -u >"$objs/defined"
grep -o '_[A-Za-z0-9_$]*' "$(dirname "$zig")/lib/libc/darwin/libSystem.tbd" | sort -u >"$objs/libsystem"
comm -23 "$objs/undefined" "$objs/defined" | comm -23 - "$objs/libsystem" >"$objs/foreign"

rm -rf "$out"
mkdir -p "$out/Frameworks" "$out/lib"
# stub FILE INSTALL_NAME PATTERN: a .tbd exporting the foreign symbols matching PATTERN.
stub() {
  local file="$1" name="$2" pattern="$3" syms
  syms="$(grep -E "$pattern" "$objs/foreign" | sed "s/.*/'&'/" | paste -sd, - || true)"
  mkdir -p "$(dirname "$file")"
  cat >"$file" <<TBD
--- !tapi-tbd
tbd-version:     4
targets:         [ $tbd_target ]
install-name:    '$name'
exports:
  - targets:         [ $tbd_target ]
    symbols:         [ $syms ]
...
TBD
}
stub "$out/Frameworks/CoreFoundation.framework/CoreFoundation.tbd" \
  /System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation '^_k?CF'
stub "$out/Frameworks/Security.framework/Security.tbd" \
  /System/Library/Frameworks/Security.framework/Versions/A/Security '^_k?Sec'
stub "$out/lib/libresolv.tbd" /usr/lib/libresolv.9.dylib '^_res_'
unknown="$(grep -vE '^_k?CF|^_k?Sec|^_res_' "$objs/foreign" || true)"
if [[ -n "$unknown" ]]; then
  echo "macos-stubs.sh: symbols from an unknown macOS library:" >&2
  echo "$unknown" >&2
  exit 1
fi
echo "macos-stubs.sh: $(wc -l <"$objs/foreign") imported symbols stubbed in $out" >&2
