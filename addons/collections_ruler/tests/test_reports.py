import base64
import datetime
import io
from unittest.mock import patch

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .test_agreements import AgreementCommon

D = datetime.date
AS_OF = D(2026, 11, 25)


class ReportCommon(AgreementCommon):
    """Customers like real ones on the Brazilian chart, with the figures of each report computed by hand."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("br")
    @AccountTestInvoicingCommon.setup_chart_template("br")
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.collection_user_id = cls.collector
        cls.buckets = {
            bucket.with_context(lang="en_US").name: bucket
            for bucket in cls.env["collection.aging.bucket"].search([("company_id", "=", cls.company.id)])
        }

    def setUp(self):
        super().setUp()
        self.frozen.stop()
        self.frozen = freeze_time(datetime.datetime(2026, 11, 25, 15, 0))  # 12:00 in São Paulo
        self.frozen.start()

    def aging(self, as_of=AS_OF, user=None, group="bucket_id"):
        """{group value: open amount} of the aging as of ``as_of`` (as ``user`` sees it)."""
        report = self.env["collection.aging.report"].with_context(collection_as_of=str(as_of))
        if user:
            report = report.with_user(user)
        return {
            (key.display_name if hasattr(key, "display_name") else key): round(amount, 2)
            for key, amount in report._read_group([], [group], ["amount_residual:sum"])
        }


@tagged("post_install", "-at_install")
class TestAgingReport(ReportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Joana (collector: the test collector): four invoices around the boundaries of the buckets.
        cls.inv_30 = cls.make_invoice(cls.customer, 1000.0, D(2026, 10, 26))  # 30 days late on the 25th
        cls.inv_31 = cls.make_invoice(cls.customer, 500.0, D(2026, 10, 25))  # 31 days late
        cls.inv_today = cls.make_invoice(cls.customer, 200.0, D(2026, 11, 25))  # due today: not late
        cls.inv_tomorrow = cls.make_invoice(cls.customer, 300.0, D(2026, 11, 26))
        # The bakery (no collector): one 181 days late and partly paid, one 90 days late paid after the 25th.
        cls.inv_181 = cls.make_invoice(cls.other_customer, 800.0, D(2026, 5, 28))
        cls.inv_90 = cls.make_invoice(cls.other_customer, 400.0, D(2026, 8, 27))

    def setUp(self):
        super().setUp()
        self.pay(self.inv_181, 300.0, D(2026, 11, 20))
        self.pay(self.inv_90, None, D(2026, 11, 27))

    def test_buckets_on_their_boundary_days(self):
        self.assertEqual(
            self.aging(),
            {
                "Not yet due": 500.0,  # due today (day 0) and tomorrow
                "1-30 days": 1000.0,  # day 30 is the last of 1-30
                "31-60 days": 500.0,  # day 31 is the first of 31-60
                "61-90 days": 400.0,  # day 90, paid only on the 27th
                "Over 180 days": 500.0,  # 800 less the 300 paid on the 20th
            },
        )

    def test_the_aging_of_another_day_rebuilds_what_was_open_then(self):
        # On the 28th the 90-day invoice is paid and everything is three days older.
        self.assertEqual(
            self.aging(D(2026, 11, 28)), {"1-30 days": 500.0, "31-60 days": 1500.0, "Over 180 days": 500.0}
        )
        # On the 19th the partial payment of the 20th had not come in (175 days late then).
        self.assertEqual(self.aging(D(2026, 11, 19))["91-180 days"], 800.0)
        # Before an invoice existed it is not in the aging.
        self.assertNotIn("Not yet due", self.aging(D(2026, 9, 1)))

    def test_dimensions_and_drill_down(self):
        by_customer = self.aging(group="partner_id")
        self.assertEqual(by_customer, {"Joana Silva": 2000.0, "Padaria Pão Dourado": 900.0})
        self.assertEqual(self.aging(group="collector_id"), {self.collector.display_name: 2000.0, False: 900.0})
        rows = self.env["collection.aging.report"].search([("partner_id", "=", self.other_customer.id)])
        self.assertEqual(sorted(rows.mapped("days_late")), [90, 181])
        self.assertEqual(rows.filtered(lambda r: r.days_late == 181).action_open_invoice()["res_id"], self.inv_181.id)

    def test_buckets_are_configurable_per_company_and_never_overlap(self):
        self.buckets["1-30 days"].write({"max_days": 15, "name": "1-15 days"})
        self.env["collection.aging.bucket"].create(
            {"name": "16-30 days", "company_id": self.company.id, "sequence": 2, "min_days": 16, "max_days": 30}
        )
        self.assertEqual(self.aging()["16-30 days"], 1000.0)
        with self.assertRaises(ValidationError):
            self.env["collection.aging.bucket"].create(
                {"name": "25-40 days", "company_id": self.company.id, "min_days": 25, "max_days": 40}
            )

    def test_a_collector_sees_their_portfolio_a_manager_all_companies_apart(self):
        self.assertEqual(sum(self.aging(user=self.collector).values()), 2000.0)
        self.assertEqual(sum(self.aging(user=self.collections_manager).values()), 2900.0)
        other = self.setup_other_company()["company"]
        self.env["collection.aging.bucket"]._install_default_buckets(other)
        self.make_invoice(self.other_customer, 999.0, D(2026, 11, 1), company=other)
        self.assertEqual(sum(self.aging(user=self.collections_manager).values()), 2900.0)
        both = self.env(context=dict(self.env.context, allowed_company_ids=[self.company.id, other.id]))
        report = both["collection.aging.report"].with_context(collection_as_of=str(AS_OF))
        [[total]] = report._read_group([], [], ["amount_residual:sum"])
        self.assertEqual(round(total, 2), 2900.0 + 999.0)
        with self.assertRaises(AccessError):
            self.env["collection.aging.report"].with_user(self.collector).env["collection.aging.bucket"].create(
                {"name": "x", "company_id": self.company.id, "min_days": 500}
            )

    def test_aging_xlsx_has_the_figures_formats_and_totals(self):
        wizard = self.env["collection.report.export"].create({"report": "aging", "as_of": AS_OF})
        action = wizard.action_export()
        self.assertIn(f"/web/content/collection.report.export/{wizard.id}/file/", action["url"])
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file)))
        self.assertEqual(
            book.sheetnames,
            ["Summary", "By customer", "By collector", "By salesperson", "By risk", "By company", "Invoices"],
        )
        summary = book["Summary"]
        self.assertEqual(summary["A1"].value, "Aging of receivables")
        self.assertEqual(summary["B2"].value, datetime.datetime(2026, 11, 25))
        header = next(row for row in summary.iter_rows() if row[0].value == "Bucket")
        self.assertEqual(summary.freeze_panes, f"A{header[0].row + 1}")
        rows = {
            row[0].value: (row[1].value, row[2].value, row[3].value)
            for row in summary.iter_rows(min_row=header[0].row + 1)
            if row[0].value
        }
        self.assertEqual(rows["1-30 days"], (1, 1000.0, 1000.0 / 2900.0))
        self.assertEqual(rows["Not yet due"][:2], (2, 500.0))
        total_row = header[0].row + 6
        self.assertEqual(summary.cell(total_row, 1).value, "Total")
        self.assertEqual(summary.cell(total_row, 3).value, f"=SUM(C{header[0].row + 1}:C{total_row - 1})")
        self.assertTrue(summary.cell(header[0].row + 1, 3).number_format.startswith("[$R$-416]"))
        self.assertEqual(summary.cell(header[0].row + 1, 4).number_format, "0.0%")
        customers = book["By customer"]
        joana = next(row for row in customers.iter_rows() if row[0].value == "Joana Silva")
        labels = [cell.value for cell in next(r for r in customers.iter_rows() if r[0].value == "Customer")]
        values = dict(zip(labels, [cell.value for cell in joana], strict=True))
        self.assertEqual(values["Total"], 2000.0)
        self.assertEqual(values["31-60 days"], 500.0)
        self.assertEqual(values["Overdue share"], 1500.0 / 2000.0)
        invoices = book["Invoices"]
        header = next(row for row in invoices.iter_rows() if row[0].value == "Invoice")[0].row
        self.assertEqual(invoices.max_row - header, 6 + 1)  # six invoices and the total
        self.assertEqual(invoices.cell(header + 1, 3).number_format, "dd/mm/yyyy")
        self.assertEqual(invoices.cell(header + 1, 4).value, 181)

    def test_the_xlsx_follows_the_record_rules(self):
        wizard = self.env["collection.report.export"].with_user(self.collector).create({"report": "aging"})
        wizard.action_export()
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file)))["By customer"]
        self.assertNotIn("Padaria Pão Dourado", [row[0].value for row in sheet.iter_rows()])

    def test_statement_pdf_and_xlsx_carry_the_debt_update_and_the_aging(self):
        statement = self.customer._collection_statement(AS_OF)
        first_bucket, first_amount = statement["aging"][0]
        self.assertEqual((first_bucket.with_context(lang="en_US").name, first_amount), ("Not yet due", 500.0))
        action = self.customer.action_collection_statement_xlsx()
        wizard = self.env["collection.report.export"].browse(int(action["url"].split("/")[4]))
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file)))
        sheet = book["Statement"]
        header = next(row for row in sheet.iter_rows() if row[0].value == "Invoice")[0].row
        rows = {sheet.cell(r, 1).value: [c.value for c in sheet[r]] for r in range(header + 1, header + 5)}
        # 1,000.00 thirty days late: 2 % fine (20.00) and 1 % a month for 30 days (10.00)
        self.assertEqual(rows[self.inv_30.name][2:8], [30, "1-30 days", 1000.0, 20.0, 10.0, 1030.0])
        self.assertEqual(rows[self.inv_tomorrow.name][3], "Not yet due")
        self.assertIn("Aging", book.sheetnames)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("collections_ruler.action_report_collection_statement", self.customer.ids)[0]
            .decode()
        )
        self.assertIn("31-60 days", html)
        self.assertIn("1,030.00", html)


@tagged("post_install", "-at_install")
class TestEffectivenessReport(ReportCommon):
    def contact(self, moves, moment, stage=None, state="sent", channel="email", variant=None, **values):
        stage = stage or self.stages["reminder"]
        return self.env["collection.communication"].create(
            {
                "partner_id": moves.commercial_partner_id.id,
                "company_id": self.company.id,
                "ruler_id": stage.ruler_id.id,
                "stage_id": stage.id,
                "channel": channel,
                "state": state,
                "sent_at": moment if state == "sent" else False,
                "scheduled_at": moment,
                "variant_id": variant and variant.id,
                "line_ids": [
                    Command.create(
                        {
                            "move_id": move.id,
                            "stage_id": stage.id,
                            "channel": channel,
                            "amount_residual": move.amount_residual,
                        }
                    )
                    for move in moves
                ],
                **values,
            }
        )

    def row(self, contact):
        return self.env["collection.effectiveness.report"].search([("communication_id", "=", contact.id)])

    def test_attribution_to_the_last_contact_within_the_window(self):
        inv_a = self.make_invoice(self.customer, 1000.0, D(2026, 10, 15))
        inv_b = self.make_invoice(self.customer, 500.0, D(2026, 10, 15))
        inv_c = self.make_invoice(self.other_customer, 400.0, D(2026, 10, 15))
        noon = datetime.time(15, 0)
        c1 = self.contact(inv_a, datetime.datetime.combine(D(2026, 10, 20), noon), stage=self.stages["escalation"])
        c2 = self.contact(
            inv_a, datetime.datetime.combine(D(2026, 11, 10), noon), link_opened_at=datetime.datetime(2026, 11, 10, 18)
        )
        c3 = self.contact(inv_b, datetime.datetime.combine(D(2026, 11, 1), noon))
        c4 = self.contact(inv_c, datetime.datetime.combine(D(2026, 11, 3), noon), channel="sms")
        c5 = self.contact(inv_c, datetime.datetime.combine(D(2026, 11, 2), noon), state="failed")
        # a stage's e-mail and SMS about the same debt on the same day share its payment
        inv_d = self.make_invoice(self.other_customer, 300.0, D(2026, 10, 15))
        c6 = self.contact(inv_d, datetime.datetime.combine(D(2026, 11, 4), noon), stage=self.stages["friendly"])
        c7 = self.contact(
            inv_d, datetime.datetime(2026, 11, 4, 20, 0), stage=self.stages["friendly"], channel="sms"
        )  # 17:00 in São Paulo, the same day
        self.pay(inv_d, None, D(2026, 11, 6))
        self.pay(inv_a, None, D(2026, 11, 12))  # 2 days after c2: c2's, not c1's
        self.pay(inv_b, 200.0, D(2026, 11, 5))  # 4 days after c3, part of the debt
        self.pay(inv_b, 300.0, D(2026, 11, 20))  # 19 days after c3: outside the window
        self.pay(inv_c, None, D(2026, 11, 10))  # 7 days after c4
        with freeze_time("2026-11-11 12:00:00"):
            self.customer.collection_optout_email = True  # the day after c2, 22 days after c1
        self.env.flush_all()
        fields_ = ["debt_count", "paid_3", "paid_7", "paid_15", "success", "amount_recovered", "days_to_pay"]
        self.assertEqual([self.row(c1)[f] for f in fields_], [1, 0, 0, 0, 0, 0.0, 0.0])
        self.assertEqual(
            [self.row(c2)[f] for f in [*fields_, "link_opened", "optout", "delivered"]],
            [1, 1, 1, 1, 1, 1000.0, 2.0, 1, 1, 1],
        )
        self.assertEqual([self.row(c3)[f] for f in fields_], [1, 0, 0, 0, 0, 200.0, 0.0])
        self.assertEqual([self.row(c4)[f] for f in fields_], [1, 0, 1, 1, 1, 400.0, 7.0])
        self.assertEqual(self.row(c4).date, D(2026, 11, 3))
        self.assertEqual(
            [self.row(c5)[f] for f in ("contact_count", "failed", "delivered", "debt_count")], [1, 1, 0, 0]
        )
        self.assertEqual([self.row(c1).optout, self.row(c4).optout], [0, 0])
        self.assertEqual([self.row(c6)[f] for f in fields_], [1, 1, 1, 1, 1, 150.0, 2.0])
        self.assertEqual([self.row(c7)[f] for f in fields_], [1, 1, 1, 1, 1, 150.0, 2.0])
        groups = self.env["collection.effectiveness.report"]._read_group(
            [], ["channel"], ["contact_count:sum", "amount_recovered:sum", "success_rate:avg"]
        )
        self.assertEqual(
            {channel: (count, recovered) for channel, count, recovered, _rate in groups},
            {"email": (5, 1350.0), "sms": (2, 550.0)},
        )
        medians = self.env["collection.effectiveness.report"]._median_days_to_pay([], "channel")
        self.assertEqual(medians, {"email": 2.0, "sms": 4.5})  # sms: 2 and 7 days
        # the collector sees only Joana's contacts (the bakery has no collector)
        mine = self.env["collection.effectiveness.report"].with_user(self.collector).search([])
        self.assertEqual(mine.partner_id, self.customer)

    def test_a_debt_renegotiated_after_a_contact_is_not_money_recovered(self):
        invoice = self.make_invoice(self.customer, 700.0, D(2026, 10, 15))
        contact = self.contact(invoice, datetime.datetime(2026, 11, 20, 15, 0))
        Agreement = self.env["collection.agreement"]
        agreement = Agreement.create(
            Agreement._prepare_proposal(self.customer, invoice, self.policy, 2, 0.0, D(2026, 11, 29), D(2026, 11, 22))
        )  # two days after the contact: the settlement entry is dated inside its window
        agreement.action_confirm()
        self.assertEqual(agreement.state, "active")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))  # settled by the agreement's entry
        self.env.flush_all()
        row = self.row(contact)
        self.assertEqual((row.paid_15, row.amount_recovered, row.success), (0, 0.0, 0))

    def test_a_debt_partly_paid_in_cash_then_renegotiated_is_not_paid(self):
        invoice = self.make_invoice(self.customer, 700.0, D(2026, 10, 15))
        contact = self.contact(invoice, datetime.datetime(2026, 11, 18, 15, 0))
        self.pay(invoice, 200.0, D(2026, 11, 19))  # cash, inside the window: recovered
        Agreement = self.env["collection.agreement"]
        agreement = Agreement.create(
            Agreement._prepare_proposal(self.customer, invoice, self.policy, 2, 0.0, D(2026, 11, 29), D(2026, 11, 22))
        )  # the other 500.00 renegotiated: the debt is closed, but not paid
        agreement.action_confirm()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.env.flush_all()
        row = self.row(contact)
        self.assertEqual((row.paid_15, row.success, row.amount_recovered), (0, 0, 200.0))
        self.assertFalse(row.days_to_pay)

    def test_window_ends_at_the_next_contact_and_days_are_local(self):
        inv = self.make_invoice(self.customer, 600.0, D(2026, 10, 15))
        first = self.contact(inv, datetime.datetime(2026, 11, 1, 15, 0), stage=self.stages["escalation"])
        second = self.contact(inv, datetime.datetime(2026, 11, 5, 15, 0))
        self.pay(inv, None, D(2026, 11, 7))  # inside both windows: the later contact's alone
        same_day = self.make_invoice(self.customer, 80.0, D(2026, 10, 15))
        c_same = self.contact(same_day, datetime.datetime(2026, 11, 10, 15, 0))
        self.pay(same_day, None, D(2026, 11, 10))  # the contact's own day: 0 days
        day_3 = self.make_invoice(self.customer, 90.0, D(2026, 10, 15))
        c_day_3 = self.contact(day_3, datetime.datetime(2026, 11, 10, 16, 0))
        self.pay(day_3, None, D(2026, 11, 13))  # three days later: still "paid in 3 days"
        night = self.make_invoice(self.other_customer, 70.0, D(2026, 10, 15))
        # 01:30 UTC on the 21st is 22:30 on the 20th in São Paulo: the contact's day is the 20th
        c_night = self.contact(night, datetime.datetime(2026, 11, 21, 1, 30), channel="sms")
        self.pay(night, None, D(2026, 11, 20))
        with freeze_time("2026-11-09 12:00:00"):
            self.other_customer.collection_optout_sms = True  # before the contact: not its opt-out
        self.env.flush_all()
        fields_ = ["paid_3", "paid_7", "paid_15", "amount_recovered", "days_to_pay"]
        self.assertEqual([self.row(first)[f] for f in fields_], [0, 0, 0, 0.0, 0.0])
        self.assertEqual([self.row(second)[f] for f in fields_], [1, 1, 1, 600.0, 2.0])
        self.assertEqual([self.row(c_same)[f] for f in fields_], [1, 1, 1, 80.0, 0.0])
        self.assertEqual([self.row(c_day_3)[f] for f in fields_], [1, 1, 1, 90.0, 3.0])
        self.assertEqual(self.row(c_night).date, D(2026, 11, 20))
        self.assertEqual([self.row(c_night)[f] for f in [*fields_, "optout"]], [1, 1, 1, 70.0, 0.0, 0])

    def test_a_bounced_email_is_failed_and_not_an_experiment_trial(self):
        stage = self.stages["reminder"]
        variant = self.env["collection.ruler.stage.variant"].create(
            {"name": "A", "stage_id": stage.id, "channel": "email", "mail_template_id": stage.mail_template_id.id}
        )
        message = self.customer.message_post(body="Lembrete", message_type="email")
        self.env["mail.notification"].create(
            {
                "mail_message_id": message.id,
                "res_partner_id": self.customer.id,
                "notification_type": "email",
                "notification_status": "bounce",
            }
        )
        move = self.make_invoice(self.customer, 100.0, D(2026, 10, 20))
        bounced = self.contact(move, datetime.datetime(2026, 11, 2, 15, 0), variant=variant, mail_message_id=message.id)
        self.env.flush_all()
        self.assertEqual((self.row(bounced).delivered, self.row(bounced).failed), (0, 1))
        self.assertEqual(variant._results(), {})

    def test_the_verdict_says_which_text_is_better(self):
        stage = self.stages["reminder"]
        variants = self.env["collection.ruler.stage.variant"].create(
            [
                {"name": "A", "stage_id": stage.id, "channel": "email", "mail_template_id": stage.mail_template_id.id},
                {"name": "B", "stage_id": stage.id, "channel": "email", "mail_template_id": stage.mail_template_id.id},
            ]
        )
        counts = {variants[0].id: (20, 5), variants[1].id: (20, 15)}  # B: 75 % against A's 25 %
        with patch.object(type(variants), "_results", lambda self, *args: counts):
            comparison = variants._compare()
        self.assertEqual(comparison[variants[0].id][3], "First text (the reference)")
        self.assertEqual(comparison[variants[1].id][3], "Better than the first text")
        self.assertLess(comparison[variants[1].id][2], 0.01)
        counts = {variants[0].id: (20, 15), variants[1].id: (20, 5)}
        with patch.object(type(variants), "_results", lambda self, *args: counts):
            self.assertEqual(variants._compare()[variants[1].id][3], "Worse than the first text")

    def test_keeping_a_whatsapp_text(self):
        stage = self.stages["reminder"]
        text = self.env["sms.template"].create(
            {"name": "WA B", "model_id": self.env["ir.model"]._get_id("collection.communication"), "body": "Oi"}
        )
        variant = self.env["collection.ruler.stage.variant"].create(
            {"name": "B", "stage_id": stage.id, "channel": "whatsapp", "sms_template_id": text.id}
        )
        variant.with_user(self.collections_manager).action_keep()
        self.assertEqual(stage.whatsapp_template_id, text)
        self.assertFalse(variant.active)

    def test_contacts_of_another_company_stay_there(self):
        other = self.setup_other_company()["company"]
        move = self.make_invoice(self.customer, 100.0, D(2026, 10, 20))
        mine = self.contact(move, datetime.datetime(2026, 11, 2, 15, 0))
        theirs = mine.copy({"company_id": other.id, "line_ids": [], "state": "sent", "sent_at": mine.sent_at})
        self.env.flush_all()
        report = self.env["collection.effectiveness.report"].with_user(self.collections_manager)
        self.assertEqual(report.search([]).communication_id, mine)
        self.collections_manager.company_ids |= other
        both = report.with_context(allowed_company_ids=[self.company.id, other.id])
        self.assertEqual(both.search([]).communication_id, mine | theirs)

    def test_variants_are_picked_sent_and_compared(self):
        stage = self.stages["friendly"]
        template_b = stage.mail_template_id.copy({"body_html": "<p>Texto B: pague com Pix hoje.</p>"})
        variants = self.env["collection.ruler.stage.variant"].create(
            [
                {"name": "A", "stage_id": stage.id, "channel": "email", "mail_template_id": stage.mail_template_id.id},
                {"name": "B", "stage_id": stage.id, "channel": "email", "mail_template_id": template_b.id, "weight": 1},
            ]
        )
        # 15 contacts per text; A: 10 paid within 7 days, B: 5 (hand: z = 1.8257, p = 0.0679).
        moment = datetime.datetime(2026, 11, 2, 15, 0)
        for variant, paid in zip(variants, (10, 5), strict=True):
            for index in range(15):
                move = self.make_invoice(self.customer, 100.0, D(2026, 10, 20))
                self.contact(move, moment, variant=variant)
                if index < paid:
                    self.pay(move, None, D(2026, 11, 6))
        self.env.flush_all()
        variants.invalidate_recordset()
        self.assertEqual(variants.mapped("contact_count"), [15, 15])
        self.assertEqual(variants.mapped("success_count"), [10, 5])
        self.assertAlmostEqual(variants[1].p_value, 0.0679, places=4)
        self.assertEqual(variants[0].verdict, "First text (the reference)")
        self.assertEqual(variants[1].verdict, "No clear difference: could be noise")
        # a contact of this stage gets one of the texts by weight, and keeps it
        invoice = self.make_invoice(self.other_customer, 250.0, D(2026, 11, 24))
        self.plan(D(2026, 11, 25))
        self.dispatch(datetime.datetime(2026, 11, 25, 15, 0))
        comm = self.comms(self.other_customer, channel="email")
        self.assertIn(comm.variant_id, variants)
        body = comm.mail_message_id.body
        self.assertEqual("Texto B" in body, comm.variant_id == variants[1], body)
        self.assertTrue(invoice)
        variants[1].with_user(self.collections_manager).action_keep()
        self.assertEqual(stage.mail_template_id, template_b)
        self.assertFalse(stage.variant_ids)
        self.assertIn("kept B", stage.ruler_id.message_ids[0].body)
        with self.assertRaises(AccessError):
            variants[0].with_user(self.collector).action_keep()

    def test_effectiveness_xlsx_compares_texts(self):
        stage = self.stages["reminder"]
        variant = self.env["collection.ruler.stage.variant"].create(
            {"name": "A", "stage_id": stage.id, "channel": "email", "mail_template_id": stage.mail_template_id.id}
        )
        move = self.make_invoice(self.customer, 100.0, D(2026, 10, 20))
        self.contact(move, datetime.datetime(2026, 11, 2, 15, 0), variant=variant)
        self.pay(move, None, D(2026, 11, 4))
        wizard = self.env["collection.report.export"].create(
            {"report": "effectiveness", "date_from": D(2026, 11, 1), "date_to": D(2026, 11, 30)}
        )
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file)))
        self.assertEqual(
            book.sheetnames, ["By ruler", "By stage", "By channel", "By text", "By collector", "Experiments"]
        )
        sheet = book["By channel"]
        header = [c.value for c in next(r for r in sheet.iter_rows() if r[0].value == "Channel")]
        row = dict(
            zip(header, [c.value for c in next(r for r in sheet.iter_rows() if r[0].value == "E-mail")], strict=True)
        )
        self.assertEqual((row["Contacts"], row["Paid in 3 days"], row["Recovered"]), (1, 1, 100.0))
        self.assertEqual((row["Success (paid in 7 days)"], row["Median days to pay"]), (1.0, 2.0))
        experiments = book["Experiments"]
        self.assertIn("First text (the reference)", [c.value for c in experiments[experiments.max_row]])


@tagged("post_install", "-at_install")
class TestAgreementReportAndDashboard(ReportCommon):
    def test_agreements_made_broken_and_recovered(self):
        first = self.make_invoice(self.customer, 1000.0, D(2026, 10, 1))
        second = self.make_invoice(self.other_customer, 600.0, D(2026, 10, 1))
        kept = self.propose(first, count=2)
        kept.action_confirm()
        broken = self.propose(second, count=3)
        broken.action_confirm()
        self.pay(kept.installment_ids[0].move_id, None, D(2026, 11, 25))
        broken._break(D(2026, 11, 25))
        self.env.flush_all()
        report = self.env["collection.agreement.report"]
        [[made, broken_count, rate, recovered, agreed]] = report._read_group(
            [],
            [],
            ["agreement_count:sum", "broken_count:sum", "broken_rate:avg", "amount_recovered:sum", "amount_agreed:sum"],
        )
        self.assertEqual((made, broken_count, rate), (2, 1, 50.0))
        self.assertAlmostEqual(recovered, kept.installment_ids[0].amount)
        self.assertAlmostEqual(agreed, kept.total_amount + broken.total_amount)
        wizard = self.env["collection.report.export"].create(
            {"report": "agreements", "date_from": D(2026, 1, 1), "date_to": D(2026, 12, 31)}
        )
        wizard.action_export()
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file)))["By origin"]
        row = [c.value for c in next(r for r in sheet.iter_rows() if r[0].value == "Back Office")]
        self.assertEqual(row[1:6], [2, 1, 0, 1, 0.5])

    def test_dashboard_figures(self):
        joana_late = self.make_invoice(self.customer, 1000.0, D(2026, 10, 26))
        self.make_invoice(self.customer, 500.0, D(2026, 12, 5))
        promised = self.make_invoice(self.other_customer, 300.0, D(2026, 10, 1))
        broken_promise = self.make_invoice(self.other_customer, 200.0, D(2026, 10, 1))
        with freeze_time("2026-11-08 15:00:00"):
            joana_late._collection_promise(D(2026, 11, 12))
        with freeze_time("2026-11-10 15:00:00"):
            (promised | broken_promise)._collection_promise(D(2026, 11, 15))
        with freeze_time("2026-11-11 15:00:00"):
            joana_late._collection_promise(D(2026, 11, 30))  # replaces the promise for the 12th: neither counts
        self.pay(promised, None, D(2026, 11, 14))
        with freeze_time("2026-11-16 15:00:00"):
            self.env["account.move"]._collection_expire_promises(self.company, D(2026, 11, 16))
        data = self.env["collection.dashboard"].get_dashboard_data()
        self.assertEqual(data["overdue_total"], 1200.0)
        self.assertEqual(data["open_total"], 1700.0)
        self.assertEqual((data["promises_kept"], data["promises_due"]), (1, 2))
        # billed in the last 90 days: 2,000.00 (the four invoices); DSO = 90 * 1,700 / 2,000
        self.assertAlmostEqual(data["dso"], 76.5)
        self.assertEqual(len(data["trend"]), 7)
        self.assertEqual(data["trend"][-1]["amount"], 1200.0)
        self.assertEqual(data["trend"][-2]["amount"], 1500.0)  # on 31 October: 300 + 200 + 1,000 late
        self.assertEqual(data["trend"][-2]["day"], "2026-10-31")
        # the collector's own portfolio (Joana; the bakery has no collector), DSO and promises included
        collector_view = self.env["collection.dashboard"].with_user(self.collector).get_dashboard_data()
        self.assertEqual(collector_view["overdue_total"], 1000.0)
        self.assertEqual(collector_view["open_total"], 1500.0)
        self.assertAlmostEqual(collector_view["dso"], 90.0)  # 90 * 1,500 / 1,500 billed to Joana
        self.assertEqual((collector_view["promises_kept"], collector_view["promises_due"]), (0, 0))

    def test_a_stage_can_attach_the_statement(self):
        self.stages["friendly"].attach_statement = True
        self.make_invoice(self.customer, 250.0, D(2026, 11, 24))
        self.plan(D(2026, 11, 25))
        self.dispatch(datetime.datetime(2026, 11, 25, 15, 0))
        comm = self.comms(self.customer, channel="email")
        names = comm.mail_message_id.attachment_ids.mapped("name")
        self.assertIn("Statement of open items - Joana Silva.pdf", names)

    def test_new_companies_get_the_usual_buckets(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        company = self.env["res.company"].create({"name": "Filial"})
        buckets = self.env["collection.aging.bucket"].search([("company_id", "=", company.id)])
        self.assertEqual(len(buckets), 6)
        self.assertEqual(buckets[-1].with_context(lang="pt_BR").name, "Mais de 180 dias")
