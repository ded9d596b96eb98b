#!/usr/bin/env bash
# Accepting one hand-over request of N invoices: two builds of paminn side
# by side in one run, on SQLite and on PostgreSQL (bench/handover-accept.mjs
# says how).  Prints a Markdown block for docs/benchmarks.md.
#
#   PAMINN_BIN_BEFORE=old/paminn bench/handover-accept.sh [N]
#                        the build to compare with (required); the other is
#                        $PAMINN_BIN, default build/default/paminn (built)
#   ROUNDS=3             measurements per build and engine, alternating
#   BENCH_PG=0           SQLite only; BENCH_PG_DSN=... another server
set -euo pipefail
cd "$(dirname "$0")/.."
export N=${1:-${N:-10000}}
: "${PAMINN_BIN_BEFORE:?the build to compare with}"
if [ -z "${PAMINN_BIN:-}" ] || [ -z "${AMILI_SANDBOX_BIN:-}" ]; then
  cmake --preset default >/dev/null && cmake --build --preset default >/dev/null
  export PAMINN_BIN=${PAMINN_BIN:-$PWD/build/default/paminn}
  export AMILI_SANDBOX_BIN=${AMILI_SANDBOX_BIN:-$PWD/build/default/sandbox/amili-sandbox}
fi
if [ "${BENCH_PG:-1}" != 0 ] && [ -z "${BENCH_PG_DSN:-}" ]; then
  pgdir=$PWD/build/bench-pg
  trap 'scripts/pg-server.sh stop "$pgdir"' EXIT
  BENCH_PG_DSN=$(PG_DURABLE=1 scripts/pg-server.sh start "$pgdir")
fi
export BENCH_PG_DSN=${BENCH_PG_DSN:-} PAMINN_BIN_BEFORE
node bench/handover-accept.mjs
