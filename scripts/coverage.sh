#!/usr/bin/env bash
# Measure line and branch coverage of the unit and HTTP suites, on SQLite and
# on PostgreSQL: build the `coverage` preset (gcc --coverage -O0, in
# build/coverage), run
#   - the unit tests and the CLI tests,
#   - http.api, http.amili, http.mail and http.webhooks on SQLite,
#   - unit.store_test.pg, unit.store_books_test.pg, unit.store_faults_test.pg,
#     http.api.pg, http.amili.pg, http.mail.pg and http.webhooks.pg on a
#     private PostgreSQL server
#     (pg.start / pg.stop),
# and print the line and branch coverage of src/api, src/agency and
# src/store (gcovr, Debian's package; installed here when missing, the test
# command does not need it).  Figures of a run are written down in
# docs/testing.md.
#
#   scripts/coverage.sh            everything above (about 25 min on 2 cores)
#   scripts/coverage.sh --report   only the report of the last run
#
# A suite that fails is reported and the figures still printed (what ran is
# counted); the exit status is then 1.  HTML per file: build/coverage/html/.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=build/coverage

if ! command -v gcovr >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "coverage: installing gcovr (Debian package)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gcovr || exit 1
fi

status=0
if [ "${1:-}" != "--report" ]; then
  cmake --preset coverage >/dev/null || exit 1
  cmake --build --preset coverage || exit 1
  # Counts from an earlier run would be added to this one's.
  find "$build" -name '*.gcda' -delete
  ctest --preset coverage -R '^(unit|cli)\.|^http\.(api|amili|mail|webhooks)$' -E '\.pg$' ||
    status=1
  ctest --preset coverage \
    -R '^pg\.(start|stop)$|^unit\.store_(books_|faults_)?test\.pg$|^http\.(api|amili|mail|webhooks)\.pg$' ||
    status=1
fi

# The server's threads update the counters at once: the preset counts
# atomically (-fprofile-update=atomic); a count a build without it garbled
# ("taken -1") is skipped rather than failing the whole report.
gcovr_opts=(--root "$repo" --object-directory "$build" --gcov-ignore-parse-errors)

# The summary only: the text report goes to a file of the build directory
# (gcovr replaces the file it writes, so never a device such as /dev/null).
summary() { # directory
  gcovr "${gcovr_opts[@]}" --filter "$repo/$1/" --print-summary --output "$build/summary.txt" \
    2>/dev/null |
    sed -n 's/^\(lines\|branches\): */\1 /p' | tr '\n' ' '
}

echo
echo "coverage of $(git -C "$repo" rev-parse --short HEAD) on $(date -u +%Y-%m-%d):"
for dir in src/api src/agency src/store src/store/sqlite src/store/pg src/core; do
  printf '  %-18s %s\n' "$dir" "$(summary "$dir")"
done
mkdir -p "$build/html"
gcovr "${gcovr_opts[@]}" --filter "$repo/src/" --html-details "$build/html/index.html" \
  2>/dev/null || true
echo "per file: $build/html/index.html"
exit $status
