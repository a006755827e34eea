#!/usr/bin/env bash
# Install what the addons and their tests need on this machine: Python packages
# with pip, and (as root, on Debian) wkhtmltopdf, Chromium and PostgreSQL.
# Odoo 18 itself is not installed here: see README.md, "Requirements".
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=${1:-}
PYTHON=${PYTHON:-python3}

missing_python() {
  "$PYTHON" - <<'PY'
import importlib.util, sys
needed = ["qrcode", "requests", "stdnum", "pytest", "hypothesis",
          "freezegun", "aiosmtpd", "polib", "ruff", "pylint_odoo", "pre_commit", "yaml", "websocket"]
sys.exit(0 if any(importlib.util.find_spec(m) is None for m in needed) else 1)
PY
}

if missing_python; then
  echo "setup: installing Python packages (requirements-dev.txt)"
  "$PYTHON" -m pip install -q -r requirements-dev.txt
elif [ -z "$quiet" ]; then
  echo "setup: Python packages already installed"
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  wanted=()
  command -v wkhtmltopdf >/dev/null || wanted+=(wkhtmltopdf)
  command -v chromium >/dev/null || wanted+=(chromium)
  command -v pdftotext >/dev/null || wanted+=(poppler-utils)  # the boleto PDF test reads its text
  command -v pg_ctlcluster >/dev/null || wanted+=(postgresql)
  if [ ${#wanted[@]} -gt 0 ]; then
    echo "setup: installing ${wanted[*]} from Debian packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${wanted[@]}" >/dev/null
  fi
elif [ -z "$quiet" ]; then
  for tool in wkhtmltopdf chromium pdftotext; do
    command -v "$tool" >/dev/null || echo "setup: $tool is missing (Debian: sudo apt-get install $tool)"
  done
fi
