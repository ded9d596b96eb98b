#!/usr/bin/env bash
# bench/camt054.sh [N] — import a camt.054 file of N payments (default
# 10 000) to N open invoices with `paminn import-camt054`, on SQLite, three
# times, each on a fresh copy of the same database; prints the minimum and
# the median with the machine it ran on.
#
# The invoices are the demo company's (`paminn demo-data`, four times N so
# that N are open); the file is written by the tests' generator
# (tests/lib/camt054.mjs): one entry per 1 000 payments, each payment an OCR
# reference paying what its invoice has left, so every payment matches and
# pays an invoice in full.  The time is the whole command: reading and
# validating the XML against data/camt054.xsd, matching, booking and the
# commit.  Target: under 5 s for 10 000 payments.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
n=${1:-10000}
now=2026-11-02
nice -n 10 cmake --preset default >/dev/null && nice -n 10 cmake --build --preset default >/dev/null
bin=$repo/build/default/paminn
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$bin" --db "$dir/base.db" --now "$now" demo-data --invoices $((n * 4)) --password bench-pass-1 >/dev/null
sqlite3 "$dir/base.db" "pragma wal_checkpoint(TRUNCATE)" >/dev/null
company=$(sqlite3 "$dir/base.db" "select id from companies order by id limit 1")
bankgiro=$(sqlite3 "$dir/base.db" "select bankgiro from companies where id = $company")
sqlite3 -separator ' ' "$dir/base.db" "select number, remaining_minor from invoices
  where company_id = $company and remaining_minor > 0 and currency = 'SEK' and state <> 'credited'
  order by id limit $n" >"$dir/open.txt"
open=$(wc -l <"$dir/open.txt")
if [ "$open" -lt "$n" ]; then
  echo "bench/camt054.sh: only $open open invoices, $n wanted" >&2
  exit 1
fi
node --input-type=module - "$dir/open.txt" "$dir/file.xml" "${bankgiro//-/}" "$now" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
import { camt054Payments } from './tests/lib/camt054.mjs';
const [open, out, bankgiro, date] = process.argv.slice(2);
function luhnDigit(body) {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}
const ocr = (n) => { const b = n + String((n.length + 2) % 10); return b + luhnDigit(b); };
const rows = readFileSync(open, 'utf8').trim().split('\n').map((l) => l.split(' '));
writeFileSync(out, camt054Payments({ refs: rows.map((r) => ocr(r[0])), amounts: rows.map((r) => Number(r[1])),
  msgId: 'BENCH-CAMT054-1', date, bankgiro }));
JS
size=$(stat -c %s "$dir/file.xml")

times=()
for run in 1 2 3; do
  cp "$dir/base.db" "$dir/run.db"
  start=$(date +%s.%N)
  "$bin" --db "$dir/run.db" --now "$now" --data-dir "$repo/data" \
      import-camt054 --company "$company" "$dir/file.xml" >"$dir/out"
  end=$(date +%s.%N)
  grep -q "^matched:   $n payments" "$dir/out" || { cat "$dir/out" >&2; exit 1; }
  times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')")
  rm -f "$dir/run.db" "$dir/run.db-wal" "$dir/run.db-shm"
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
min=$(echo "$sorted" | sed -n 1p)
median=$(echo "$sorted" | sed -n 2p)
printf '| payments | file size | runs (s) | min (s) | median (s) |\n'
printf '|---:|---:|---|---:|---:|\n'
awk -v n="$n" -v size="$size" -v runs="${times[*]}" -v min="$min" -v med="$median" \
    'BEGIN { printf "| %s | %.1f MB | %s | %s | %s |\n", n, size / 1000000, runs, min, med }'
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), $(date -u +%Y-%m-%d), load $(cut -d' ' -f1-3 /proc/loadavg)"
