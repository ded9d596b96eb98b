#!/usr/bin/env bash
# paminn remind: manual reminders of invoices from the command line, with
# --email queueing each reminder's e-mail (sent later by `paminn serve
# --smtp-url`); usage errors exit 2 and change nothing.
set -euo pipefail
bin=$1
src=${PAMINN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
p=("$bin" --db "$dir/p.db" --now 2026-03-02 --data-dir "$src/data")

"${p[@]}" migrate >/dev/null
"${p[@]}" demo-data --invoices 60 >/dev/null
db() { sqlite3 "$dir/p.db" "$1"; }
# two open overdue SEK invoices of customers with an e-mail address, one of a customer without
with=$(db "select i.id from invoices i join customers c on c.company_id = i.company_id and c.id = i.customer_id
  where i.state = 'open' and i.currency = 'SEK' and i.due_date < 20500 and i.agency_state = '' and c.email <> ''
  order by i.id limit 2" | tr '\n' ' ')
[ -n "$with" ] || fail "no overdue invoice with an e-mail address in the demo data"

"$bin" --help | grep -q "remind" || fail "remind not in --help"
"${p[@]}" remind --help | grep -q -- "--email" || fail "remind --help"
set +e
"${p[@]}" remind --company 1 2>"$dir/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "INVOICE_ID" "$dir/err" || fail "remind without ids: $rc"
set +e
"${p[@]}" remind --company 1 --email x 2>"$dir/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "'x' is not an invoice id" "$dir/err" || fail "bad id: $rc"
[ "$(db 'select count(*) from reminders')" = 0 ] || fail "a usage error made reminders"

# shellcheck disable=SC2086
out=$("${p[@]}" remind --company 1 --email $with)
grep -q "reminders: 2 made, 0 refused, 2 e-mails queued" <<<"$out" || fail "remind --email: $out"
[ "$(db "select count(*) from mail_outbox where state = 'queued'")" = 2 ] || fail "mails not queued"
[ "$(db "select count(distinct message_id) from mail_outbox")" = 2 ] || fail "message ids"
# the same invoices again: new reminders, each its own mail
# shellcheck disable=SC2086
out=$("${p[@]}" remind --company 1 $with)
grep -q "reminders: 2 made, 0 refused, 0 e-mails queued" <<<"$out" || fail "remind (letter): $out"
[ "$(db 'select count(*) from mail_outbox')" = 2 ] || fail "a letter reminder queued a mail"
echo "remind: ok"
