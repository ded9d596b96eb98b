#!/usr/bin/env bash
# paminn dunning run as cron runs it: usage errors, nothing to do without a
# switched-on policy, one proposal a day however often it runs, --approve.
set -euo pipefail
bin=$1
data=${PAMINN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/data
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
db="$dir/p.db"
run() { "$bin" --db "$db" --data-dir "$data" --now 2026-04-20T08:00:00Z dunning "$@"; }

"$bin" --db "$db" --now 2026-03-01 demo-data --invoices 300 --password hemligt123 >/dev/null

for args in "" "run extra" "run --company x" "walk"; do
  set +e
  # shellcheck disable=SC2086
  run $args >/dev/null 2>"$dir/err"; rc=$?
  set -e
  [ "$rc" = 2 ] || fail "'dunning $args' exited $rc, not 2"
done
run --help | grep -q "dunning run \[--company ID\]" || fail "--help"

out=$(run run)
grep -q "no company has the daily run switched on" <<<"$out" || fail "nothing switched on: $out"

out=$(run run --company 1)
grep -Eq "^company 1 2026-04-20: run [0-9]+ proposed \(proposed now\), [1-9][0-9]* items" <<<"$out" || fail "proposal: $out"
out=$(run --company 1 run)
grep -q "(existing)" <<<"$out" || fail "second run the same day: $out"
[ "$(sqlite3 "$db" "select count(*) from dunning_runs")" = 1 ] || fail "two runs in a day"
[ "$(sqlite3 "$db" "select count(*) from reminders where level > 0")" = 0 ] || fail "reminded without approval"

out=$(run run --company 1 --approve)
grep -Eq "run [0-9]+ done \(existing\).*reminded [1-9]" <<<"$out" || fail "--approve: $out"
n=$(sqlite3 "$db" "select count(*) from dunning_items where action = 'remind' and state = 'done'")
[ "$(sqlite3 "$db" "select count(*) from reminders where level = 1")" = "$n" ] || fail "reminders vs items"
[ "$(sqlite3 "$db" "select count(*) from dunning_items where state = 'pending'")" = 0 ] || fail "pending left"
echo "dunning: ok"
