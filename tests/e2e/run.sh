#!/usr/bin/env bash
# Browser tests of the web UI: the real paminn + amili-sandbox with fresh
# databases, the distribution's Chromium driven headless by playwright-core
# (no browser download), Node's built-in test runner.
#
#   tests/e2e/run.sh [PAMINN_BINARY] [AMILI_SANDBOX_BINARY] [TEST_FILE...]
#
# Installs playwright-core and axe-core (pinned by package-lock.json)
# with `npm ci` when node_modules is missing.  Screenshots go to
# docs/screenshots/.  Exits non-zero on any failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

abs() {
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) if [ -e "$PWD/$1" ]; then printf '%s\n' "$PWD/$1"; else printf '%s\n' "$repo/$1"; fi ;;
  esac
}

bin=$(abs "${1:-build/default/paminn}")
sandbox=$(abs "${2:-build/default/sandbox/amili-sandbox}")
shift 2 2>/dev/null || shift $#
for b in "$bin" "$sandbox"; do
  [ -x "$b" ] || { echo "tests/e2e/run.sh: no executable at '$b' (build it first)" >&2; exit 2; }
done
chromium=${CHROMIUM_BIN:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "tests/e2e/run.sh: no Chromium at $chromium (apt-get install chromium)" >&2; exit 2; }
for tool in node npm sqlite3; do
  command -v "$tool" >/dev/null || { echo "tests/e2e/run.sh: '$tool' is not installed" >&2; exit 2; }
done

if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ]; then
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) || {
    echo "tests/e2e/run.sh: npm ci failed" >&2; exit 2; }
fi

files=()
if [ $# -gt 0 ]; then
  for f in "$@"; do files+=("$(abs "$f")"); done
else
  files=("$here"/*.test.mjs)
fi

export PAMINN_BIN=$bin AMILI_SANDBOX_BIN=$sandbox CHROMIUM_BIN=$chromium PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
cd "$repo" || exit 2
exec node --test --test-concurrency=1 --test-timeout=180000 "${files[@]}"
