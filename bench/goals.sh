#!/usr/bin/env bash
# Every row of the speed and memory goals (issue 15's table) measured in one
# run on this machine, each beside what it is compared with, by the scripts
# that measure each row; prints their Markdown blocks under one heading a
# row, with the goal, for docs/benchmarks.md.
#
#   bench/goals.sh [DB]   DB: the SQLite demo database of a million invoices
#                         (made if missing, var/bench-1m.db)
#
# RUNS (default 3): runs, rounds or measurements of every row, min and
# median; DURATION (default 10): seconds of each wrk run of the list.
# One private durable PostgreSQL server (PG_DURABLE=1) holds the list's
# copy of the rows, the hand-over's and the status sync's databases;
# demo-data.sh starts its own.  Needs wrk, nginx, sqlite3, node (the rows
# of bench/api-list.sh and bench/handover-accept.sh).  About 30 minutes on
# two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
db=${1:-var/bench-1m.db}
cmake --preset default >/dev/null && cmake --build --preset default >/dev/null
export PAMINN_BIN=$PWD/build/default/paminn
export AMILI_SANDBOX_BIN=$PWD/build/default/sandbox/amili-sandbox
pgdir=$PWD/build/bench-pg-goals
dir=$(mktemp -d)
trap 'scripts/pg-server.sh stop "$pgdir"; rm -rf "$dir"' EXIT
BENCH_PG_DSN=$(PG_DURABLE=1 scripts/pg-server.sh start "$pgdir")
export BENCH_PG_DSN
psql_bin=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -t/ -k5,5n | tail -n 1)

echo "# The goals measured in one run ($(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "## Demo data, a million invoices (goal: SQLite ≤ 60 s, PostgreSQL ≤ 120 s)"
echo
PG_DURABLE=1 RUNS=$runs bench/demo-data.sh 1000000
echo
echo "## The overdue list, every request a new page (goals: SQLite ≥ 0.35 × nginx with p99 < 15 ms;"
echo "## PostgreSQL ≥ 0.5 × SQLite; server RSS < 64 MiB)"
echo
ROUNDS=$runs DURATION=${DURATION:-10} bench/api-list.sh "$db"
echo
echo "The store's own work for one such page, one thread, no HTTP (bench/list_floor.c):"
echo
echo "| engine | pages | pages a second | CPU of this process a page |"
echo "|---|---:|---:|---:|"
for dsn in "$db" "${BENCH_PG_DSN%/*}/bench_1000000"; do
  build/default/list-floor-bench "$dsn" 10000 "$runs" | tail -n 1 |
    sed "s/^| /| $([ "$dsn" = "$db" ] && echo SQLite || echo PostgreSQL) | /"
done
echo
echo "## Accepting a hand-over of 10 000 invoices (goal: PostgreSQL < 1 s)"
echo
ROUNDS=$runs bench/handover-accept.sh 10000
echo
echo "## The status sync applying 100 000 changed cases (goal: ≥ 0.5 × a raw upsert of the case rows)"
echo
"$psql_bin" -X -q -d "$BENCH_PG_DSN" -c "DROP DATABASE IF EXISTS bench_sync WITH (FORCE)" \
  -c "CREATE DATABASE bench_sync"
echo "| engine | cases | product: min / median | raw upsert: min / median | ratio (medians) | every row the product writes, raw: min / median | its ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
build/default/sync-apply-bench "$dir/sync.db" 100000 "$runs" | tail -n 1 | sed 's/^| /| SQLite | /'
build/default/sync-apply-bench "${BENCH_PG_DSN%/*}/bench_sync" 100000 "$runs" | tail -n 1 |
  sed 's/^| /| PostgreSQL | /'
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)," \
  "$(date -u +%Y-%m-%dT%H:%MZ), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
