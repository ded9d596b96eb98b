#!/usr/bin/env bash
# A long fuzz campaign: every libFuzzer target of tests/fuzz/ run to at least
# FUZZ_RUNS executions, one target after the other in one process each,
# starting from its committed seeds (tests/fuzz/seeds/<target>/) and a
# working corpus kept in the build tree between campaigns.  Inputs that add
# coverage are merged back into the committed seeds (-merge=1 adds only
# those), so the short runs of the test command start where this one ended.
# Prints a Markdown table for docs/fuzzing.md with the machine it ran on.
#
#   bench/fuzz-long.sh                      every target, 1 000 000 runs each
#   FUZZ_RUNS=200000 bench/fuzz-long.sh     fewer runs
#   FUZZ_TARGETS="money_fuzz bgmax_fuzz" bench/fuzz-long.sh   some targets
#   FUZZ_MERGE=0                            leave the seeds alone
#   FUZZ_NICE=10                            niceness of the fuzzers (default 10)
#   FUZZ_MAX_LEN=4096 FUZZ_TIMEOUT=30       longest input, seconds per input
#
# A crash or sanitizer report stops that target (the others still run): the
# input is kept as build/fuzz/fuzz-long/artifacts/<target>-crash-<sha1>, the
# log beside it, and the script exits 1 at the end.  Reproduce with
# build/fuzz/<target> <input>.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${FUZZ_RUNS:-1000000}
merge=${FUZZ_MERGE:-1}
niceness=${FUZZ_NICE:-10}
max_len=${FUZZ_MAX_LEN:-4096}
timeout=${FUZZ_TIMEOUT:-30}

cmake --preset fuzz >/dev/null
nice -n "$niceness" cmake --build --preset fuzz >/dev/null

if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  targets=()
  for src in tests/fuzz/*_fuzz.c; do
    targets+=("$(basename "$src" .c)")
  done
fi

out=build/fuzz/fuzz-long
mkdir -p "$out/artifacts" "$out/logs"
rows=()
crashed=0
started=$(date -u +%Y-%m-%d)

# The value after `key:` on the last status line of a libFuzzer log.
last_field() {
  grep -E '^#[0-9]+' "$2" | tail -1 | sed -nE "s/.* $1: ([0-9]+).*/\\1/p"
}
# A stat::name line of -print_final_stats.
final_stat() {
  sed -nE "s/^stat::$1: *([0-9]+)/\\1/p" "$2" | tail -1
}

for t in "${targets[@]}"; do
  bin=build/fuzz/$t
  seeds=tests/fuzz/seeds/$t
  work=build/fuzz/corpus-long/$t
  log=$out/logs/$t.log
  [ -x "$bin" ] || { echo "no such fuzz target: $t" >&2; exit 2; }
  mkdir -p "$work"
  dirs=("$work")
  [ -d "$seeds" ] && dirs+=("$seeds")
  echo "== $t ($(date -u +%H:%M:%S))" >&2
  t0=$(date +%s)
  found_before=$(find "$out/artifacts" -name "$t-*" ! -name '*.log' | wc -l)
  status=0
  nice -n "$niceness" "$bin" -runs="$runs" -max_len="$max_len" -timeout="$timeout" \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" \
    "${dirs[@]}" >"$log" 2>&1 || status=$?
  secs=$(($(date +%s) - t0))
  execs=$(final_stat number_of_executed_units "$log")
  eps=$(final_stat average_exec_per_sec "$log")
  cov=$(last_field cov "$log")
  ft=$(last_field ft "$log")
  crashes=$(($(find "$out/artifacts" -name "$t-*" ! -name '*.log' | wc -l) - found_before))
  if [ "$status" != 0 ]; then
    crashed=1
    cp "$log" "$out/artifacts/$t.log"
    [ "$crashes" -gt 0 ] || crashes="exit $status"
  fi
  added=-
  if [ "$merge" = 1 ] && [ -d "$seeds" ] && git ls-files --error-unmatch "$seeds" >/dev/null 2>&1; then
    before=$(find "$seeds" -type f | wc -l)
    nice -n "$niceness" "$bin" -merge=1 -max_len="$max_len" -timeout="$timeout" \
      -rss_limit_mb=2048 "$seeds" "$work" >"$out/logs/$t.merge.log" 2>&1 ||
      echo "merge failed for $t: see $out/logs/$t.merge.log" >&2
    added=$(($(find "$seeds" -type f | wc -l) - before))
  fi
  corpus_files=$(find "$work" -type f | wc -l)
  seed_files=$( [ -d "$seeds" ] && find "$seeds" -type f | wc -l || echo 0)
  seed_kib=$( [ -d "$seeds" ] && du -sk "$seeds" | cut -f1 || echo 0)
  seeds_cell="$seed_files ($seed_kib KiB)"
  [ "$added" = - ] || seeds_cell="$seed_files (+$added, $seed_kib KiB)"
  rows+=("| \`$t\` | ${execs:-?} | ${eps:-?} | ${cov:-?} | ${ft:-?} | $corpus_files | $seeds_cell | $crashes | $secs |")
done

cpu=$(sed -nE 's/^model name\s*: //p' /proc/cpuinfo | head -1)
echo
echo "| target | executions | exec/s | coverage (edges) | features | working corpus | committed seeds (added, size) | crashes | seconds |"
echo "|---|---:|---:|---:|---:|---:|---|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "date: $started; machine: $cpu, $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB," \
  "$(uname -r), clang $(clang -dumpversion); one target at a time, nice $niceness," \
  "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$crashed"
