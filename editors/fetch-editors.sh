#!/usr/bin/env bash
# Fetches the real editors the editor tests drive — Neovim 0.12 and Helix
# 25.07 from Debian's forky suite — pinned by file and sha256, unpacked into
# .cache/editors/forky (dpkg -x: nothing is installed system-wide), and
# writes launchers into .cache/editors/bin that run them with forky's own C
# library and loader (`ld.so --library-path`, so the servers they start run
# with the host's libraries as usual).
#
#   editors/fetch-editors.sh         prints the bin directory
#
# A pinned file that Debian has dropped from its pool stops the script with
# the name to update (see Packages of dists/forky/main/binary-amd64).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$repo/.cache/editors"
root="$cache/forky"
bin="$cache/bin"
mirror="${DEBIAN_MIRROR:-https://deb.debian.org/debian}"

# file (under the mirror) and sha256 of each package: the editors and what
# they link against, from forky on 2026-12-02.
pkgs=(
  "pool/main/g/glibc/libc6_2.43-7_amd64.deb 5c71715c51103beb4fbba9fe9f8dff604af6610dfa71c70bff342f54a7860803"
  "pool/main/g/gcc-16/libgcc-s1_16.2.0-3_amd64.deb e716dc8baad27e884c45ff83a76955047a7a9e33a80e94f9459ee996ebb800b0"
  "pool/main/h/hx/hx_25.07.1+20260723+ds+~0.3.3+ds+~0.4.0+20260627+ds-3_amd64.deb 1cdce694e10473a0c86021f1ecad9b6d479bf304506ea772c2f8aa8b2f8f6979"
  "pool/main/n/neovim/neovim_0.12.4-1_amd64.deb f2c0bbf2530cd36d51aad9a72beb75aafb15e51dae1fddd1e3ab3db5b543cbd9"
  "pool/main/n/neovim/neovim-runtime_0.12.4-1_all.deb a0ce01348d6c7f018be74b3d29c3c4114332a250d81ea2061ef836429c8300e3"
  "pool/main/l/luajit/libluajit-5.1-2_2.1.0+openresty20251030-1+b2_amd64.deb 99cec1952fce870c4302ed94e36dfb239fb7f34d268172df4e80d4ee3bd13a6e"
  "pool/main/l/luajit/libluajit-5.1-common_2.1.0+openresty20251030-1_all.deb a07b0f3d73f38660c4a9023642e6092f8458f9d8cb809b7ad9477f364b269618"
  "pool/main/t/tree-sitter/libtree-sitter0.26_0.26.11-1_amd64.deb 0b9a68f1d790b7999beff053711702e5a450a643e8155c0ad10cd37b08ca66e7"
  "pool/main/u/unibilium/libunibilium4_2.1.4-1_amd64.deb f6fc622c8df65eb27cf952c5f9b5f24d327b233445fae223c7666fe9fd9c279f"
  "pool/main/u/utf8proc/libutf8proc3_2.11.3-2_amd64.deb abeee568cd28106f46c41653fe2a40643e4949c5865a002ee3b3494b8d35735e"
  "pool/main/libu/libuv1/libuv1t64_1.53.0-1_amd64.deb 3646aa5b8513dc57ace24dfe6582ba5666e141eb876b7494e9008776c9d41999"
  "pool/main/l/lua-lpeg/lua-lpeg_1.1.0-4_amd64.deb 2e803f45c17b2091ea8691aee658d268d16c66406e903269d5f3bb7b0b71c415"
  "pool/main/l/lua-luv/lua-luv_1.51.0-1-1+b1_amd64.deb 50db3ce63d74536505f9376da52698d15dbc80c99e139685baa4ff64587a2863"
)

stamp="$root/.complete"
want="$(printf '%s\n' "${pkgs[@]}" | sha256sum | cut -c1-16)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "fetch-editors: Neovim 0.12.4 and Helix 25.07.1 (Debian forky, unpacked into $root)" >&2
  rm -rf "$root" "$root.tmp"
  mkdir -p "$cache/debs" "$root.tmp"
  for entry in "${pkgs[@]}"; do
    file="${entry% *}" sum="${entry#* }"
    deb="$cache/debs/$(basename "$file")"
    if [[ ! -f "$deb" ]] || ! echo "$sum  $deb" | sha256sum --quiet -c 2>/dev/null; then
      curl -fsSL --retry 3 -o "$deb.part" "$mirror/$file" || {
        echo "fetch-editors: could not download $mirror/$file (dropped from Debian's pool? pin the current version)" >&2
        exit 1
      }
      echo "$sum  $deb.part" | sha256sum --quiet -c || { echo "fetch-editors: $file: checksum mismatch" >&2; exit 1; }
      mv "$deb.part" "$deb"
    fi
    dpkg -x "$deb" "$root.tmp"
  done
  echo "$want" >"$root.tmp/.complete"
  mv "$root.tmp" "$root"
fi

mkdir -p "$bin"
libs="$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu"
loader="$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
[[ -e "$loader" ]] || loader="$root/lib64/ld-linux-x86-64.so.2"
lua="$root/usr/lib/x86_64-linux-gnu/lua/5.1"
cat >"$bin/nvim" <<EOF
#!/bin/sh
# Neovim 0.12.4 from Debian forky, run with forky's C library (editors/fetch-editors.sh).
export VIM="$root/usr/share/nvim" VIMRUNTIME="$root/usr/share/nvim/runtime"
export LUA_CPATH="$lua/?.so;\${LUA_CPATH:-;}"
exec "$loader" --library-path "$libs" "$root/usr/bin/nvim" "\$@"
EOF
cat >"$bin/hx" <<EOF
#!/bin/sh
# Helix 25.07.1 from Debian forky, run with forky's C library (editors/fetch-editors.sh).
export HELIX_RUNTIME="\${HELIX_RUNTIME:-$root/usr/lib/hx/runtime}"
exec "$loader" --library-path "$libs" "$root/usr/bin/hx" "\$@"
EOF
chmod +x "$bin/nvim" "$bin/hx"
echo "$bin"
