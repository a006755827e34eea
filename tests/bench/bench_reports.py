#!/usr/bin/env python3
"""Benchmark of the collection reports next to the Odoo queries they compete with.

For each size N it inserts with plain SQL: N posted customer invoices (due from 400 days ago to 30
days ahead) with their receivable lines over N/5 customers, 40 % of them paid by a payment through
a partial reconciliation, and 5 contacts per invoice (one per stage of the default ruler, 90 % sent,
10 % failed), each with its line. Then it measures, with Odoo's own read_group (as the pivot views
call it) and the user's record rules:

- aging today by bucket, by customer x bucket (the pivot), and as of 90 days ago;
  baseline: ``account.move.line`` read_group of the open receivable lines by customer, what
  Community offers without the report;
- effectiveness of the last 30 days by ruler x stage x channel (the pivot), an experiment's
  results (two texts on one stage's e-mails, all time: what the stage form shows) and the
  median days to pay; baseline: ``collection.communication`` read_group by stage and channel
  (counting contacts, no attribution);
- the dashboard's figures;
- the xlsx exports (aging with every invoice on its own sheet; effectiveness of a month).

Everything runs in one transaction per size, rolled back at the end.
Usage: python3 tests/bench/bench_reports.py [--sizes 10000,100000] [--db cobranca_bench_reports]
Prints timings; it is not a test and asserts nothing.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ensure_database, measure, open_registry

CONTACTS_PER_RECEIVABLE = 5


def build(env, size, today):
    cr = env.cr
    company = env.ref("base.main_company")
    journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
    bank = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
    receivable = env["account.account"].search(
        [("company_ids", "in", company.id), ("account_type", "=", "asset_receivable")], limit=1
    )
    ruler = env["collection.ruler"].search([("company_id", "=", company.id), ("usage", "=", "invoice")])
    stages = ruler.stage_ids.sorted("sequence")[:CONTACTS_PER_RECEIVABLE]
    currency = company.currency_id.id
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, active, type, autopost_bills, is_company, lang)
        SELECT 'Report customer ' || n, 'Report customer ' || n, TRUE, 'contact', 'ask', TRUE, 'en_US'
          FROM generate_series(1, %s) n
        RETURNING id
        """,
        (max(size // 5, 1),),
    )
    partners = [row[0] for row in cr.fetchall()]
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", (partners,))
    params = {
        "journal": journal.id, "bank": bank.id, "currency": currency, "company": company.id, "size": size,
        "partners": partners, "count": len(partners), "today": today, "account": receivable.id,
        "stages": stages.ids, "offsets": stages.mapped("offset_days"), "ruler": ruler.id,
    }  # fmt: skip
    cr.execute(
        """
        CREATE TEMP TABLE bench_invoice ON COMMIT DROP AS
        SELECT n, (%(partners)s::int[])[1 + n %% %(count)s] AS partner_id,
               %(today)s::date + 30 - (n * 7919 %% 431) AS due,
               (50 + (n * 37) %% 4950)::numeric AS amount,
               n %% 5 < 2 AS paid,
               (n * 13) %% 20 AS pay_after
          FROM generate_series(1, %(size)s) n
        """,
        params,
    )
    cr.execute(
        """
        WITH moves AS (
            INSERT INTO account_move (move_type, state, date, journal_id, currency_id, company_id, auto_post,
                                      partner_id, commercial_partner_id, name, invoice_date, invoice_date_due,
                                      payment_state, amount_residual, amount_residual_signed, amount_total,
                                      amount_total_signed, amount_untaxed, amount_untaxed_signed)
            SELECT 'out_invoice', 'posted', due - 30, %(journal)s, %(currency)s, %(company)s, 'no', partner_id,
                   partner_id, 'RPT/' || n, due - 30, due, CASE WHEN paid THEN 'paid' ELSE 'not_paid' END,
                   CASE WHEN paid THEN 0 ELSE amount END, CASE WHEN paid THEN 0 ELSE amount END,
                   amount, amount, amount, amount
              FROM bench_invoice
            RETURNING id, name
        )
        UPDATE bench_invoice SET n = n FROM moves WHERE FALSE
        """,
        params,
    )
    cr.execute(
        """
        ALTER TABLE bench_invoice ADD COLUMN move_id int, ADD COLUMN line_id int, ADD COLUMN pay_line_id int;
        UPDATE bench_invoice b SET move_id = m.id FROM account_move m WHERE m.name = 'RPT/' || b.n;
        """
    )
    cr.execute(
        """
        WITH lines AS (
            INSERT INTO account_move_line (move_id, move_name, account_id, partner_id, company_id, journal_id,
                                           currency_id, company_currency_id, display_type, date, date_maturity,
                                           parent_state, balance, debit, credit, amount_currency, amount_residual,
                                           amount_residual_currency, reconciled, name)
            SELECT move_id, 'RPT/' || n, %(account)s, partner_id, %(company)s, %(journal)s, %(currency)s,
                   %(currency)s, 'payment_term', due - 30, due, 'posted', amount, amount, 0, amount,
                   CASE WHEN paid THEN 0 ELSE amount END, CASE WHEN paid THEN 0 ELSE amount END, paid, 'RPT/' || n
              FROM bench_invoice
            RETURNING id, move_id
        )
        UPDATE bench_invoice b SET line_id = lines.id FROM lines WHERE lines.move_id = b.move_id
        """,
        params,
    )
    # Payments: an account.payment, its entry in the bank journal and the receivable line it reconciles.
    cr.execute(
        """
        WITH payments AS (
            INSERT INTO account_payment (journal_id, company_id, state, payment_type, partner_type, date, amount,
                                         currency_id, partner_id, memo)
            SELECT %(bank)s, %(company)s, 'paid', 'inbound', 'customer', due + pay_after, amount, %(currency)s,
                   partner_id, 'RPT/' || n
              FROM bench_invoice WHERE paid
            RETURNING id, memo
        ), pay_moves AS (
            INSERT INTO account_move (move_type, state, date, journal_id, currency_id, company_id, auto_post,
                                      partner_id, commercial_partner_id, name, origin_payment_id)
            SELECT 'entry', 'posted', b.due + b.pay_after, %(bank)s, %(currency)s, %(company)s, 'no', b.partner_id,
                   b.partner_id, 'PAY/' || b.n, payments.id
              FROM payments JOIN bench_invoice b ON 'RPT/' || b.n = payments.memo
            RETURNING id, name
        ), pay_lines AS (
            INSERT INTO account_move_line (move_id, move_name, account_id, partner_id, company_id, journal_id,
                                           currency_id, company_currency_id, display_type, date, date_maturity,
                                           parent_state, balance, debit, credit, amount_currency, amount_residual,
                                           amount_residual_currency, reconciled, name)
            SELECT pay_moves.id, pay_moves.name, %(account)s, b.partner_id, %(company)s, %(bank)s, %(currency)s,
                   %(currency)s, 'product', b.due + b.pay_after, b.due + b.pay_after, 'posted', -b.amount, 0,
                   b.amount, -b.amount, 0, 0, TRUE, pay_moves.name
              FROM pay_moves JOIN bench_invoice b ON 'PAY/' || b.n = pay_moves.name
            RETURNING id, move_name
        )
        UPDATE bench_invoice b SET pay_line_id = pay_lines.id FROM pay_lines WHERE pay_lines.move_name = 'PAY/' || b.n
        """,
        params,
    )
    cr.execute(
        """
        INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, amount, debit_amount_currency,
                                               credit_amount_currency, debit_currency_id, credit_currency_id,
                                               company_id, max_date)
        SELECT line_id, pay_line_id, amount, amount, amount, %(currency)s, %(currency)s, %(company)s, due + pay_after
          FROM bench_invoice WHERE paid
        """,
        params,
    )
    # Five contacts per invoice, one per stage, on the day the stage fired; 10 % failed. Each stage an
    # invoice reached is a row of collection_invoice_stage (the last one current), and its contact shares
    # the row's group: that pair is a contact line.
    cr.execute(
        """
        WITH plan AS (
            SELECT b.*, s.stage_id, s.offset_days, s.k, nextval('collection_invoice_stage_plan_group_seq') AS grp,
                   (ARRAY['email', 'sms', 'whatsapp'])[1 + (b.n + s.k) %% 3] AS channel
              FROM bench_invoice b
             CROSS JOIN LATERAL unnest(%(stages)s::int[], %(offsets)s::int[]) WITH ORDINALITY
                   AS s(stage_id, offset_days, k)
        ), reached AS (
            INSERT INTO collection_invoice_stage (move_id, stage_id, date, current, amount_residual, plan_group)
            SELECT move_id, stage_id, due + offset_days, k = cardinality(%(stages)s::int[]), amount, grp
              FROM plan
        )
        INSERT INTO collection_communication (partner_id, company_id, ruler_id, stage_id, channel, state,
                                              plan_date, scheduled_at, sent_at, amount_due, link_opened_at,
                                              plan_group)
        SELECT partner_id, %(company)s, %(ruler)s, stage_id, channel,
               CASE WHEN (n + k) %% 10 = 0 THEN 'failed' ELSE 'sent' END, due + offset_days,
               (due + offset_days) + time '12:00', (due + offset_days) + time '12:00', amount,
               CASE WHEN (n * k) %% 4 = 0 THEN (due + offset_days) + time '15:00' END, grp
          FROM plan
        """,
        params,
    )
    # An experiment: the second stage's e-mails alternate between two texts.
    stage = stages[1]
    variants = env["collection.ruler.stage.variant"].create(
        [
            {"name": name, "stage_id": stage.id, "channel": "email", "mail_template_id": stage.mail_template_id.id}
            for name in ("A", "B")
        ]
    )
    env.flush_all()
    cr.execute(
        """
        UPDATE collection_communication SET variant_id = (%s::int[])[1 + id %% 2]
         WHERE stage_id = %s AND channel = 'email'
        """,
        (variants.ids, stage.id),
    )
    for table in (
        "account_move", "account_move_line", "account_partial_reconcile", "account_payment", "res_partner",
        "collection_communication", "collection_invoice_stage",
    ):  # fmt: skip
        cr.execute(f"ANALYZE {table}")
    cr.execute("SELECT COUNT(*) FROM collection_communication")
    return cr.fetchone()[0]


def bench_size(registry, size, keep=False):
    import odoo  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        today = env.company._collection_today()
        t0 = time.perf_counter()
        contacts = build(env, size, today)
        build_time = time.perf_counter() - t0
        if keep:
            cr.execute("DROP TABLE bench_invoice")
            cr.commit()
            print(f"{size} receivables and {contacts} contacts kept in the database", flush=True)
            return
        manager = env.ref("base.user_admin")
        env = env(user=manager)
        aging = env["collection.aging.report"]
        effectiveness = env["collection.effectiveness.report"]
        month = [("date", ">=", today - datetime.timedelta(days=30)), ("date", "<=", today)]
        open_lines = [
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("parent_state", "=", "posted"),
        ]
        cases = [
            ("aging by bucket", lambda: aging._read_group([], ["bucket_id"], ["amount_residual:sum"])),
            (
                "aging customer x bucket (pivot)",
                lambda: aging._read_group([], ["partner_id", "bucket_id"], ["amount_residual:sum"]),
            ),
            (
                "aging as of 90 days ago",
                lambda: aging.with_context(collection_as_of=str(today - datetime.timedelta(days=90)))._read_group(
                    [], ["bucket_id"], ["amount_residual:sum"]
                ),
            ),
            (
                "  baseline: open receivable lines by customer",
                lambda: env["account.move.line"]._read_group(open_lines, ["partner_id"], ["amount_residual:sum"]),
            ),
            (
                "effectiveness 30 days ruler x stage x channel",
                lambda: effectiveness._read_group(
                    month,
                    ["ruler_id", "stage_id", "channel"],
                    ["contact_count:sum", "paid_7:sum", "success_rate:avg", "amount_recovered:sum"],
                ),
            ),
            (
                "experiment results (the stage's texts, all time)",
                lambda: env["collection.ruler.stage.variant"].search([])._results(),
            ),
            ("median days to pay by stage", lambda: effectiveness._median_days_to_pay(month, "stage_id")),
            (
                "  baseline: contacts by stage x channel",
                lambda: env["collection.communication"]._read_group(
                    [("sent_at", ">=", today - datetime.timedelta(days=30))], ["stage_id", "channel"], ["__count"]
                ),
            ),
            ("dashboard", lambda: env["collection.dashboard"].get_dashboard_data()),
            (
                "xlsx aging (every invoice listed)",
                lambda: env["collection.report.export"].create({"report": "aging"}).action_export(),
            ),
            (
                "xlsx effectiveness (30 days)",
                lambda: (
                    env["collection.report.export"]
                    .create({"report": "effectiveness", "date_from": today - datetime.timedelta(days=30)})
                    .action_export()
                ),
            ),
        ]
        print(
            f"{size:>7} receivables, {contacts:>7} contacts (built in {build_time:5.1f}s)",
            flush=True,
        )
        for label, function in cases:
            _result, seconds, queries = measure(cr, function)
            env.invalidate_all()
            print(f"    {label:<48} {seconds:7.2f}s {queries:>5} queries", flush=True)
        cr.rollback()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--db", default="cobranca_bench_reports")
    parser.add_argument("--keep", action="store_true", help="commit the data of the first size and stop (to explain)")
    args = parser.parse_args()
    ensure_database(args.db, "collections_ruler")
    registry = open_registry(args.db)
    print(f"collection reports benchmark on {datetime.date.today()} ({os.cpu_count()} CPUs)")
    for size in (int(s) for s in args.sizes.split(",")):
        bench_size(registry, size, keep=args.keep)
        if args.keep:
            break


if __name__ == "__main__":
    main()
