#!/usr/bin/env bash
# A private PostgreSQL server for the tests and benchmarks of Påminn.
#
#   scripts/pg-server.sh start DIR [PORT]   initdb + start; prints the DSN
#   scripts/pg-server.sh stop DIR           stop it and remove DIR (its log
#                                           is kept as DIR.log)
#   scripts/pg-server.sh dsn DIR            print the DSN of a running one
#   scripts/pg-server.sh start-standby DIR PRIMARY_DIR [PORT] [--sync]
#                                           a streaming standby of PRIMARY_DIR's
#                                           server (--sync: synchronous commit)
#   scripts/pg-server.sh promote DIR        make that standby the primary
#   scripts/pg-server.sh kill DIR           kill -9 the server (a lost primary)
#   scripts/pg-server.sh with-db DIR CMD... run CMD with PAMINN_TEST_DSN set to
#                                           a fresh database (dropped after)
#   PG_DURABLE=1 scripts/pg-server.sh start  files flushed as in production
#                                           (benchmarks); default: no fsync
#
# The server runs from the distribution's binaries (/usr/lib/postgresql/*/bin;
# the `postgresql` package is installed with apt when they are missing), as an
# unprivileged user (`postgres` when run as root, else the caller), on a data
# directory of its own inside DIR, listening on 127.0.0.1 only on PORT (default:
# a free port) with its Unix socket inside DIR too.  Trust authentication for
# the superuser `paminn`: a throwaway test server, never reachable from outside.
# The DSN printed is postgresql://paminn@127.0.0.1:PORT/postgres; tests create
# their own databases on it.  A DIR left by a killed run is cleaned up first.
set -euo pipefail

die() {
  echo "pg-server: $*" >&2
  exit 1
}

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# The newest installed server's bin directory, or nothing.
find_bindir() {
  local d
  # The glob sorts 10 before 9: pick the highest version number.
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && echo "$d"
  done | sort -t/ -k5,5n | tail -n 1
}

install_server() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "pg-server: installing PostgreSQL from the distribution" >&2
  # Only our private clusters are wanted: no default cluster on port 5432.
  $sudo mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" |
    $sudo tee /etc/postgresql-common/createcluster.d/paminn-no-main.conf >/dev/null
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    postgresql postgresql-client >&2
}

# Run a server binary as the unprivileged user that owns the cluster.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    port_in_use "$p" || { echo "$p"; return; }
  done
  die "no free port found"
}

# Stop whatever a previous run left in DIR and remove it.
cleanup_dir() {
  local dir=$1 bindir=$2 data
  [ -e "$dir" ] || return 0
  data=$(cat "$dir/datadir" 2>/dev/null || echo "$dir/data")
  if [ -n "$bindir" ] && [ -f "$data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$data" stop -m immediate -w -t 30 >/dev/null 2>&1 || true
    # A postmaster killed with -9 leaves its backends; end them by pid.
    local pid
    pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
      grep -q postgres "/proc/$pid/cmdline" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  local home
  home=$(cat "$dir/home" 2>/dev/null || echo "$dir")
  case $data in "$dir"/*) ;; *) rm -rf "$data" ;; esac
  case $home in "$dir") ;; /tmp/paminn-pg.*) rm -rf "$home" ;; esac
  rm -rf "$dir"
}

# The server binaries, installed when missing.
need_bindir() {
  local bindir
  bindir=$(find_bindir)
  if [ -z "$bindir" ]; then
    install_server
    bindir=$(find_bindir)
    [ -n "$bindir" ] || die "PostgreSQL was installed but no initdb was found"
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    die "running as root but there is no 'postgres' user to run the server as"
  fi
  echo "$bindir"
}

# Make DIR afresh and the directory the server writes in (prints it).
# Everything the server writes (data, log, socket) lives in one directory
# its user can reach: DIR itself, or — when DIR is inside a private
# directory (a checkout under /root, or any `mktemp -d`) — a private
# directory of its own under /tmp, named in DIR/home.
make_home() {
  local dir=$1 bindir=$2 home
  cleanup_dir "$dir" "$bindir"
  mkdir -p "$dir"
  home=$dir
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then
      home=$(mktemp -d /tmp/paminn-pg.XXXXXX)
      chown postgres: "$home"
    fi
  fi
  echo "$home" >"$dir/home"
  echo "$home/data" >"$dir/datadir"
  echo "$home"
}

# Start the server of DIR on PORT (or a free one, five tries); write and
# print its DSN.
launch() {
  local dir=$1 bindir=$2 port=${3:-} home data log tries
  home=$(cat "$dir/home")
  data=$home/data
  log=$home/server.log
  for tries in 1 2 3 4 5; do
    [ -n "$port" ] || port=$(free_port)
    if as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t 60 start >/dev/null; then
      echo "postgresql://paminn@127.0.0.1:$port/postgres" >"$dir/dsn"
      echo "$port" >"$dir/port"
      echo "$bindir" >"$dir/bindir"
      cat "$dir/dsn"
      return 0
    fi
    [ -z "${3:-}" ] || break # an explicit port: no second try
    port=""
  done
  tail -n 20 "$log" >&2 || true
  die "the server did not start"
}

cmd_start() {
  local dir=$1 port=${2:-} bindir home data sock
  bindir=$(need_bindir)
  dir=$(realpath -m "$dir")
  home=$(make_home "$dir" "$bindir")
  data=$home/data
  sock=$home
  [ ${#sock} -lt 80 ] || sock=""
  as_owner "$bindir/initdb" -D "$data" -U paminn -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    die "initdb failed"
  }
  # Tests: no flushing at all.  Benchmarks (PG_DURABLE=1): crash-safe files
  # and commits that may lose their last moment on power loss — what the
  # SQLite engine's WAL with synchronous=NORMAL gives, for a fair comparison.
  local fsync=off
  [ "${PG_DURABLE:-0}" = 0 ] || fsync=on
  cat >>"$data/postgresql.conf" <<EOF
# scripts/pg-server.sh: a private, throwaway server
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
max_connections = 400
fsync = $fsync
full_page_writes = $fsync
synchronous_commit = off
shared_buffers = 128MB
max_locks_per_transaction = 256
max_pred_locks_per_transaction = 256
log_min_messages = warning
log_min_error_statement = panic
EOF
  launch "$dir" "$bindir" "$port"
}

# A standby of the server in PRIMARY: a base backup streamed from it, then
# streaming replication (hot standby: it answers reads).  With --sync the
# primary waits for this standby to have flushed every commit before it
# acknowledges it (synchronous_standby_names, synchronous_commit = on), so
# no acknowledged commit is lost when the primary dies.
cmd_start_standby() {
  local dir=$1 primary=$2 port=${3:-} sync=${4:-} bindir home data sock pport psql
  if [ "$port" = "--sync" ]; then sync=--sync; port=""; fi
  primary=$(realpath -m "$primary")
  [ -f "$primary/port" ] || die "no server in $primary (run: $0 start $primary)"
  bindir=$(cat "$primary/bindir")
  pport=$(cat "$primary/port")
  psql=$bindir/psql
  dir=$(realpath -m "$dir")
  home=$(make_home "$dir" "$bindir")
  data=$home/data
  sock=$home
  [ ${#sock} -lt 80 ] || sock=""
  as_owner "$bindir/pg_basebackup" -h 127.0.0.1 -p "$pport" -U paminn -D "$data" \
    -X stream -c fast --no-sync >"$dir/basebackup.log" 2>&1 || {
    cat "$dir/basebackup.log" >&2
    die "pg_basebackup from $primary failed"
  }
  as_owner touch "$data/standby.signal"
  {
    echo "# scripts/pg-server.sh start-standby: streaming from the server in $primary"
    echo "unix_socket_directories = '$sock'"
    echo "primary_conninfo = 'host=127.0.0.1 port=$pport user=paminn application_name=paminn_standby'"
    echo "hot_standby = on"
  } | as_owner tee -a "$data/postgresql.conf" >/dev/null
  launch "$dir" "$bindir" "$port" >/dev/null
  if [ "$sync" = "--sync" ]; then
    "$psql" -X -q -d "$(cat "$primary/dsn")" \
      -c "ALTER SYSTEM SET synchronous_standby_names = 'paminn_standby'" \
      -c "ALTER SYSTEM SET synchronous_commit = 'on'" -c "SELECT pg_reload_conf()" >/dev/null
  fi
  # Up when the primary sees it streaming (and, with --sync, as synchronous).
  local want=async i
  [ "$sync" = "--sync" ] && want=sync
  for i in $(seq 1 120); do
    if [ "$("$psql" -X -q -A -t -d "$(cat "$primary/dsn")" -c "SELECT sync_state FROM pg_stat_replication
        WHERE application_name = 'paminn_standby' AND state = 'streaming'")" = "$want" ]; then
      cat "$dir/dsn"
      return 0
    fi
    sleep 0.5
  done
  tail -n 20 "$home/server.log" >&2 || true
  die "the standby in $dir is not streaming from $primary"
}

# Make the standby in DIR the primary (pg_ctl promote, waiting until it
# accepts writes).
cmd_promote() {
  local dir bindir data
  dir=$(realpath -m "$1")
  bindir=$(cat "$dir/bindir")
  data=$(cat "$dir/datadir")
  as_owner "$bindir/pg_ctl" -D "$data" promote -w -t 60 >/dev/null || die "promoting $dir failed"
}

# kill -9 the server of DIR (its postmaster, then its backends): a primary
# lost, for the failover test.
cmd_kill() {
  local dir data pid i
  dir=$(realpath -m "$1")
  data=$(cat "$dir/datadir")
  [ -n "$data" ] || die "no server in $dir"
  pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null) || die "no server running in $dir"
  kill -KILL "$pid"
  # Its backends end when they notice; end them now, by their parent.
  pkill -KILL -P "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    port_in_use "$(cat "$dir/port")" || return 0
    sleep 0.1
  done
  die "the server in $dir still listens after kill -9"
}

cmd_stop() {
  local dir bindir
  dir=$(realpath -m "$1")
  bindir=$(cat "$dir/bindir" 2>/dev/null || find_bindir)
  cleanup_dir_fast "$dir" "$bindir"
}

# A clean stop (fast mode), then the same removal as for a stale directory.
cleanup_dir_fast() {
  local dir=$1 bindir=$2 data
  [ -e "$dir" ] || return 0
  data=$(cat "$dir/datadir" 2>/dev/null || echo "$dir/data")
  if [ -n "$bindir" ] && [ -f "$data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$data" stop -m fast -w -t 60 >/dev/null 2>&1 || true
  fi
  # The server's log outlives it (DIR.log), for a look after failed tests.
  cp "$(cat "$dir/home" 2>/dev/null || echo "$dir")/server.log" "$dir.log" 2>/dev/null || true
  cleanup_dir "$dir" "$bindir"
}

cmd_dsn() {
  local dir
  dir=$(realpath -m "$1")
  [ -f "$dir/dsn" ] || die "no server in $dir (run: $0 start $dir)"
  cat "$dir/dsn"
}

# PAMINN_TEST_DSN for one command: a database of its own, dropped afterwards.
cmd_with_db() {
  local dir=$1 base db name psql rc=0
  shift
  base=$(cmd_dsn "$dir")
  # The server's own psql (Debian's /usr/bin/psql is a slow Perl wrapper).
  psql=$(cat "$(realpath -m "$dir")/bindir")/psql
  name="pm_$(date +%s)_$$_$RANDOM"
  "$psql" -X -q -d "$base" -c "CREATE DATABASE $name" >/dev/null || die "CREATE DATABASE $name failed"
  db="${base%/*}/$name"
  PAMINN_TEST_DSN=$db "$@" || rc=$?
  "$psql" -X -q -d "$base" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  return $rc
}

[ $# -ge 2 ] || usage
case $1 in
  start) [ $# -le 3 ] || usage; cmd_start "$2" "${3:-}" ;;
  stop) cmd_stop "$2" ;;
  dsn) cmd_dsn "$2" ;;
  start-standby) [ $# -ge 3 ] && [ $# -le 5 ] || usage; shift; cmd_start_standby "$@" ;;
  promote) cmd_promote "$2" ;;
  kill) cmd_kill "$2" ;;
  with-db) shift; cmd_with_db "$@" ;;
  *) usage ;;
esac
