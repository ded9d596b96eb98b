#!/usr/bin/env bash
# Start Påminn with demo data: install what is missing, build, create a
# fresh demo database (var/demo.db), show what it holds, and serve it on
# http://127.0.0.1:8080 until Ctrl-C — with a local amili-sandbox as Visma
# Amili on 127.0.0.1:8090 (`paminn demo`; var/sandbox.db, partner key
# var/amili-partner.pem, secret key var/secret.key) and a local SMTP sink
# on 127.0.0.1:8025 (tests/lib/smtp_sink.py, Debian's python3-aiosmtpd;
# e-mailed reminders are kept in var/demo-mail/ and show as sent under
# "E-post").
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
# The agency: the sandbox starts afresh with the demo data.
rm -f var/sandbox.db var/sandbox.db-wal var/sandbox.db-shm
bin=build/default/paminn
echo "demo: creating var/demo.db"
"$bin" --db var/demo.db migrate
args=(--invoices "${DEMO_INVOICES:-400}")
[ -n "${DEMO_PASSWORD:-}" ] && args+=(--password "$DEMO_PASSWORD")
"$bin" --db var/demo.db demo-data "${args[@]}"
echo "demo: serving with Visma Amili (amili-sandbox); open the address below and log in with"
echo "demo: the user printed above; activate the reminder service under Amili (Ctrl-C stops)"
exec "$bin" --db var/demo.db demo --listen "${DEMO_LISTEN:-127.0.0.1:8080}"
