#!/usr/bin/env bash
# A soak: one `paminn serve` (SQLite, the demo company with 20 000 invoices,
# in a temporary directory) wired to amili-sandbox with faults injected into
# a share of the agency calls, under SOAK_MINUTES of mixed load from a few
# concurrent clients (bench/soak.mjs).  Prints a Markdown block for
# docs/benchmarks.md: per minute the requests, the answers that were not
# 2xx/3xx by status, p99 latency and the server's RSS; then the checks (no
# 5xx, no request lost, every hand-over registered exactly once, RSS flat
# after minute 5).  Exits 1 when a check fails.
#
#   bench/soak.sh                      30 minutes
#   SOAK_MINUTES=2 bench/soak.sh       a short try
#   SOAK_CLIENTS=4                     concurrent clients (default 4)
#   SOAK_THINK_MS=40                   pause of each client between operations
#   SOAK_INVOICES=20000                size of the demo company
#   SOAK_FAULTS=0.05                   share of agency calls that fail
#   SOAK_RSS_SLOPE_MAX=0.2             allowed RSS growth after minute 5, MiB/min
#   PAMINN_BIN=... AMILI_SANDBOX_BIN=...   use these binaries
#                                      (default: build the release preset)
#   PAMINN_KEEP_TMP=1                  keep the temporary directory
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PAMINN_BIN:-}" ] || [ -z "${AMILI_SANDBOX_BIN:-}" ]; then
  cmake --preset default >/dev/null && cmake --build --preset default >/dev/null
  export PAMINN_BIN=${PAMINN_BIN:-$PWD/build/default/paminn}
  export AMILI_SANDBOX_BIN=${AMILI_SANDBOX_BIN:-$PWD/build/default/sandbox/amili-sandbox}
fi
exec node bench/soak.mjs
