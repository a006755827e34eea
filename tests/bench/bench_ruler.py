#!/usr/bin/env python3
"""Benchmark of the collection ruler: planning and dispatch at several sizes.

For each size N it inserts N open receivables over N/5 customers, each with its
receivable and income journal items (plain SQL, so building the data takes
seconds, not hours), then measures with Odoo's own code:

- plan: the planning of the company, wall time and SQL queries, on the first run
  over a full ledger (every open invoice reaches its stage at once) and on the
  next day (the invoices that cross a stage's day overnight), each against
  Odoo's search_read of the open receivable journal items;
- dispatch: sending 1,000 e-mails through the dispatch cron (rendering the
  template, posting on the contact, queueing the mail), per 1,000 e-mails;
- risk: the risk-scoring cron over all customers.

The receivables and the first run are committed, as in a live database; the rest
is rolled back, and the receivables and their contacts are deleted at the end.
Usage: python3 tests/bench/bench_ruler.py [--sizes 1000,10000,100000] [--db cobranca_bench]
This prints timings; it is not a test and asserts nothing.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ensure_database, measure, open_registry


def insert_receivables(cr, company_id, journal_id, currency_id, size, today, prefix="BENCH"):
    """N posted, unpaid customer invoices over N/5 customers, due from 5 days ahead to 60 days ago.

    Each has its portal token, as an invoice Odoo sent by e-mail has: neither the ruler's dispatch nor
    Odoo's baseline pays for creating it."""
    partners = max(size // 5, 1)
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, email, email_normalized, active, type, autopost_bills,
                                 is_company, lang)
        SELECT 'Bench customer ' || n, 'Bench customer ' || n, 'bench' || n || '@example.com',
               'bench' || n || '@example.com', TRUE, 'contact', 'ask', FALSE, 'en_US'
          FROM generate_series(1, %s) n
        RETURNING id
        """,
        (partners,),
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", (partner_ids,))
    cr.execute(
        """
        INSERT INTO account_move (move_type, state, date, journal_id, currency_id, company_id, auto_post,
                                  partner_id, commercial_partner_id, name, invoice_date, invoice_date_due,
                                  payment_state, amount_residual, amount_residual_signed, amount_total,
                                  amount_total_signed, amount_untaxed, amount_untaxed_signed, access_token)
        SELECT 'out_invoice', 'posted', d.due - 30, %(journal)s, %(currency)s, %(company)s, 'no',
               p.id, p.id, %(prefix)s || '/' || n, d.due - 30, d.due, 'not_paid', a.amount, a.amount, a.amount,
               a.amount, a.amount, a.amount, gen_random_uuid()::text
          FROM generate_series(1, %(size)s) n
          JOIN LATERAL (SELECT (%(partner_ids)s::int[])[1 + (n %% %(partners)s)] AS id) p ON TRUE
          JOIN LATERAL (SELECT %(today)s::date + 5 - (n %% 66) AS due) d ON TRUE
          JOIN LATERAL (SELECT (50 + (n * 37) %% 4950)::numeric AS amount) a ON TRUE
        """,
        {
            "journal": journal_id,
            "currency": currency_id,
            "company": company_id,
            "size": size,
            "partner_ids": partner_ids,
            "partners": partners,
            "today": today,
            "prefix": prefix,
        },
    )
    # Each invoice's journal items, as Odoo posts them: the receivable (what collections reads) and the income.
    cr.execute(
        """
        INSERT INTO account_move_line (move_id, move_name, account_id, partner_id, company_id, journal_id, currency_id,
                                       company_currency_id, display_type, date, date_maturity, parent_state, balance,
                                       debit, credit, amount_currency, amount_residual, amount_residual_currency,
                                       reconciled, name)
        SELECT m.id, m.name, a.id, m.commercial_partner_id, m.company_id, m.journal_id, m.currency_id, m.currency_id,
               a.display_type, m.date, m.invoice_date_due, 'posted', a.sign * m.amount_total, GREATEST(a.sign, 0)
               * m.amount_total, GREATEST(-a.sign, 0) * m.amount_total, a.sign * m.amount_total,
               GREATEST(a.sign, 0) * m.amount_total, GREATEST(a.sign, 0) * m.amount_total, FALSE, m.name
          FROM account_move m
         CROSS JOIN LATERAL (
               SELECT acc.id, CASE WHEN acc.account_type = 'asset_receivable' THEN 'payment_term' ELSE 'product' END,
                      CASE WHEN acc.account_type = 'asset_receivable' THEN 1 ELSE -1 END
                 FROM account_account acc
                WHERE acc.id IN (
                      (SELECT MIN(x.id) FROM account_account x JOIN account_account_res_company_rel rel
                                ON rel.account_account_id = x.id AND rel.res_company_id = %(company)s
                        WHERE x.account_type = 'asset_receivable'),
                      (SELECT default_account_id FROM account_journal WHERE id = %(journal)s))
               ) a(id, display_type, sign)
         WHERE m.name LIKE %(like)s
        """,
        {"company": company_id, "journal": journal_id, "like": f"{prefix}/%"},
    )
    return partners


def prepare_ruler(env):
    """(company, sales journal) with the company's ruler set to measure the work, not the clock."""
    company = env.ref("base.main_company")
    journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
    ruler = env["collection.ruler"].search([("company_id", "=", company.id), ("usage", "=", "invoice")])
    # contact at any hour, no weekly cap
    ruler.write({"contact_hour_from": 0, "contact_hour_to": 24, "skip_weekends": False, "skip_holidays": False})
    ruler.max_contacts_per_week = 0
    # PDF rendering (wkhtmltopdf) is measured apart: it needs a running HTTP server for its assets.
    ruler.stage_ids.attach_invoice_pdf = False
    return company, journal


def remove_receivables(cr, prefix="BENCH"):
    """Delete the committed receivables of ``insert_receivables``; archive their customers (deleting
    them checks every table that refers to a partner, minutes for nothing)."""
    cr.execute(
        "DELETE FROM collection_communication c USING collection_invoice_stage reached, account_move m "
        "WHERE reached.plan_group = c.plan_group AND m.id = reached.move_id AND m.name LIKE %s",
        (f"{prefix}/%",),
    )
    cr.execute("DELETE FROM account_move WHERE name LIKE %s", (f"{prefix}/%",))
    cr.execute("UPDATE res_partner SET active = FALSE WHERE active AND name LIKE 'Bench customer %%'")
    cr.commit()


def bench_size(registry, size):
    import odoo  # noqa: PLC0415
    from odoo import api, fields  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        company, journal = prepare_ruler(env)
        today = company._collection_today()
        t0 = time.perf_counter()
        partners = insert_receivables(cr, company.id, journal.id, company.currency_id.id, size, today)
        # The receivables are committed, as in a live database: PostgreSQL checks the foreign keys of a
        # row updated in the transaction that inserted it, which would bill the planner for the bench.
        cr.commit()
        # A live database has planner statistics (autovacuum); freshly inserted rows need them too.
        cr.execute("ANALYZE account_move")
        cr.execute("ANALYZE res_partner")
        build = time.perf_counter() - t0

        # Odoo's own read of the same open receivables: their open receivable journal items, as a follow-up
        # report reads them (the baseline), and, for reference, the invoices themselves
        lines_domain = [
            ("company_id", "=", company.id),
            ("account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
        ]
        lines_read = ["move_id", "partner_id", "date_maturity", "amount_residual"]
        _rows, read_time, read_queries = measure(
            cr, lambda: env["account.move.line"].search_read(lines_domain, lines_read)
        )
        env.invalidate_all()
        open_domain = [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]
        fields_read = ["commercial_partner_id", "invoice_date_due", "amount_residual_signed", "collection_stage_id",
                       "collection_promise_date", "collection_excluded"]  # fmt: skip
        _rows, move_read_time, _q = measure(cr, lambda: env["account.move"].search_read(open_domain, fields_read))
        env.invalidate_all()
        # The first run on a full ledger: every open invoice reaches its stage at once.
        planned, plan_time, plan_queries = measure(cr, lambda: env["collection.ruler"]._plan_company(company, today))
        cr.commit()
        # An ordinary day: the invoices that cross a stage's day overnight.
        tomorrow = today + datetime.timedelta(days=1)
        planned_next, next_time, next_queries = measure(
            cr, lambda: env["collection.ruler"]._plan_company(company, tomorrow)
        )
        comms = env["collection.communication"]
        cr.execute(
            "SELECT id FROM collection_communication WHERE state = 'queued' AND channel = 'email' "
            "ORDER BY id LIMIT 1000"
        )
        email_ids = [row[0] for row in cr.fetchall()]
        cr.execute("UPDATE collection_communication SET scheduled_at = '2999-01-01' WHERE state = 'queued'")
        cr.execute(
            "UPDATE collection_communication SET scheduled_at = %s WHERE id = ANY(%s)",
            (fields.Datetime.now(), email_ids),
        )
        env.invalidate_all()

        # Odoo's own batch: each stage's template sent with send_mail_batch to the same contacts, same layout
        def send_mail_batch():
            for stage in comms.browse(email_ids).stage_id:
                ids = comms.browse(email_ids).filtered(lambda c, stage=stage: c.stage_id == stage).ids
                stage.mail_template_id.send_mail_batch(ids, email_layout_xmlid="mail.mail_notification_light")
            return len(email_ids)

        cr.execute("SAVEPOINT baseline")
        baseline_sent, baseline_time, baseline_queries = measure(cr, send_mail_batch)
        cr.execute("ROLLBACK TO SAVEPOINT baseline")
        env.invalidate_all()

        def dispatch_all():
            rounds = 0
            while comms._cron_dispatch(batch_size=100):
                rounds += 1
            return rounds

        _rounds, dispatch_time, dispatch_queries = measure(cr, dispatch_all)
        sent = comms.search_count([("id", "in", email_ids), ("state", "=", "sent")])

        def odoo_aggregate():
            since = today - datetime.timedelta(days=365)
            return env["account.move"]._read_group(
                [("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("invoice_date", ">=", since)],
                ["commercial_partner_id"],
                ["amount_total_signed:sum", "amount_residual_signed:sum", "invoice_date_due:max"],
            )

        _groups, aggregate_time, _q = measure(cr, odoo_aggregate)
        scored, risk_time, risk_queries = measure(cr, env["res.partner"]._cron_compute_collection_risk)
        cr.rollback()
        remove_receivables(cr)
    per = max(sent, 1)
    print(
        f"{size:>7} receivables | {partners:>6} customers | build {build:5.1f}s\n"
        f"   Odoo search_read of the open receivable items {read_time:6.2f}s {read_queries:>3} queries "
        f"(of the open invoices {move_read_time:6.2f}s)\n"
        f"   plan, first run {plan_time:7.2f}s {plan_queries:>3} queries ({planned} contacts) | ratio "
        f"{plan_time / read_time:5.2f}\n"
        f"   plan, next day  {next_time:7.2f}s {next_queries:>3} queries ({planned_next} contacts) | ratio "
        f"{next_time / read_time:5.2f}\n"
        f"   dispatch {dispatch_time * 1000 / per:7.2f}s per 1,000 e-mails, {dispatch_queries / per:5.2f} queries per "
        f"e-mail ({sent} sent) | Odoo send_mail_batch {baseline_time * 1000 / max(baseline_sent, 1):6.2f}s, "
        f"{baseline_queries / max(baseline_sent, 1):5.2f} queries per e-mail | ratio "
        f"{(dispatch_time / per) / (baseline_time / max(baseline_sent, 1)):5.2f}\n"
        f"   risk     {risk_time:7.2f}s {risk_queries:>5} queries ({scored} customers) | Odoo read_group of the "
        f"same invoices by customer {aggregate_time:6.2f}s | ratio {risk_time / max(aggregate_time, 1e-6):5.2f}",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--db", default="cobranca_bench")
    args = parser.parse_args()
    ensure_database(args.db, "collections_ruler")
    registry = open_registry(args.db)
    print(f"collection ruler benchmark on {datetime.date.today()} ({os.cpu_count()} CPUs)")
    for size in (int(s) for s in args.sizes.split(",")):
        bench_size(registry, size)


if __name__ == "__main__":
    main()
