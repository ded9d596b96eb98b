#!/usr/bin/env bash
# paminn statement: a customer's statement (kontoutdrag) from the command
# line — the open invoices and totals printed, the PDF written (--pdf), the
# e-mail queued (--email); a bad date exits 2, a period ending before it
# starts and an unknown customer exit 1 naming the field, and nothing is
# written by them.
set -euo pipefail
bin=$1
src=${PAMINN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
p=("$bin" --db "$dir/p.db" --now 2026-03-02 --data-dir "$src/data")

"${p[@]}" migrate >/dev/null
"${p[@]}" demo-data --invoices 40 >/dev/null
db() { sqlite3 "$dir/p.db" "$1"; }
read -r cust n < <(db "select customer_id, count(*) from invoices where state = 'open' and currency = 'SEK'
  and agency_state = '' group by customer_id order by 2 desc, 1 limit 1" | tr '|' ' ')
[ -n "$cust" ] || fail "no customer with an open invoice in the demo data"

"$bin" --help | grep -q "statement" || fail "statement not in --help"
"${p[@]}" statement --help | grep -q -- "--as-of" || fail "statement --help"
set +e
"${p[@]}" statement --company 1 2>"$dir/err"; rc=$?
[ "$rc" = 2 ] || fail "without --customer: $rc"
"${p[@]}" statement --company 1 --customer "$cust" --as-of 2026-02-30 2>"$dir/err"; rc=$?
[ "$rc" = 2 ] && grep -q "'2026-02-30' is not a valid date" "$dir/err" || fail "bad date: $rc $(cat "$dir/err")"
"${p[@]}" statement --company 1 --customer "$cust" --from 2026-03-01 --to 2026-02-01 2>"$dir/err"; rc=$?
[ "$rc" = 1 ] && grep -q "(from)" "$dir/err" || fail "from after to: $rc $(cat "$dir/err")"
"${p[@]}" statement --company 1 --customer 999999 2>"$dir/err"; rc=$?
[ "$rc" = 1 ] && grep -q "(id)" "$dir/err" || fail "no such customer: $rc $(cat "$dir/err")"
set -e

out=$("${p[@]}" statement --company 1 --customer "$cust" --pdf "$dir/s.pdf")
grep -q "^statement of customer $cust .* as of 2026-03-02, period 2025-12-03..2026-03-02$" <<<"$out" || fail "head: $out"
open=$(grep -c "^invoice [0-9]*: .* left, interest .*, [0-9]* days overdue, OCR [0-9]*$" <<<"$out" || true)
[ "$open" -ge 1 ] || fail "no open invoice listed: $out"
grep -q "^total: $open open, " <<<"$out" || fail "total: $out"
pdftotext -layout "$dir/s.pdf" - | grep -q "KONTOUTDRAG" || fail "the PDF"
[ "$(db "select count(*) from mail_outbox")" = 0 ] || fail "a mail without --email"

db "update customers set email = 'kund@example.se' where id = $cust"
out=$("${p[@]}" statement --company 1 --customer "$cust" --email)
grep -q "^e-mail [0-9]* queued to kund@example.se$" <<<"$out" || fail "e-mail: $out"
[ "$(db "select kind || ' ' || customer_id || ' ' || state || ' ' || (length(attachment) > 1000) from mail_outbox")" = "statement $cust queued 1" ] \
  || fail "the queued mail: $(db 'select kind, customer_id, state from mail_outbox')"
echo "statement: ok"
