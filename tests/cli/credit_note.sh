#!/usr/bin/env bash
# paminn credit-note: a credit note against an invoice from the command
# line — a part (--amount), then the rest with its PDF (--pdf); more than
# is left exits 1 naming the field, usage errors exit 2, and neither
# changes anything.
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
read -r id left < <(db "select id, remaining_minor from invoices i where state = 'open' and currency = 'SEK'
  and agency_state = '' and remaining_minor = customer_part_minor and remaining_minor > 20000
  and not exists (select 1 from invoice_books b where b.company_id = i.company_id and b.invoice_id = i.id
                  and (b.expected_loss_minor > 0 or b.loss_gross_minor > 0))
  order by id limit 1" | tr '|' ' ')
[ -n "$id" ] || fail "no open SEK invoice in the demo data"
vouchers() { db "select count(*) from vouchers"; }
v0=$(vouchers)

"$bin" --help | grep -q "credit-note" || fail "credit-note not in --help"
"${p[@]}" credit-note --help | grep -q -- "--reason" || fail "credit-note --help"
set +e
"${p[@]}" credit-note --company 1 --invoice "$id" 2>"$dir/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "without --reason: $rc"
set +e
"${p[@]}" credit-note --company 1 --invoice "$id" --reason x --amount 12,345 2>"$dir/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "'12,345' is not a valid amount" "$dir/err" || fail "bad amount: $rc $(cat "$dir/err")"
set +e
"${p[@]}" credit-note --company 1 --invoice "$id" --reason x --amount "$(( left / 100 + 1 ))" 2>"$dir/err"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q "(amount_minor)" "$dir/err" || fail "beyond what is left: $rc $(cat "$dir/err")"
[ "$(db 'select count(*) from credit_notes')" = 0 ] && [ "$(vouchers)" = "$v0" ] || fail "a refusal wrote"

out=$("${p[@]}" credit-note --company 1 --invoice "$id" --reason "Rabatt" --amount 100)
grep -q "^credit note 1 (id [0-9]*): 100,00.*kr credited, voucher 2026-[0-9]*, $(( left - 10000 )) öre left" <<<"$out" \
  || fail "partial: $out"
out=$("${p[@]}" credit-note --company 1 --invoice "$id" --reason "Makulerad" --pdf "$dir/k.pdf")
grep -q "^credit note 2 .* 0 öre left on the invoice" <<<"$out" || fail "the rest: $out"
[ "$(db "select state from invoices where id = $id")" = credited ] || fail "not credited"
[ "$(vouchers)" = $(( v0 + 2 )) ] || fail "two vouchers"
pdftotext "$dir/k.pdf" - | grep -q "KREDITFAKTURA" || fail "the PDF"
echo "credit-note: ok"
