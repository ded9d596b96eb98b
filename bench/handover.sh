#!/usr/bin/env bash
# Hand-over to Visma Amili: the time to accept a hand-over of N invoices and
# the dispatch throughput, side by side with the amili-sandbox's own
# registration capacity measured by a direct load in the same run (see
# bench/handover.mjs).  Prints a Markdown block for docs/benchmarks.md.
#
#   bench/handover.sh [N]          N invoices (default 10000)
#   C=8 SYNC=30 bench/handover.sh  requests in flight, status sync period
#   PAMINN_BIN=... AMILI_SANDBOX_BIN=... bench/handover.sh   use these binaries
#                                  (default: build the release preset)
set -euo pipefail
cd "$(dirname "$0")/.."
export N=${1:-${N:-10000}}
if [ -z "${PAMINN_BIN:-}" ] || [ -z "${AMILI_SANDBOX_BIN:-}" ]; then
  cmake --preset default >/dev/null && cmake --build --preset default >/dev/null
  export PAMINN_BIN=${PAMINN_BIN:-$PWD/build/default/paminn}
  export AMILI_SANDBOX_BIN=${AMILI_SANDBOX_BIN:-$PWD/build/default/sandbox/amili-sandbox}
fi
exec node bench/handover.mjs
