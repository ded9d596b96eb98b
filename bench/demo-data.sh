#!/usr/bin/env bash
# Time `paminn demo-data --invoices N` on a fresh SQLite file and report the
# database size, with the machine it ran on.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
cmake --preset default >/dev/null && cmake --build --preset default >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db="$dir/bench.db"
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$dir/rss" build/default/paminn --db "$db" --now 2026-11-02 \
    demo-data --invoices "$n" --password bench-pass-1 >"$dir/out"
end=$(date +%s.%N)
size=$(stat -c %s "$db")
rows=$(sqlite3 "$db" "select (select count(*) from invoices), (select count(*) from invoice_lines), (select count(*) from payments), (select count(*) from history_events)")
printf '| invoices | seconds | database size | peak RSS | rows (invoices, lines, payments, history) |\n'
printf '|---:|---:|---:|---:|---|\n'
awk -v n="$n" -v s="$start" -v e="$end" -v size="$size" -v rss="$(cat "$dir/rss")" -v rows="${rows//|/, }" \
    'BEGIN { printf "| %s | %.1f | %.0f MiB | %.0f MiB | %s |\n", n, e - s, size / 1048576, rss / 1024, rows }'
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), $(date -u +%Y-%m-%d)"
