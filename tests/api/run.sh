#!/usr/bin/env bash
# Run the API tests over real HTTP against the real binary.
#
#   tests/api/run.sh [PAMINN_BINARY] [TEST_FILE...]
#
# PAMINN_BINARY defaults to build/default/paminn; without test files every
# tests/api/*.test.mjs runs, one file at a time (each starts its own server on
# a free loopback port with a fresh database).  Node 20's built-in runner, no
# npm packages; the `sqlite3` command line is used to look into the database.
# With PAMINN_TEST_DSN=postgresql://... every server runs on a fresh database
# of its own on that PostgreSQL server instead (read with `psql`):
#   scripts/pg-server.sh with-db build/default/pg-test tests/api/run.sh
# Exits non-zero on any failure; node's last lines ("# pass N", "# fail N")
# are the summary CI reads.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

bin=${1:-build/default/paminn}
shift || true
case $bin in
  /*) ;;
  *) if [ -x "$PWD/$bin" ]; then bin=$PWD/$bin; else bin=$repo/$bin; fi ;;
esac
if [ ! -x "$bin" ]; then
  echo "tests/api/run.sh: no executable paminn at '$bin' (build it first)" >&2
  exit 2
fi
for tool in node sqlite3 ${PAMINN_TEST_DSN:+psql}; do
  command -v "$tool" >/dev/null || { echo "tests/api/run.sh: '$tool' is not installed" >&2; exit 2; }
done

files=()
if [ $# -gt 0 ]; then
  for f in "$@"; do
    case $f in
      /*) files+=("$f") ;;
      *) if [ -e "$PWD/$f" ]; then files+=("$PWD/$f"); else files+=("$repo/$f"); fi ;;
    esac
  done
else
  files=("$here"/*.test.mjs)
fi

export PAMINN_BIN=$bin
cd "$repo" || exit 2
# Fifteen minutes a test on either engine: a bound that catches a hang, never a
# measure of speed (a file takes seconds on an idle machine, but minutes in
# the coverage build beside other suites; CTest bounds the whole suite).
exec node --test --test-concurrency=1 --test-timeout=900000 "${files[@]}"
