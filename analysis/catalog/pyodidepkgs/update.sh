#!/usr/bin/env bash
# Regenerates data/pyodide-<version>.tsv from the pyodide-lock.json of each
# npm `pyodide` release a Python Worker can select (see
# docs/versions.md). Needs npm and node; run from anywhere:
#   analysis/catalog/pyodidepkgs/update.sh [version ...]
# Only pyodide-lock.json is read from each package tarball.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/data"
# 0.27.7: the index pywrangler installs from for Python 3.12 (runtime 0.26.0a2).
# 0.28.2 / 0.28.3: Python 3.13 runtime / pywrangler index.
# 314.0.2 / 314.0.4: Python 3.14 pywrangler index / runtime; 314.0.5: experimental flag.
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then
  versions=(0.27.7 0.28.2 0.28.3 314.0.2 314.0.4 314.0.5)
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

for v in "${versions[@]}"; do
  (cd "$work" && npm pack --silent "pyodide@$v" >/dev/null)
  tarball="$work/pyodide-$v.tgz"
  mkdir -p "$work/$v"
  tar -xzf "$tarball" -C "$work/$v" package/pyodide-lock.json
  node - "$work/$v/package/pyodide-lock.json" "$v" >"$out/pyodide-$v.tsv" <<'JS'
const fs = require("fs");
const [lockPath, npmVersion] = process.argv.slice(2);
const lock = JSON.parse(fs.readFileSync(lockPath, "utf8"));
// PEP 503 normalisation: runs of -, _ and . become one -, lower case.
const norm = (s) => s.toLowerCase().replace(/[-_.]+/g, "-");
const rows = [];
for (const pkg of Object.values(lock.packages)) {
  // Unvendored test suites are not installable distributions.
  if (pkg.name.endsWith("-tests") && !(pkg.imports || []).length) continue;
  let kind;
  if (pkg.package_type === "cpython_module") kind = "stdlib";
  else if (pkg.package_type === "shared_library") kind = "shlib";
  else if (/-none-any\.whl$/.test(pkg.file_name)) kind = "pure";
  else kind = "native";
  rows.push([norm(pkg.name), pkg.version, kind, (pkg.imports || []).join(",")].join("\t"));
}
rows.sort();
const info = lock.info || {};
process.stdout.write(
  `# pyodide ${npmVersion}\tpython ${info.python || "?"}\tsource npm:pyodide@${npmVersion}/pyodide-lock.json\n` +
  `# name\tversion\tkind(pure|native|stdlib|shlib)\timports\n` +
  rows.join("\n") + "\n",
);
JS
  echo "wrote $out/pyodide-$v.tsv ($(grep -vc '^#' "$out/pyodide-$v.tsv") packages)"
done
