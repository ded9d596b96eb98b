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
. bench/stack-env.sh
node bench/handover.mjs
