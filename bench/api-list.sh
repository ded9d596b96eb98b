#!/usr/bin/env bash
# The overdue invoice list over HTTP at a million invoices, side by side with
# nginx serving a static file of the same size, in one run on this machine,
# with Påminn on SQLite and on PostgreSQL.
# Repeated reads of a page are answered from the server's answer cache;
# the "every request a miss" run (bench/list-miss.lua) asks for a
# different page each time, so it measures the database and JSON path.
#
#   bench/api-list.sh [DB]      DB: a demo database with 1 000 000 invoices;
#                               made (and kept as var/bench-1m.db) if missing.
# PostgreSQL: a private server (scripts/pg-server.sh, PG_DURABLE=1) under
# build/bench-pg-list, or BENCH_PG_DSN=postgresql://... (a superuser's; a
# database bench_<N> there is reused when it holds N invoices); the demo data
# is copied there from the SQLite database (bench/pg-copy.sh; PG_LOAD=demo:
# made with `paminn demo-data` instead) and its time reported.  PG_INVOICES
# (default 1000000) invoices; BENCH_PG=0: SQLite only.
# Environment: DURATION (seconds per run, default 20), ROUNDS (default 1:
# the runs repeated, alternating, then min and median of the misses and
# their ratios per round), CONNECTIONS (64),
# PAMINN_BIN (a built binary; default: build the default preset), THREADS (paminn worker threads, default 4), BENCH_PASSWORD (the demo user's, default bench-pass-1).
# Prints a Markdown table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk nginx curl sqlite3 awk; do
  command -v "$tool" >/dev/null || { echo "bench: install $tool (apt-get install wrk nginx-light curl sqlite3)"; exit 2; }
done
duration=${DURATION:-20}
conns=${CONNECTIONS:-64}
threads=${THREADS:-4}
now=2026-11-02
bin=${PAMINN_BIN:-build/default/paminn}
if [ -z "${PAMINN_BIN:-}" ]; then
  cmake --preset default >/dev/null && cmake --build --preset default >/dev/null
fi
db=${1:-var/bench-1m.db}
if [ ! -f "$db" ]; then
  mkdir -p "$(dirname "$db")"
  echo "bench: building $db (1 000 000 invoices, takes minutes)" >&2
  "$bin" --db "$db" --now "$now" demo-data --invoices 1000000 --password bench-pass-1 >&2
fi
n=$(sqlite3 "$db" "select count(*) from invoices")

dir=$(mktemp -d)
pids=()
pgdir=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$dir"
  [ -z "$pgdir" ] || scripts/pg-server.sh stop "$pgdir"
}
trap cleanup EXIT

# PostgreSQL: a server, and a database with the same demo data.
pg_db=""
pg_seconds=""
pg_load=""
pg_n=${PG_INVOICES:-1000000}
if [ "${BENCH_PG:-1}" != 0 ]; then
  pg_dsn=${BENCH_PG_DSN:-}
  if [ -z "$pg_dsn" ]; then
    pgdir=$PWD/build/bench-pg-list
    pg_dsn=$(PG_DURABLE=1 scripts/pg-server.sh start "$pgdir")
  fi
  psql_bin=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -t/ -k5,5n | tail -n 1)
  psql_bin=${psql_bin:-psql}
  pg_db="${pg_dsn%/*}/bench_$pg_n"
  have=$("$psql_bin" -X -At -d "$pg_db" -c "select count(*) from invoices" 2>/dev/null || echo 0)
  if [ "$have" != "$pg_n" ]; then
    "$psql_bin" -X -q -d "$pg_dsn" -c "DROP DATABASE IF EXISTS bench_$pg_n WITH (FORCE)" \
        -c "CREATE DATABASE bench_$pg_n"
    t0=$(date +%s.%N)
    if [ "${PG_LOAD:-copy}" = copy ] && [ "$n" = "$pg_n" ]; then
      # The SQLite database's very rows, copied (bench/pg-copy.sh).
      echo "bench: copying the SQLite demo data to PostgreSQL ($pg_n invoices)" >&2
      PAMINN_BIN=$bin bench/pg-copy.sh "$db" "$pg_db"
      pg_load=copied
    else
      echo "bench: demo data on PostgreSQL ($pg_n invoices)" >&2
      "$bin" --db "$pg_db" --now "$now" demo-data --invoices "$pg_n" --password bench-pass-1 >&2
      pg_load="made by demo-data"
    fi
    pg_seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  fi
fi

# Start paminn serve on a database; log in, make an API token, find the
# overdue list's first page and a page deep in it.  Writes $dir/<key>.*.
start_paminn() { # key db
  local key=$1 db=$2 d="$dir/$1" base token csrf cursor
  mkdir -p "$d"
  # wrk's $conns connections all come from 127.0.0.1: past the default
  # limit per address (32) the rest would be refused and reopened again
  # and again, which measures accept() and close(), not the list.
  "$bin" --db "$db" --now "$now" serve --listen 127.0.0.1:0 --threads "$threads" \
      --max-conns-per-ip "$conns" >"$d/serve.out" 2>/dev/null &
  pids+=($!)
  echo $! >"$d/pid"
  for _ in $(seq 100); do grep -q listening "$d/serve.out" 2>/dev/null && break; sleep 0.1; done
  base=$(sed -n 's/^paminn: listening on //p' "$d/serve.out")
  curl -sf -c "$d/jar" -H 'Content-Type: application/json' \
      -d "{\"email\":\"demo@example.se\",\"password\":\"${BENCH_PASSWORD:-bench-pass-1}\"}" "$base/api/v1/session" >"$d/login.json"
  csrf=$(sed -n 's/.*"csrf_token" *: *"\([^"]*\)".*/\1/p' "$d/login.json")
  token=$(curl -sf -b "$d/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
      -d '{"name":"bench"}' "$base/api/v1/companies/1/tokens" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
  curl -sf -H "Authorization: Bearer $token" "$base$first" >"$d/page1.json"
  cursor=$(sed -n 's/.*"next_cursor" *: *"\([^"]*\)".*/\1/p' "$d/page1.json")
  # A page deep in the list: follow the cursor 200 pages (10 000 invoices) in.
  for _ in $(seq 199); do
    cursor=$(curl -sf -H "Authorization: Bearer $token" "$base$first&cursor=$cursor" |
        sed -n 's/.*"next_cursor" *: *"\([^"]*\)".*/\1/p')
  done
  echo "$base" >"$d/base"
  echo "Authorization: Bearer $token" >"$d/auth"
  echo "$first&cursor=$cursor" >"$d/deep"
  sed -n 's/.*"next_cursor" *: *"i0\.\([0-9]*\)\..*/\1/p' "$d/page1.json" >"$d/cursor_key"
  sed -n 's/.*"next_cursor" *: *"i0\.[0-9]*\.[0-9]*\.\([0-9a-f]*\)".*/\1/p' "$d/page1.json" >"$d/cursor_filter"
}

first="/api/v1/companies/1/invoices?status=overdue&limit=50"
start_paminn sqlite "$db"
[ -z "$pg_db" ] || start_paminn pg "$pg_db"
size=$(stat -c %s "$dir/sqlite/page1.json")

# nginx with a static file of the same size, on its own port.
mkdir -p "$dir/www" "$dir/nginx"
head -c "$size" /dev/zero | tr '\0' 'x' >"$dir/www/page.json"
# nginx started by root serves as an unprivileged user: the file must be
# readable by it (mktemp's directory is not), or every answer is a 403.
chmod a+rx "$dir" "$dir/www"
chmod a+r "$dir/www/page.json"
port=$((20000 + RANDOM % 20000))
cat >"$dir/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/nginx;
  proxy_temp_path $dir/nginx;
  fastcgi_temp_path $dir/nginx;
  uwsgi_temp_path $dir/nginx;
  scgi_temp_path $dir/nginx;
  server { listen 127.0.0.1:$port; root $dir/www; location / { default_type application/json; } }
}
CONF
nginx -c "$dir/nginx.conf" -p "$dir/nginx" &
pids+=($!)
sleep 0.5

run() { # key label url [header [wrk-script]]
  local key=$1 out
  shift
  if [ -n "${4:-}" ]; then
    out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency -H "$3" -s "$4" "$2")
  elif [ -n "${3:-}" ]; then
    out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency -H "$3" "$2")
  else
    out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency "$2")
  fi
  local rps p99
  # Errors are cheap: a run with any is no measurement of the list.
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "bench: $1: $(grep 'Non-2xx' <<<"$out" | sed 's/^ *//')" >&2
    exit 1
  fi
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '| %s | %s | %s |\n' "$1" "$rps" "$p99"
  echo "$rps" >"$dir/rps.$key"
  echo "$rps $p99" >>"$dir/rounds.$key"
}

# The same three runs against one engine's server.
run_engine() { # key label
  local key=$1 label=$2 d="$dir/$1" base auth
  base=$(cat "$d/base")
  auth=$(cat "$d/auth")
  run "$key.first" "paminn on $label, overdue list, first page" "$base$first" "$auth"
  run "$key.deep" "paminn on $label, overdue list, page 201" "$base$(cat "$d/deep")" "$auth"
  # Every request a cache miss: the page after a different position each time.
  LIST_PATH="$first" CURSOR_KEY="$(cat "$d/cursor_key")" CURSOR_FILTER="$(cat "$d/cursor_filter")" \
      run "$key.miss" "paminn on $label, overdue list, every request a cache miss" "$base$first" \
      "$auth" bench/list-miss.lua
}

rounds=${ROUNDS:-1}
for round in $(seq "$rounds"); do
  [ "$rounds" = 1 ] || echo "Round $round of $rounds:"
  echo "| what ($conns connections, ${duration} s each) | requests/s | p99 latency |"
  echo "|---|---:|---:|"
  run nginx "nginx, static file of $size bytes" "http://127.0.0.1:$port/page.json"
  run_engine sqlite SQLite
  [ -z "$pg_db" ] || run_engine pg PostgreSQL
  [ "$rounds" = 1 ] || echo
done
nginx_rps=$(cat "$dir/rps.nginx")
echo
ratios() { # key label invoices
  local rss
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$(cat "$dir/$1/pid")/status")
  awk -v a="$(cat "$dir/rps.$1.first")" -v b="$(cat "$dir/rps.$1.deep")" -v m="$(cat "$dir/rps.$1.miss")" \
      -v c="$nginx_rps" -v rss="$rss" -v n="$3" -v t="$threads" -v e="$2" \
      'BEGIN { printf "%s: ratio paminn/nginx: first page %.2f, page 201 %.2f, every request a miss %.2f. paminn peak RSS %.0f MiB (%d worker threads), %d invoices in the company.\n", e, a / c, b / c, m / c, rss / 1024, t, n }'
}
ratios sqlite SQLite "$n"
if [ -n "$pg_db" ]; then
  echo
  ratios pg PostgreSQL "$pg_n"
  awk -v p="$(cat "$dir/rps.pg.miss")" -v s="$(cat "$dir/rps.sqlite.miss")" \
      'BEGIN { printf "PostgreSQL/SQLite, every request a miss: %.2f\n", p / s }'
  [ -z "$pg_seconds" ] || echo "(the $pg_n invoices on PostgreSQL were $pg_load in $pg_seconds s in this run)"
fi
if [ "$rounds" != 1 ]; then
  # Per round: the misses beside nginx and beside each other; then min and
  # median over the rounds (wrk's p99 in ms, whatever unit it printed).
  echo
  echo "| round | nginx | SQLite miss (p99 ms) | SQLite miss / nginx | PostgreSQL miss (p99 ms) | PostgreSQL / SQLite |"
  echo "|---|---:|---:|---:|---:|---:|"
  paste -d' ' "$dir/rounds.nginx" "$dir/rounds.sqlite.miss" \
      "$( [ -n "$pg_db" ] && echo "$dir/rounds.pg.miss" || echo /dev/null)" | awk '
    function ms(x) { if (x ~ /us$/) return x / 1000; if (x ~ /ms$/) return x + 0; if (x ~ /s$/) return x * 1000; return x + 0 }
    function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } return a[int((n + 1) / 2)] }
    function lo(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]; return m }
    { n++; ng[n] = $1; sq[n] = $3; sp[n] = ms($4); r1[n] = $3 / $1
      if (NF >= 6) { pg[n] = $5; pp[n] = ms($6); r2[n] = $5 / $3 }
      printf "| %d | %.0f | %.0f (%.1f) | %.2f | %s | %s |\n", n, $1, $3, sp[n], r1[n],
        (NF >= 6 ? sprintf("%.0f (%.1f)", $5, pp[n]) : ""), (NF >= 6 ? sprintf("%.2f", r2[n]) : "") }
    END {
      printf "| min / median | %.0f / %.0f | %.0f / %.0f (p99 %.1f / %.1f) | %.2f / %.2f |", lo(ng, n), med(ng, n), lo(sq, n), med(sq, n), lo(sp, n), med(sp, n), lo(r1, n), med(r1, n)
      if (2 in pg) printf " %.0f / %.0f (p99 %.1f / %.1f) | %.2f / %.2f |\n", lo(pg, n), med(pg, n), lo(pp, n), med(pp, n), lo(r2, n), med(r2, n); else printf " | |\n"
    }'
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%Y-%m-%d)"
