#!/usr/bin/env bash
# Start Påminn with demo data: install what is missing, build, create a
# fresh demo database (var/demo.db) and show what it holds.
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
