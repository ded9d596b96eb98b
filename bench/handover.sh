#!/usr/bin/env bash
# Hand-over to Visma Amili: the time to accept a hand-over of N invoices and
# the dispatch throughput, side by side with the amili-sandbox's own
# registration capacity measured by a direct load in the same run (see
# bench/handover.mjs), with Påminn on SQLite and on PostgreSQL.  Prints a
# Markdown block for docs/benchmarks.md.
#
#   bench/handover.sh [N]          N invoices (default 10000)
#   C=8 SYNC=30 bench/handover.sh  requests in flight, status sync period
#   PAMINN_BIN=... AMILI_SANDBOX_BIN=... bench/handover.sh   use these binaries
#                                  (default: build the release preset)
#   BENCH_PG_DSN=postgresql://...  use this PostgreSQL server (a superuser's
#                                  DSN; the run creates its own database);
#                                  default: a private one, scripts/pg-server.sh
#   BENCH_PG=0                     SQLite only
set -euo pipefail
cd "$(dirname "$0")/.."
export N=${1:-${N:-10000}}
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
export BENCH_PG_DSN=${BENCH_PG_DSN:-}
node bench/handover.mjs
