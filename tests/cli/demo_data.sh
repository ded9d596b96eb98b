#!/usr/bin/env bash
# The demo-data command as a user runs it: a fresh database, a fixed date,
# the same figures every time, and clear refusals of bad input.
set -euo pipefail
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$bin" --db "$dir/a.db" --now 2026-03-02 demo-data --invoices 300 --password demo-pass-1)
echo "$out"
grep -q "Snickarglädje i Västerås AB" <<<"$out" || fail "company name missing"
grep -q "invoices:  300 " <<<"$out" || fail "300 invoices expected"
grep -q "log in as demo@example.se with password demo-pass-1" <<<"$out" || fail "login line"

# Deterministic: the same date gives the same figures in a second database.
out2=$("$bin" --db "$dir/b.db" --now 2026-03-02 demo-data --invoices 300 --password demo-pass-1)
diff <(grep -v "built in" <<<"$out" | sed "s#$dir/a.db#X#") \
     <(grep -v "built in" <<<"$out2" | sed "s#$dir/b.db#X#") || fail "not deterministic"

# The same figures straight from the database file.
n=$(sqlite3 "$dir/a.db" "select count(*) from invoices")
[ "$n" = 300 ] || fail "database holds $n invoices"
eur=$(sqlite3 "$dir/a.db" "select count(*) from invoices where currency='EUR'")
[ "$eur" -ge 1 ] || fail "no EUR invoice"
rot=$(sqlite3 "$dir/a.db" "select count(*) from invoices where kind='rot'")
[ "$rot" -ge 1 ] || fail "no ROT invoice"
noaddr=$(sqlite3 "$dir/a.db" "select count(*) from customers where address_line_1='' or zip_code=''")
[ "$noaddr" -ge 1 ] || fail "no incomplete customer card"

# A second run on the same database is refused and changes nothing.
if "$bin" --db "$dir/a.db" demo-data --invoices 5 2>"$dir/err"; then fail "second run accepted"; fi
grep -q "already holds the demo company" "$dir/err" || fail "refusal message"
[ "$(sqlite3 "$dir/a.db" "select count(*) from invoices")" = 300 ] || fail "second run changed data"

# Bad input: exit code 2 and the offending value named.
set +e
"$bin" --db "$dir/c.db" demo-data --invoices 12x 2>"$dir/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "--invoices 12x gave exit $rc"
grep -q "'12x'" "$dir/err" || fail "bad value not named"
set +e
"$bin" --db "$dir/c.db" --now 2026-02-30 migrate 2>"$dir/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "--now 2026-02-30 gave exit $rc"
grep -q "2026-02-30" "$dir/err" || fail "bad date not named"
"$bin" demo-data --help | grep -q "usage: paminn" || fail "demo-data --help"
"$bin" --help | grep -q "demo-data" || fail "--help lists commands"
echo "demo_data: ok"
