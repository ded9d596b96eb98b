#!/usr/bin/env bash
# The overdue invoice list over HTTP at a million invoices, side by side with
# nginx serving a static file of the same size, in one run on this machine.
#
#   bench/api-list.sh [DB]      DB: a demo database with 1 000 000 invoices;
#                               made (and kept as var/bench-1m.db) if missing.
# Environment: DURATION (seconds per run, default 20), CONNECTIONS (64),
# PAMINN_BIN (a built binary; default: build the default preset), THREADS (paminn worker threads, default 4), BENCH_PASSWORD (the demo user's, default bench-pass-1).
# Prints a Markdown table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk nginx curl sqlite3; do
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
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT

"$bin" --db "$db" --now "$now" serve --listen 127.0.0.1:0 --threads "$threads" \
    >"$dir/serve.out" 2>/dev/null &
pids+=($!)
serve_pid=$!
for _ in $(seq 100); do grep -q listening "$dir/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^paminn: listening on //p' "$dir/serve.out")

# Log in, make an API token, and use it as a plain bearer client.
curl -sf -c "$dir/jar" -H 'Content-Type: application/json' \
    -d "{\"email\":\"demo@example.se\",\"password\":\"${BENCH_PASSWORD:-bench-pass-1}\"}" "$base/api/v1/session" >"$dir/login.json"
csrf=$(sed -n 's/.*"csrf_token" *: *"\([^"]*\)".*/\1/p' "$dir/login.json")
token=$(curl -sf -b "$dir/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -d '{"name":"bench"}' "$base/api/v1/companies/1/tokens" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
first="/api/v1/companies/1/invoices?status=overdue&limit=50"
curl -sf -H "Authorization: Bearer $token" "$base$first" >"$dir/page1.json"
cursor=$(sed -n 's/.*"next_cursor" *: *"\([^"]*\)".*/\1/p' "$dir/page1.json")
# A page deep in the list: follow the cursor 200 pages (10 000 invoices) in.
for _ in $(seq 199); do
  cursor=$(curl -sf -H "Authorization: Bearer $token" "$base$first&cursor=$cursor" |
      sed -n 's/.*"next_cursor" *: *"\([^"]*\)".*/\1/p')
done
deep="$first&cursor=$cursor"
size=$(stat -c %s "$dir/page1.json")

# nginx with a static file of the same size, on its own port.
mkdir -p "$dir/www" "$dir/nginx"
head -c "$size" /dev/zero | tr '\0' 'x' >"$dir/www/page.json"
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

run() { # key label url [header]
  local key=$1 out
  shift
  if [ -n "${3:-}" ]; then
    out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency -H "$3" "$2")
  else
    out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency "$2")
  fi
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '| %s | %s | %s |\n' "$1" "$rps" "$p99"
  echo "$rps" >"$dir/rps.$key"
}

echo "| what ($conns connections, ${duration} s each) | requests/s | p99 latency |"
echo "|---|---:|---:|"
run nginx "nginx, static file of $size bytes" "http://127.0.0.1:$port/page.json"
run first "paminn, overdue list, first page" "$base$first" "Authorization: Bearer $token"
run deep "paminn, overdue list, page 201" "$base$deep" "Authorization: Bearer $token"
nginx_rps=$(cat "$dir/rps.nginx")
first_rps=$(cat "$dir/rps.first")
deep_rps=$(cat "$dir/rps.deep")
rss=$(awk '/VmHWM/ {print $2}' "/proc/$serve_pid/status")
echo
awk -v a="$first_rps" -v b="$deep_rps" -v c="$nginx_rps" -v rss="$rss" -v n="$n" -v t="$threads" \
    'BEGIN { printf "Ratio paminn/nginx: first page %.2f, page 201 %.2f. paminn peak RSS %.0f MiB (%d worker threads), %d invoices in the company.\n", a / c, b / c, rss / 1024, t, n }'
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%Y-%m-%d)"
