#!/usr/bin/env python3
"""Benchmark of the CNAB return import next to Odoo's payment wizard, for the same invoices.

For each size N: N posted invoices (Odoo's own create and post, in batches), a boleto each, and
the return file a bank would send settling all of them (built by ``tools/cnab/bank_sandbox.py`` with
the layouts the import reads). Then, each in a savepoint rolled back after it:

- import: ``collection.bank.return._import_file`` of that file (payments, reconciliation, fees);
- baseline: ``account.payment.register`` for the same invoices, one wizard per invoice, as a
  finance user settles a bank statement by hand (on at most 1,000 of them: its time per invoice
  does not change with N).

Prints wall time and SQL queries per line/invoice. Not a test: it asserts nothing.
Usage: python3 tests/bench/bench_cnab.py [--sizes 1000,10000] [--db cobranca_bench_cnab]
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ensure_database, measure, open_registry

BASELINE_CAP = 1000


def bench_size(registry, size):
    import odoo  # noqa: PLC0415
    from odoo import Command, api  # noqa: PLC0415

    from odoo.addons.collections_pix.tools.cnab.bank_sandbox import SANDBOX_BB_ACCOUNT, return_240  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        company = env.ref("base.main_company")
        company.vat = company.vat or "84.969.653/0001-73"
        bank_journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
        expense = env["account.account"].search(
            [("company_ids", "in", company.ids), ("account_type", "=", "expense")], limit=1
        )
        account = env["res.partner.bank"].create(
            {
                **SANDBOX_BB_ACCOUNT,
                "acc_number": "BENCH-3073-12345",
                "partner_id": company.partner_id.id,
                "company_id": company.id,
                "collection_journal_id": bank_journal.id,
                "collection_fee_account_id": expense.id,
            }
        )
        today = datetime.date.today()
        t0 = time.perf_counter()
        partners = env["res.partner"].create(
            [{"name": f"Bench payer {n}", "vat": "104.332.181-00"} for n in range(max(size // 5, 1))]
        )
        moves = env["account.move"]
        for start in range(0, size, 500):
            batch = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partners[n % len(partners)].id,
                        "invoice_date": today - datetime.timedelta(days=20),
                        "invoice_date_due": today + datetime.timedelta(days=10),
                        "invoice_line_ids": [
                            Command.create({"name": "Service", "quantity": 1, "price_unit": 100 + n % 900})
                        ],
                    }
                    for n in range(start, min(start + 500, size))
                ]
            )
            batch.action_post()
            moves |= batch
        boletos = env["collection.boleto"]._ensure_for_moves(moves)
        data = return_240(
            "001",
            company.vat,
            [
                {
                    "kind": "settled",
                    "nosso_numero": b.nosso_numero,
                    "face_value": b.amount,
                    "amount_paid": b.amount,
                    "fee": 1.5,
                    "occurrence_date": today,
                }
                for b in boletos
            ],
            generated=today,
        )
        build = time.perf_counter() - t0
        cr.execute("ANALYZE")

        cr.execute("SAVEPOINT bench_import")
        ret, import_time, import_queries = measure(
            cr, lambda: env["collection.bank.return"]._import_file(account, data, f"BENCH{size}.ret")
        )
        applied = len(ret.line_ids.filtered(lambda line: line.state == "done"))
        cr.execute("ROLLBACK TO SAVEPOINT bench_import")
        env.invalidate_all()

        baseline_moves = moves[:BASELINE_CAP]

        def wizard_each():
            for move in baseline_moves:
                env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
                    {"payment_date": today, "journal_id": bank_journal.id}
                )._create_payments()

        cr.execute("SAVEPOINT bench_wizard")
        _none, wizard_time, wizard_queries = measure(cr, wizard_each)
        cr.execute("ROLLBACK TO SAVEPOINT bench_wizard")
        cr.rollback()
    per_line = import_time / max(applied, 1)
    per_invoice = wizard_time / max(len(baseline_moves), 1)
    print(
        f"{size:>6} boletos | build {build:6.1f}s | import {import_time:7.2f}s, {per_line * 1000:6.1f} ms and "
        f"{import_queries / max(applied, 1):5.1f} queries per line ({applied} settled) | "
        f"payment wizard {per_invoice * 1000:6.1f} ms and {wizard_queries / max(len(baseline_moves), 1):5.1f} "
        f"queries per invoice (on {len(baseline_moves)}) | ratio {per_line / per_invoice:4.2f}",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--db", default="cobranca_bench_cnab")
    args = parser.parse_args()
    ensure_database(args.db, "collections_pix")
    registry = open_registry(args.db)
    print(f"CNAB return import benchmark on {datetime.date.today()} ({os.cpu_count()} CPUs)")
    for size in (int(s) for s in args.sizes.split(",")):
        bench_size(registry, size)


if __name__ == "__main__":
    main()
