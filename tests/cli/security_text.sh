#!/usr/bin/env bash
# Free text given on the command line (company and user names, addresses,
# a rate's source) follows the API's rule: bidi embeddings, overrides and
# isolates (U+202A-U+202E, U+2066-U+2069) and control characters are
# refused with the option named (exit 2), and nothing is stored.
set -euo pipefail
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
db=$dir/p.db
count() { sqlite3 "$db" "select count(*) from $1"; }

"$bin" --db "$db" migrate >/dev/null
rlo=$(printf '\xe2\x80\xae')   # U+202E RIGHT-TO-LEFT OVERRIDE
lri=$(printf '\xe2\x81\xa6')   # U+2066 LEFT-TO-RIGHT ISOLATE
lre=$(printf '\xe2\x80\xaa')   # U+202A LEFT-TO-RIGHT EMBEDDING
rlm=$(printf '\xe2\x80\x8f')   # U+200F RIGHT-TO-LEFT MARK: reorders nothing, allowed

# refused: exit 2, the option named on stderr, nothing stored
refused() { # what option -- command...
  local what=$1 option=$2 rc
  shift 3
  set +e
  "$@" >"$dir/out" 2>"$dir/err"; rc=$?
  set -e
  [ "$rc" = 2 ] || fail "$what: exit $rc, not 2 (stdout: $(cat "$dir/out"))"
  grep -q -- "$option: .*bidi" "$dir/err" || fail "$what: stderr does not name $option: $(cat "$dir/err")"
}

refused "company name with U+202E" --name -- "$bin" --db "$db" company add --name "Faktura${rlo}fdp.exe AB" --org-no 556036-0793
refused "company city with U+2066" --city -- "$bin" --db "$db" company add --name "Exempel AB" --org-no 556036-0793 --city "Ume${lri}å"
refused "company address with a tab" --address -- "$bin" --db "$db" company add --name "Exempel AB" --org-no 556036-0793 --address "$(printf 'Storgatan\t1')"
[ "$(count companies)" = 0 ] || fail "a company with a refused text was stored"

out=$("$bin" --db "$db" company add --name "Åkesson & Söner${rlm} AB" --org-no 556036-0793 --city Umeå)
grep -q "company 1: Åkesson & Söner" <<<"$out" || fail "a clean name refused: $out"

refused "user name with U+202A" --name -- "$bin" --db "$db" user add --name "Anna${lre} Admin" --email a@example.se --password-file - --company 1 </dev/null
refused "user e-mail with U+202E" --email -- "$bin" --db "$db" user add --email "a${rlo}@example.se" --password-file - --company 1 </dev/null
[ "$(count users)" = 0 ] || fail "a user with a refused text was stored"
printf 'hemligt123\n' | "$bin" --db "$db" user add --email a@example.se --password-file - --company 1 --name "Anna Ågren" \
  | grep -q "user 1: a@example.se" || fail "a clean user refused"

refused "rate source with U+202E" --source -- "$bin" --db "$db" rates add --source "Riks${rlo}bank" 2099-01-01 2.00
[ "$(count reference_rates)" = 0 ] || fail "a rate with a refused source was stored"
echo "security_text: ok"
