#!/usr/bin/env bash
# Several `paminn serve` processes on one PostgreSQL database, wired to a real
# amili-sandbox (tests/multi/*.test.mjs).
#
#   PAMINN_TEST_DSN=postgresql://... tests/multi/run.sh [PAMINN_BINARY] [AMILI_SANDBOX_BINARY] [TEST_FILE...]
#
# PAMINN_TEST_DSN names the server (each test makes a fresh database on it);
# `scripts/pg-server.sh with-db DIR tests/multi/run.sh` sets it, as CTest does
# (http.multi.pg).  Without it the tests are skipped: one SQLite file is not
# meant for several servers on several machines.  Binaries default to
# build/default/paminn and build/default/sandbox/amili-sandbox.
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
    echo "tests/multi/run.sh: no executable at '$b' (build first)" >&2
    exit 2
  fi
done
for tool in node psql; do
  command -v "$tool" >/dev/null || { echo "tests/multi/run.sh: '$tool' is not installed" >&2; exit 2; }
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
exec node --test --test-concurrency=1 --test-timeout=600000 "${files[@]}"
