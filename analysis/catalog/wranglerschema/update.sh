#!/usr/bin/env bash
# Refreshes config-schema.json from the npm `wrangler` package and records
# the version in schema-version.txt. Needs npm.
#   analysis/catalog/wranglerschema/update.sh [VERSION]   (default: newest 4.x)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
version="${1:-}"
if [ -z "$version" ]; then
  # The newest release of the 4.x line.
  version="$(npm view 'wrangler@4' version --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(Array.isArray(v)?v[v.length-1]:v)})')"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "wrangler@$version" >/dev/null)
tar -xzf "$work/wrangler-$version.tgz" -C "$work" package/config-schema.json
cp "$work/package/config-schema.json" "$here/config-schema.json"
echo "$version" >"$here/schema-version.txt"
echo "config-schema.json from wrangler@$version"
