#!/usr/bin/env bash
# Accepting one hand-over request of N invoices: two builds of paminn side
# by side in one run, on SQLite and on PostgreSQL (bench/handover-accept.mjs
# says how).  Prints a Markdown block for docs/benchmarks.md.
#
#   PAMINN_BIN_BEFORE=old/paminn bench/handover-accept.sh [N]
#                        the build to compare with (without it: one build,
#                        ROUNDS measurements); the other is $PAMINN_BIN,
#                        default build/default/paminn (built)
#   ROUNDS=3             measurements per build and engine, alternating
#   BENCH_PG=0           SQLite only; BENCH_PG_DSN=... another server
set -euo pipefail
cd "$(dirname "$0")/.."
export N=${1:-${N:-10000}}
[ -z "${PAMINN_BIN_BEFORE:-}" ] || export PAMINN_BIN_BEFORE
. bench/stack-env.sh
node bench/handover-accept.mjs
