#!/usr/bin/env bash
# What the browser tests (tests/browser) need: Debian's chromium and axe-core.
# Idempotent and quiet: prints one line. Called by `make browser-deps` (before `make unit`).
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

did=()
if [ ! -x /usr/bin/chromium ]; then
  if ! { sudo_if_needed apt-get update -qq \
      && sudo_if_needed env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "browser-deps: could not install chromium (see above)" >&2
    exit 1
  fi
  did+=("chromium")
fi

if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  if ! (cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund) >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "browser-deps: npm ci in tests/browser failed (see above)" >&2
    exit 1
  fi
  did+=("axe-core")
fi

version=$(/usr/bin/chromium --version 2>/dev/null | head -n 1 || echo "chromium ?")
if [ ${#did[@]} -eq 0 ]; then
  echo "browser-deps: ready ($version, axe-core $(node -p 'require("./tests/browser/node_modules/axe-core/package.json").version'))"
else
  echo "browser-deps: installed ${did[*]} ($version)"
fi
