#!/usr/bin/env bash
# Start Påminn with demo data: install what is missing, build, create a
# fresh demo database (var/demo.db), show what it holds, and serve it on
# http://127.0.0.1:8080 until Ctrl-C.
#   DEMO_LISTEN=HOST:PORT  where to listen (default 127.0.0.1:8080)
#   DEMO_INVOICES=N   invoices in the demo company (default 400)
#   DEMO_PASSWORD=PW  the demo user's password (default: random, printed)
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
echo "demo: building"
cmake --preset default >/dev/null
cmake --build --preset default
mkdir -p var
rm -f var/demo.db var/demo.db-wal var/demo.db-shm
bin=build/default/paminn
echo "demo: creating var/demo.db"
"$bin" --db var/demo.db migrate
args=(--invoices "${DEMO_INVOICES:-400}")
[ -n "${DEMO_PASSWORD:-}" ] && args+=(--password "$DEMO_PASSWORD")
"$bin" --db var/demo.db demo-data "${args[@]}"
echo "demo: serving; open the address below and log in with the user printed above (Ctrl-C stops)"
exec "$bin" --db var/demo.db serve --listen "${DEMO_LISTEN:-127.0.0.1:8080}"
