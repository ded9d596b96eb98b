#!/usr/bin/env bash
# Time the daily dunning run's proposal over 100 000 invoices of one
# company: `paminn dunning run --company 1` (propose only, the default
# policy) on the demo company, min and median of RUNS runs, on SQLite and,
# with PG=1, on PostgreSQL (a private server, scripts/pg-server.sh, the
# rows copied by bench/pg-copy.sh).
#
#   bench/dunning.sh [N_INVOICES] [RUNS]        (defaults 100000, 5)
#
# Two shapes of the same company: as `paminn demo-data` makes it (most
# invoices paid, ~24 % open and overdue on the day), and "all overdue":
# every invoice set unpaid and open (payments left out of the invoice rows
# by SQL, which the proposal does not read), so that each of the N
# invoices is a candidate the run decides and writes an item for.  Each
# run's proposal is removed before the next (same day, same work).  The
# time is the whole command: start, reading the rates, the proposal's
# transaction (one candidate query per kind, the items written in bulk:
# one COPY a batch on PostgreSQL, multi-row INSERTs on SQLite), exit.
# Beside the wall time: the CPU seconds of paminn (user + sys) and, on
# PostgreSQL, of the server's backend that served it (what the postmaster
# collects of its children that ended during the run), so that a figure
# of a shared, loaded machine can be told apart from the work itself.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
runs=${2:-5}
bin=build/default/paminn
now=2026-11-02T08:00:00Z
cmake --preset default >/dev/null && cmake --build --preset default >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db="$dir/bench.db"
"$bin" --db "$db" --now 2026-11-02 demo-data --invoices "$n" --password bench-pass-1 --no-vouchers >/dev/null

# min and median of the runs' seconds, and the item count of the last run
time_runs() { # engine dsn clear-command...
  local engine=$1 dsn=$2 t items
  shift 2
  : >"$dir/times"
  for _ in $(seq "$runs"); do
    "$@"
    t=$( { /usr/bin/time -f "%e %U %S" "$bin" --db "$dsn" --now "$now" dunning run --company 1 >"$dir/out"; } 2>&1 )
    echo "$t" >>"$dir/times"
  done
  items=$(sed -n 's/.*, \([0-9]*\) items;.*/\1/p' "$dir/out")
  summary "$engine" "$shape" "$items"
}

# the median of a column of $dir/times (wall user sys [backend]), or –
median_of() {
  awk -v c="$1" 'NF >= c { printf "%.2f\n", $c }' "$dir/times" | sort -n |
    awk '{ a[NR] = $1 } END { print NR ? a[int((NR + 1) / 2)] : "–" }'
}

# min and median wall seconds, median CPU seconds of paminn (user + sys)
# and of the PostgreSQL backend (column 4, when measured) of $dir/times
summary() {
  local cpu backend
  cpu=$(awk '{ printf "%.2f\n", $2 + $3 }' "$dir/times" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  backend=$(median_of 4)
  sort -n "$dir/times" | awk -v e="$1" -v s="$2" -v i="$3" -v r="$runs" -v cpu="$cpu" -v be="$backend" \
    '{ a[NR] = $1 } END { printf "| %s | %s | %s | %d | %.2f | %.2f | %s | %s |\n", e, s, i, r, a[1], a[int((NR + 1) / 2)], cpu, be }'
}

sqlite_clear() { sqlite3 "$db" "delete from dunning_items; delete from dunning_runs;"; }
all_overdue_sql="update invoices set paid_minor = 0, credited_minor = 0,
  remaining_minor = customer_part_minor, state = 'open', due_date = min(due_date, 20380)
  where company_id = 1;"

printf '| engine | invoices | candidates (items) | runs | min s | median s | median CPU s (paminn) | median CPU s (postgres backend) |\n'
printf '|---|---|---:|---:|---:|---:|---:|---:|\n'
shape="$n as made"
time_runs sqlite "$db" sqlite_clear
cp "$db" "$dir/asmade.db"
sqlite3 "$db" "$all_overdue_sql"
shape="$n all overdue"
time_runs sqlite "$db" sqlite_clear

if [ "${PG:-0}" = 1 ]; then
  pgdir="$dir/pg"
  scripts/pg-server.sh start "$pgdir" >/dev/null
  trap 'scripts/pg-server.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
  # a database of its own: the rows copied, then the runs
  # The backends' CPU: the postmaster's cutime + cstime (clock ticks) grow
  # by a backend's CPU when it has ended and been collected, so each run
  # is measured from "no backend" to "no backend" again (bounded waits).
  scripts/pg-server.sh with-db "$pgdir" bash -c '
    set -euo pipefail
    bench/pg-copy.sh "$1" "$PAMINN_TEST_DSN" >/dev/null
    psql_bin=$(ls -d /usr/lib/postgresql/*/bin/psql | sort -t/ -k5,5n | tail -n 1)
    pm=$(head -n 1 "$(cat "$6/datadir")/postmaster.pid")
    hz=$(getconf CLK_TCK)
    backends() { ps --ppid "$pm" -o cmd= | grep -c "127\.0\.0\.1(" || true; }
    idle() { for _ in $(seq 200); do [ "$(backends)" = 0 ] && return; sleep 0.05; done; }
    collected() { awk "{ print \$16 + \$17 }" "/proc/$pm/stat"; }
    : >"$2/times"
    for _ in $(seq "$3"); do
      "$psql_bin" -X -q -d "$PAMINN_TEST_DSN" -c "delete from dunning_items; delete from dunning_runs;"
      idle
      before=$(collected)
      t=$( { /usr/bin/time -f "%e %U %S" "$4" --db "$PAMINN_TEST_DSN" --now "$5" dunning run --company 1 >"$2/out"; } 2>&1 )
      idle
      echo "$t $(awk -v a="$before" -v b="$(collected)" -v hz="$hz" "BEGIN { printf \"%.2f\", (b - a) / hz }")" >>"$2/times"
    done' _ "$db" "$dir" "$runs" "$bin" "$now" "$pgdir"
  items=$(sed -n 's/.*, \([0-9]*\) items;.*/\1/p' "$dir/out")
  summary postgresql "$n all overdue" "$items"
fi
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), $(date -u +%Y-%m-%d)"
