# Cobrança for Odoo: the commands a user and a contributor need.
PYTHON ?= python3
export PYTHON

.PHONY: help setup run test lint pot bench reliability

help:
	@echo "make run    serve the demo at http://localhost:8069 (admin/admin)"
	@echo "make test   run every test (pytest tier + Odoo tier), ends with 'N passed, N failed'"
	@echo "make lint   ruff + pylint-odoo (the pre-commit hooks)"
	@echo "make setup  install what the addons and the tests need (pip, apt as root)"
	@echo "make pot    regenerate i18n/*.pot and merge them into pt_BR.po"
	@echo "make bench  time the ruler (1k, 10k, 100k receivables), 1 vs 2 dispatch workers (2,000 e-mails), the CNAB return import (1k, 10k boletos) and the reports (100k receivables, 500k contacts)"
	@echo "make reliability  fire a few hundred Pix webhook deliveries at a served Odoo (2 workers)"

setup:
	bash scripts/setup.sh

run:
	bash scripts/run.sh

test:
	bash scripts/setup.sh --quiet
	$(PYTHON) scripts/run_tests.py

lint:
	bash scripts/setup.sh --quiet
	$(PYTHON) -m pre_commit run --all-files --show-diff-on-failure

pot:
	$(PYTHON) scripts/i18n.py

bench:
	$(PYTHON) tests/bench/bench_ruler.py
	$(PYTHON) tests/bench/bench_workers.py
	$(PYTHON) tests/bench/bench_cnab.py
	$(PYTHON) tests/bench/bench_reports.py

reliability:
	$(PYTHON) tests/reliability/pix_webhook.py
