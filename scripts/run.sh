#!/usr/bin/env bash
# make run: serve the demo at http://localhost:8069 (login admin, password admin).
# First run: installs the Python packages, starts PostgreSQL, creates the database
# cobranca_demo with the three addons, demo data and Portuguese (Brazil).
# E-mails go to a local mail catcher: one .eml and one .html per message, listed in
# .cache/mail/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
DB=${COBRANCA_DB:-cobranca_demo}
PORT=${COBRANCA_PORT:-8069}
SMTP_PORT=${COBRANCA_SMTP_PORT:-1025}
ADDONS=collections_ruler,collections_pix,collections_portal

bash scripts/setup.sh --quiet
if ! "$PYTHON" -c 'import odoo' 2>/dev/null; then
  "$PYTHON" scripts/run_tests.py --odoo-only >/dev/null 2>&1 || true
  echo "Odoo 18 is not importable by $PYTHON: see README.md, Requirements (or use docker compose up)." >&2
  exit 1
fi
eval "$(bash scripts/pg_env.sh)"
mkdir -p .cache

installed=$(psql -X -d "$DB" -tAc "select count(*) from ir_module_module
  where state = 'installed' and name in ('${ADDONS//,/\',\'}')" 2>/dev/null || echo 0)
if [ "$installed" != 3 ]; then
  echo "run: creating database $DB with demo data (a minute or two, once)"
  dropdb --if-exists "$DB"
  "$PYTHON" -m odoo --addons-path addons -d "$DB" -i "$ADDONS" --load-language=pt_BR \
    --stop-after-init --http-port="$PORT" --max-cron-threads=0 --log-level=warn
fi

if ! (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null; then
  "$PYTHON" scripts/mail_catcher.py --port "$SMTP_PORT" --folder .cache/mail >>.cache/mail.log 2>&1 &
  trap 'kill $! 2>/dev/null' EXIT
fi
PSP_PORT=${COBRANCA_PSP_PORT:-8099}
if ! (exec 3<>"/dev/tcp/127.0.0.1/$PSP_PORT") 2>/dev/null; then
  # The local PSP sandbox: Pix charges, and "customer pays" at POST /sandbox/pay/<txid>.
  # It registers the demo provider's webhook, so POST /sandbox/pay/<txid> reconciles at once.
  "$PYTHON" addons/collections_pix/tests/fake_psp.py --port "$PSP_PORT" --client-id demo --client-secret demo \
    --webhook-from-db "dbname=$DB" --odoo-url "http://127.0.0.1:$PORT" >>.cache/psp.log 2>&1 &
  trap 'kill $(jobs -p) 2>/dev/null' EXIT
fi
echo "run: http://localhost:$PORT  (admin / admin); e-mails in .cache/mail/index.html; PSP sandbox on :$PSP_PORT"
"$PYTHON" -m odoo --addons-path addons -d "$DB" --db-filter="^$DB\$" --http-port="$PORT" \
  --smtp=127.0.0.1 --smtp-port="$SMTP_PORT"
