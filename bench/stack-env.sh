# stack-env.sh — sourced by the benchmarks that run Påminn with the
# amili-sandbox (handover.sh, handover-accept.sh), from the repository's
# root: the binaries ($PAMINN_BIN and $AMILI_SANDBOX_BIN, default: the
# default preset, built), and unless BENCH_PG=0 or BENCH_PG_DSN names one,
# a private durable PostgreSQL server (scripts/pg-server.sh) stopped when
# the script exits.  Exports BENCH_PG_DSN ('' = SQLite only).
if [ -z "${PAMINN_BIN:-}" ] || [ -z "${AMILI_SANDBOX_BIN:-}" ]; then
  cmake --preset default >/dev/null && cmake --build --preset default >/dev/null
  export PAMINN_BIN=${PAMINN_BIN:-$PWD/build/default/paminn}
  export AMILI_SANDBOX_BIN=${AMILI_SANDBOX_BIN:-$PWD/build/default/sandbox/amili-sandbox}
fi
if [ "${BENCH_PG:-1}" != 0 ] && [ -z "${BENCH_PG_DSN:-}" ]; then
  pgdir=$PWD/build/bench-pg
  trap 'scripts/pg-server.sh stop "$pgdir"' EXIT
  BENCH_PG_DSN=$(PG_DURABLE=1 scripts/pg-server.sh start "$pgdir")
fi
export BENCH_PG_DSN=${BENCH_PG_DSN:-}
