#!/usr/bin/env bash
# migrate, company add and user add as an operator uses them.
set -euo pipefail
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Opening a database applies what it lacks; migrate says so and is safe to repeat.
out=$("$bin" --db "$dir/p.db" migrate)
v=$(sqlite3 "$dir/p.db" "select max(version) from schema_migrations")
[ "${v:-0}" -ge 1 ] || fail "no migration recorded"
# It tells how many it applied: every one, on a new file.
n=$(sqlite3 "$dir/p.db" "select count(*) from schema_migrations")
grep -q "^database $dir/p.db: $n migrations applied, schema up to date$" <<<"$out" ||
  fail "first migrate: $out (expected $n applied)"
"$bin" --db "$dir/p.db" migrate | grep -q "0 migrations applied" || fail "second migrate"
[ "$(sqlite3 "$dir/p.db" "select max(version) from schema_migrations")" = "$v" ] || fail "version moved"

out=$("$bin" --db "$dir/p.db" company add --name "Exempel AB" --org-no 556036-0793 --city Umeå)
grep -q "company 1: Exempel AB (556036-0793)" <<<"$out" || fail "company add: $out"

set +e
"$bin" --db "$dir/p.db" company add --name "Fel AB" --org-no 556036-0794 2>"$dir/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "556036-0794" "$dir/err" || fail "bad org no accepted ($rc)"
[ "$(sqlite3 "$dir/p.db" "select count(*) from companies")" = 1 ] || fail "bad company stored"

out=$("$bin" --db "$dir/p.db" user add --email Anna@Example.se --password hemligt123 --company 1)
grep -q "owner of company 1" <<<"$out" || fail "user add: $out"
hash=$(sqlite3 "$dir/p.db" "select password_hash from users")
grep -q '^\$argon2id\$' <<<"$hash" || fail "password not hashed with argon2id: $hash"

set +e
"$bin" --db "$dir/p.db" user add --email x@example.se --password kort --company 1 2>"$dir/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "at least 8" "$dir/err" || fail "short password accepted"
set +e
"$bin" --db "$dir/p.db" user add --email y@example.se --password langtlosen --company 9 2>"$dir/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "no company with id 9" "$dir/err" || fail "unknown company accepted"
echo "admin: ok"
