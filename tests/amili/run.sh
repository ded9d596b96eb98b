#!/usr/bin/env bash
# Run the Amili hand-over tests over real HTTP: paminn serve wired to a real
# amili-sandbox, each test file with fresh databases on free loopback ports.
#
#   tests/amili/run.sh [PAMINN_BINARY] [AMILI_SANDBOX_BINARY] [TEST_FILE...]
#
# Binaries default to build/default/paminn and build/default/sandbox/amili-sandbox.
# Node 20's built-in runner, no npm packages; the `sqlite3` command line reads
# the databases.  Files run one at a time (the big ones load both cores).
# With PAMINN_TEST_DSN=postgresql://... paminn runs on a fresh PostgreSQL
# database per stack (see tests/api/run.sh).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

abs() {
  case $1 in
    /*) echo "$1" ;;
    *) if [ -e "$PWD/$1" ]; then echo "$PWD/$1"; else echo "$repo/$1"; fi ;;
  esac
}

bin=$(abs "${1:-build/default/paminn}")
sandbox=$(abs "${2:-build/default/sandbox/amili-sandbox}")
shift 2 2>/dev/null || shift $#
for b in "$bin" "$sandbox"; do
  if [ ! -x "$b" ]; then
    echo "tests/amili/run.sh: no executable at '$b' (build first)" >&2
    exit 2
  fi
done
for tool in node sqlite3 ${PAMINN_TEST_DSN:+psql}; do
  command -v "$tool" >/dev/null || { echo "tests/amili/run.sh: '$tool' is not installed" >&2; exit 2; }
done

files=()
if [ $# -gt 0 ]; then
  for f in "$@"; do files+=("$(abs "$f")"); done
else
  files=("$here"/*.test.mjs)
fi

export PAMINN_BIN=$bin
export AMILI_SANDBOX_BIN=$sandbox
cd "$repo" || exit 2
exec node --test --test-concurrency=1 --test-timeout=900000 "${files[@]}"
