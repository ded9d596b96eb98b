#!/usr/bin/env bash
# Run the amili-sandbox tests over real HTTP against a built binary.
#   tests/sandbox/run.sh [path/to/amili-sandbox] [extra node --test arguments]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -ge 1 ]]; then
  AMILI_SANDBOX_BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  export AMILI_SANDBOX_BIN
  shift
fi
if [[ -n "${AMILI_SANDBOX_BIN:-}" && ! -x "$AMILI_SANDBOX_BIN" ]]; then
  echo "run.sh: no executable at $AMILI_SANDBOX_BIN" >&2
  exit 2
fi
exec node --test "$@" "$here"/*.test.mjs
