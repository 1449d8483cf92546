# Sourced by the scripts that compile C to Emscripten side modules
# (runtime/artifacts/cpython/build.sh, testdata/native/build.sh): ensure_zig
# DIR puts the pinned ziglang wheel (toolchain.txt: Zig's bundled clang 19 and
# wasm-ld) into DIR once and sets $zig to its executable.
ensure_zig() {
  local dir="$1" pins
  pins="$(dirname "${BASH_SOURCE[0]}")/toolchain.txt"
  zig="$dir/ziglang/zig"
  [ -x "$zig" ] && return 0
  echo "zig.sh: fetching the pinned ziglang wheel from PyPI" >&2
  rm -rf "$dir" "$dir.tmp"
  mkdir -p "$dir.tmp/wheel"
  # --require-hashes refuses a wheel whose sha256 differs from the pin.
  python3 -m pip download --quiet --no-deps --no-cache-dir --require-hashes --only-binary=:all: \
    --platform manylinux_2_12_x86_64 -r "$pins" -d "$dir.tmp/wheel" >&2
  python3 -m zipfile -e "$dir".tmp/wheel/ziglang-*.whl "$dir.tmp/unpacked"
  chmod +x "$dir.tmp/unpacked/ziglang/zig"
  mv "$dir.tmp/unpacked" "$dir"
  rm -rf "$dir.tmp"
}
