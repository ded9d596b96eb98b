#!/usr/bin/env bash
# Run every test of Påminn: install what is missing, build, then
#   1. unit and CLI tests (gcc, RelWithDebInfo), and the store and HTTP suites
#      again on PostgreSQL: a private server that scripts/pg-server.sh
#      installs if missing, starts as an unprivileged user and stops at the
#      end (CTest fixture pg.start / pg.stop, see CMakeLists.txt),
#   2. the same tests under AddressSanitizer + UndefinedBehaviorSanitizer (clang),
#   3. short libFuzzer runs of every parser (clang).
# Ends with one summary line "total: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh || exit 1

passed=0
failed=0
status=0
logdir=build/test-logs
mkdir -p "$logdir"

run_suite() { # name preset
  local name=$1 preset=$2 log="$logdir/$1.log"
  echo "== $name: configure and build (preset $preset)"
  if ! cmake --preset "$preset" >"$logdir/$name.configure.log" 2>&1; then
    cat "$logdir/$name.configure.log"; status=1; failed=$((failed + 1)); return
  fi
  if ! cmake --build --preset "$preset"; then
    status=1; failed=$((failed + 1)); return
  fi
  echo "== $name: ctest"
  ctest --preset "$preset" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    local total fail
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    fail=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
    passed=$((passed + total - fail))
    failed=$((failed + fail))
  elif [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
  fi
  [ "$rc" -eq 0 ] || status=1
}

run_suite unit default
run_suite sanitizers asan
run_suite fuzz fuzz

echo
echo "total: $passed passed, $failed failed"
exit $status
