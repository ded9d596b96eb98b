#!/usr/bin/env bash
# Time `paminn demo-data --invoices N` into a fresh SQLite file and into a
# fresh database of a private PostgreSQL server (scripts/pg-server.sh), side
# by side in one run, several runs each: min and median of the wall time and
# of the CPU time of paminn (user + sys; the PostgreSQL server's own CPU is
# not in it), with the machine and its load.
#
#   bench/demo-data.sh [N ...]          default: 100000
#   RUNS=3                              runs per engine and N
#   ENGINES="sqlite pg"                 which engines
#   OLD_REF=<git ref>                   also time the build of that commit
#                                       (e.g. the one before the batches), from
#                                       `git archive` into a build dir of its own
#   OLD_BIN=<path>                      or a paminn built from it already
#   PG_DURABLE=1                        the server flushes as in production
#   DEMO_ARGS=--no-vouchers             more options of demo-data (vouchers are
#                                       booked by default up to 50 000 invoices)
#
# Output: one Markdown table row per (engine, build, N), for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000)
runs=${RUNS:-3}
engines=${ENGINES:-sqlite pg}

cmake --preset default >/dev/null && nice -n 10 cmake --build --preset default >/dev/null
dir=$(mktemp -d)
pgdir="$dir/pg"
cleanup() {
  [ -d "$pgdir" ] && bash scripts/pg-server.sh stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

declare -A bins=([new]=build/default/paminn)
if [ -n "${OLD_REF:-}" ]; then
  mkdir -p "$dir/old-src"
  git archive "$OLD_REF" | tar -x -C "$dir/old-src"
  cmake -S "$dir/old-src" -B "$dir/old-build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=gcc >/dev/null
  nice -n 10 cmake --build "$dir/old-build" --target paminn >/dev/null
  bins[old]="$dir/old-build/paminn"
elif [ -n "${OLD_BIN:-}" ]; then
  bins[old]=$OLD_BIN
fi

dsn_base=
if [[ " $engines " == *" pg "* ]]; then
  dsn=$(bash scripts/pg-server.sh start "$pgdir" | tail -1)
  dsn_base=${dsn%/postgres}
fi

# One run: prints "wall cpu" in seconds.
run_once() {
  local bin=$1 engine=$2 n=$3 i=$4 db
  if [ "$engine" = sqlite ]; then
    db="$dir/bench-$i.db"
    rm -f "$db" "$db-wal" "$db-shm"
  else
    psql -q "$dsn_base/postgres" -c "CREATE DATABASE bench_$i" >/dev/null
    db="$dsn_base/bench_$i"
  fi
  /usr/bin/time -f "%e %U %S" -o "$dir/time" "$bin" --db "$db" --now 2026-11-02 \
    demo-data --invoices "$n" --password bench-pass-1 ${DEMO_ARGS:-} >"$dir/out" 2>"$dir/err" ||
    { cat "$dir/err" >&2; exit 1; }
  if [ "$engine" = sqlite ]; then
    rm -f "$db" "$db-wal" "$db-shm"
  else
    psql -q "$dsn_base/postgres" -c "DROP DATABASE bench_$i" >/dev/null
  fi
  awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$dir/time"
}

# min and median of the numbers on stdin
stats() {
  sort -n | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
    printf "%.1f / %.1f", v[1], m }'
}

printf '| engine | build | invoices | runs | wall s (min / median) | paminn CPU s (min / median) |\n'
printf '|---|---|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
  for engine in $engines; do
    for build in "${!bins[@]}"; do
      : >"$dir/walls"
      : >"$dir/cpus"
      for i in $(seq 1 "$runs"); do
        read -r wall cpu < <(run_once "${bins[$build]}" "$engine" "$n" "$i")
        echo "$wall" >>"$dir/walls"
        echo "$cpu" >>"$dir/cpus"
      done
      printf '| %s | %s | %s | %s | %s | %s |\n' "$engine" "$build" "$n" "$runs" \
        "$(stats <"$dir/walls")" "$(stats <"$dir/cpus")"
    done
  done
done
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)," \
  "$(date -u +%Y-%m-%dT%H:%MZ), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
