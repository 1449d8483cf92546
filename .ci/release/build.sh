#!/usr/bin/env bash
# make release: the language server for every platform, each binary carrying
# the Python runtime (build tag pyworkers_bundle), cross-compiled with Zig's C
# compiler (the pinned ziglang wheel, fetched by testdata/native/build.sh) for
# tree-sitter's cgo. Writes to dist/:
#
#   pyworkers-lsp_<version>_<os>_<arch>.tar.gz   (.zip for windows)
#   pyworkers-<vscode-target>-<version>.vsix      one per platform
#   SHA256SUMS
#
# Linux binaries are static (musl), so they run on any distribution. macOS
# links against stubs of the three system libraries Go imports
# (macos-stubs.sh), since Apple's SDK cannot be installed here.
#
#   VERSION=0.1.0 bash .ci/release/build.sh [os/arch ...]   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
version="${VERSION:?VERSION is required}"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
dist="${DIST:-dist}"
export ZIG="${ZIG:-$PWD/.cache/toolchain/ziglang/zig}"
[[ -x "$ZIG" ]] || { echo "release: $ZIG missing: run \`make native-fixtures\` (it fetches the pinned Zig)" >&2; exit 1; }
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(linux/amd64 linux/arm64 darwin/arm64 darwin/amd64 windows/amd64)

bash .ci/release/bundle.sh runtime/internal/bundle/runtime.tar.gz
rm -rf "$dist"
mkdir -p "$dist"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tags=pyworkers_bundle,netgo,osusergo
ldflags="-s -w -X 'main.version=$version ($commit)'"

vscode_target() {
  case "$1" in
    linux/amd64) echo linux-x64 ;; linux/arm64) echo linux-arm64 ;;
    darwin/arm64) echo darwin-arm64 ;; darwin/amd64) echo darwin-x64 ;;
    windows/amd64) echo win32-x64 ;; *) echo "release: no VS Code target for $1" >&2; exit 1 ;;
  esac
}

# build OS ARCH OUT: one binary.
build() {
  local os="$1" arch="$2" out="$3" zarch cc extra=()
  case "$arch" in amd64) zarch=x86_64 ;; arm64) zarch=aarch64 ;; *) echo "release: GOARCH $arch" >&2; exit 1 ;; esac
  case "$os" in
    linux)
      cc="$ZIG cc -target $zarch-linux-musl"
      extra=(-ldflags "$ldflags -linkmode external -extldflags -static") ;;
    darwin)
      GOFLAGS_RELEASE="-tags $tags" bash .ci/release/macos-stubs.sh "$arch" "$work/macos-$arch"
      cc="$ZIG cc -target $zarch-macos"
      export CGO_LDFLAGS="-F$work/macos-$arch/Frameworks -L$work/macos-$arch/lib"
      extra=(-ldflags "$ldflags") ;;
    windows)
      cc="$ZIG cc -target $zarch-windows-gnu"
      extra=(-ldflags "$ldflags") ;;
  esac
  echo "release: building $os/$arch" >&2
  CGO_ENABLED=1 GOOS="$os" GOARCH="$arch" CC="$cc" go build -trimpath -tags "$tags" "${extra[@]}" -o "$out" .
  unset CGO_LDFLAGS
}

for t in "${targets[@]}"; do
  os="${t%/*}" arch="${t#*/}"
  exe=pyworkers-lsp
  [[ "$os" == windows ]] && exe=pyworkers-lsp.exe
  name="pyworkers-lsp_${version}_${os}_${arch}"
  mkdir -p "$work/$name"
  build "$os" "$arch" "$work/$name/$exe"
  cp README.md docs/install.md "$work/$name/"
  if [[ "$os" == windows ]]; then
    (cd "$work" && python3 - "$name" <<'PY'
import os, sys, zipfile
name = sys.argv[1]
with zipfile.ZipFile(name + ".zip", "w", zipfile.ZIP_DEFLATED) as z:
    for f in sorted(os.listdir(name)):
        info = zipfile.ZipInfo(name + "/" + f, (1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o755 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(os.path.join(name, f), "rb") as fh:
            z.writestr(info, fh.read())
PY
    )
    mv "$work/$name.zip" "$dist/"
  else
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf - "$name" | gzip -9n >"$dist/$name.tar.gz"
  fi
  # The VS Code package for this platform, with this binary inside.
  vt="$(vscode_target "$t")"
  rm -rf editors/vscode/server
  mkdir -p editors/vscode/server
  cp "$work/$name/$exe" editors/vscode/server/
  (cd editors/vscode && npx --no-install vsce package --no-dependencies --skip-license --target "$vt" \
     -o "../../$dist/pyworkers-$vt-$version.vsix" >/dev/null)
  rm -rf editors/vscode/server
done
# Only the archives this build made (one target: no .zip).
(cd "$dist" && shopt -s nullglob && sha256sum -- *.tar.gz *.zip *.vsix >SHA256SUMS)
ls -l "$dist" >&2
