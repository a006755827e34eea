import base64
import datetime
import subprocess
import tempfile
from pathlib import Path

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.collections_ruler.tests.common import CollectionsCommon

from ..tools import boleto as boleto_tools
from ..tools import cnab
from ..tools.cnab.bank_sandbox import return_240
from .common import bb_collection_account

CPF = "104.332.181-00"
TODAY = datetime.date(2026, 3, 2)  # a Monday


@tagged("post_install", "-at_install")
class TestBoleto(CollectionsCommon, HttpCase):
    """Invoice → boleto → remittance → return file → reconciled invoice, with what real files carry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"vat": "84.969.653/0001-73", "name": "Cobrança Demo Ltda"})
        cls.customer.write(
            {"vat": CPF, "street": "Rua das Flores, 10", "city": "São Paulo", "zip": "01000-000", "lang": "en_US"}
        )
        cls.policy = cls.env["collection.policy"].search(
            [("company_id", "=", cls.company.id), ("is_default", "=", True)]
        )
        cls.policy.write({"fine_percent": 2.0, "interest_percent_month": 1.0, "grace_days": 0})
        cls.fee_account = cls.company_data["default_account_expense"]
        cls.account = bb_collection_account(
            cls.env, cls.company, cls.company_data["default_journal_bank"], cls.fee_account
        )

    def issue(self, amount, due):
        invoice = self.make_invoice(self.customer, amount, due)
        with freeze_time(TODAY):
            invoice.action_collection_boleto()
        return invoice, invoice.collection_boleto_id

    def import_return(self, events, name="RET0001.ret", **kwargs):
        data = return_240("001", self.company.vat, events, generated=TODAY, **kwargs)
        return self.env["collection.bank.return"]._import_file(self.account, data, name)

    def settled(self, boleto, paid, **values):
        return {
            "kind": "settled",
            "nosso_numero": boleto.nosso_numero,
            "face_value": boleto.amount,
            "amount_paid": paid,
            **values,
        }

    def lines_on(self, move, account):
        return move.line_ids.filtered(lambda line: line.account_id == account)

    # ------------------------------------------------------------------
    def test_boleto_of_an_invoice_not_yet_due_is_a_valid_slip(self):
        invoice, boleto = self.issue(1000.0, TODAY + datetime.timedelta(days=10))
        self.assertEqual(boleto.state, "to_register")
        self.assertEqual(boleto.nosso_numero, "12345670000000001")
        self.assertEqual((boleto.amount, boleto.due_date), (1000.0, TODAY + datetime.timedelta(days=10)))
        parsed = boleto_tools.parse(boleto.line, TODAY)
        self.assertEqual(parsed.barcode, boleto.barcode)
        self.assertEqual(str(parsed.amount), "1000.00")
        self.assertEqual(parsed.due_date, boleto.due_date)
        self.assertEqual(parsed.free_field, "000000" + "12345670000000001" + "18")
        self.assertEqual(invoice.collection_boleto_id, boleto, "one live boleto per receivable")
        with freeze_time(TODAY):
            invoice.action_collection_boleto()
        self.assertEqual(len(invoice.collection_boleto_ids), 1)

    def test_an_overdue_invoice_gets_a_new_due_date_and_its_updated_amount(self):
        _invoice, boleto = self.issue(1000.0, TODAY - datetime.timedelta(days=30))
        self.assertEqual(boleto.due_date, TODAY + datetime.timedelta(days=3))
        # 2 % fine + 1 % a month for the 33 days to the new due date
        self.assertEqual(boleto.amount, 1031.0)

    def test_remittance_registers_the_batch_and_renders_the_same_file_again(self):
        _i1, first = self.issue(1000.0, TODAY + datetime.timedelta(days=10))
        _i2, second = self.issue(250.0, TODAY + datetime.timedelta(days=20))
        with freeze_time("2026-03-02 12:00:00"):
            remittance = self.account.action_collection_remittance()
        remittance = self.env["collection.bank.remittance"].browse(remittance["res_id"])
        self.assertEqual(remittance.boleto_ids, first | second)
        self.assertEqual(set((first | second).mapped("state")), {"sent"})
        self.assertEqual(remittance.sequence, 1)
        self.assertEqual(self.account.collection_remittance_next, 2)
        content = base64.b64decode(remittance.file)
        lines = content.decode("latin-1").split("\r\n")[:-1]
        self.assertEqual([len(line) for line in lines], [240] * len(lines))
        segments = [line[13] for line in lines if line[7] == "3"]
        self.assertEqual(segments, ["P", "Q", "R", "P", "Q", "R"])
        p_first = lines[2]
        self.assertEqual(p_first[37:54], "12345670000000001")
        self.assertEqual(p_first[77:85], (TODAY + datetime.timedelta(days=10)).strftime("%d%m%Y"))
        self.assertEqual(p_first[85:100], "000000000100000")
        self.assertIn("10433218100", lines[3], "the payer's CPF in segment Q")
        self.assertTrue(remittance._check_unchanged(), "rendering the same batch gives the same bytes")
        with self.assertRaisesRegex(UserError, "no boleto to register"):
            self.account.action_collection_remittance()

    def test_return_settles_with_fee_fine_and_interest_on_their_accounts(self):
        invoice, boleto = self.issue(1000.0, TODAY + datetime.timedelta(days=10))
        paid_on = boleto.due_date + datetime.timedelta(days=5)
        # the bank charged 2 % fine + 0.33 a day for 5 days: 20.00 + 1.65, and kept a 2.10 fee
        ret = self.import_return(
            [
                {"kind": "accepted", "nosso_numero": boleto.nosso_numero, "occurrence_date": TODAY},
                self.settled(boleto, 1021.65, interest_fine=21.65, fee=2.10, occurrence_date=paid_on),
            ]
        )
        self.assertEqual(ret.line_ids.mapped("state"), ["info", "done"])
        self.assertEqual(invoice.payment_state, "paid" if invoice.payment_state == "paid" else "in_payment")
        self.assertEqual(boleto.state, "paid")
        payment = boleto.payment_id
        self.assertEqual((payment.amount, payment.date), (1021.65, paid_on))
        fine = payment.move_id.line_ids.filtered(lambda line: line.name == "Fine received by boleto")
        interest = payment.move_id.line_ids.filtered(lambda line: line.name == "Interest received by boleto")
        self.assertEqual((fine.account_id, fine.credit), (self.policy.fine_account_id, 20.0))
        self.assertEqual((interest.account_id, interest.credit), (self.policy.interest_account_id, 1.65))
        fee_entry = ret.line_ids.fee_move_id
        self.assertEqual(fee_entry.state, "posted")
        self.assertEqual(sum(self.lines_on(fee_entry, self.fee_account).mapped("debit")), 2.10)
        self.assertEqual(ret.settled_amount, 1021.65)

    def test_a_discount_granted_at_the_bank_settles_the_rest_on_the_discount_account(self):
        invoice, boleto = self.issue(1000.0, TODAY + datetime.timedelta(days=10))
        self.import_return([self.settled(boleto, 950.0, discount=50.0, fee=1.50)])
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        discount = self.lines_on(boleto.payment_id.move_id, self.policy.discount_account_id)
        self.assertEqual(sum(discount.mapped("debit")), 50.0)

    def test_the_same_file_twice_changes_nothing_and_says_so(self):
        invoice, boleto = self.issue(1000.0, TODAY + datetime.timedelta(days=10))
        events = [self.settled(boleto, 1000.0, fee=2.0)]
        self.import_return(events)
        payments = self.env["account.payment"].search([("partner_id", "=", self.customer.id)])
        with self.assertRaisesRegex(UserError, "already imported"):
            self.import_return(events)
        # the same line in another file (the bank resent it): noted as a duplicate, nothing paid twice
        again = self.import_return(events, file_sequence=2)
        self.assertEqual(again.line_ids.state, "duplicate")
        self.assertEqual(self.env["account.payment"].search([("partner_id", "=", self.customer.id)]), payments)
        self.assertFalse(again.line_ids.fee_move_id)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_a_malformed_file_is_refused_whole_with_its_line_numbers(self):
        _invoice, boleto = self.issue(1000.0, TODAY + datetime.timedelta(days=10))
        good = return_240("001", self.company.vat, [self.settled(boleto, 1000.0)], generated=TODAY).decode("latin-1")
        lines = good.split("\r\n")
        # a segment U shifted one column (as in a hand-edited file): its dates are not dates
        lines[3] = lines[3][:137] + "3" + lines[3][137:]
        data = "\r\n".join(lines).encode("latin-1")
        with self.assertRaises(UserError) as caught:
            self.env["collection.bank.return"]._import_file(self.account, data, "BAD.ret")
        self.assertIn("nothing was applied", str(caught.exception))
        self.assertIn("Line 4", str(caught.exception))
        self.assertFalse(self.env["collection.bank.return"].search([]))
        self.assertEqual(boleto.state, "to_register")
        self.assertFalse(boleto.payment_id)

    def test_an_unmatched_line_waits_for_review_then_retry_applies_it(self):
        invoice, boleto = self.issue(1000.0, TODAY + datetime.timedelta(days=10))
        stranger = {"kind": "settled", "nosso_numero": "12345670000099999", "face_value": 80, "amount_paid": 80}
        ret = self.import_return([stranger, self.settled(boleto, 1000.0)])
        review = ret.line_ids.filtered(lambda line: line.state == "review")
        self.assertEqual(review.nosso_numero_key, "12345670000099999")
        self.assertIn("No boleto", review.message)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"), "the other line was applied")
        review.action_ignore()
        self.assertEqual(review.state, "ignored")

    def test_an_amount_that_does_not_add_up_goes_to_review(self):
        invoice, boleto = self.issue(1000.0, TODAY + datetime.timedelta(days=10))
        ret = self.import_return([self.settled(boleto, 900.0)])
        self.assertEqual(ret.line_ids.state, "review")
        self.assertIn("900.00", ret.line_ids.message)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(boleto.state, "to_register")

    def test_a_partial_payment_leaves_the_rest_open_and_the_ruler_goes_on(self):
        invoice = self.make_invoice(self.customer, 1000.0, TODAY + datetime.timedelta(days=10))
        with freeze_time(TODAY):
            boleto = (
                self.env["collection.boleto"]
                .sudo()
                .create(
                    {
                        **self.env["collection.boleto"]._prepare_boleto(invoice, self.account),
                        "amount": 400.0,
                    }
                )
            )
        ret = self.import_return([self.settled(boleto, 400.0, fee=1.0)])
        self.assertEqual(ret.line_ids.state, "done")
        self.assertIn("Partial", ret.line_ids.message)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.amount_residual, 600.0)
        self.assertTrue(invoice._collection_filter_open(), "still followed by the ruler")

    def test_rejected_and_written_off_update_the_boleto(self):
        _i1, rejected = self.issue(100.0, TODAY + datetime.timedelta(days=10))
        _i2, written_off = self.issue(200.0, TODAY + datetime.timedelta(days=10))
        self.import_return(
            [
                {"kind": "rejected", "nosso_numero": rejected.nosso_numero, "reasons": "0810"},
                {"kind": "written_off", "nosso_numero": written_off.nosso_numero},
            ]
        )
        self.assertEqual((rejected.state, rejected.reason), ("rejected", "08 10"))
        self.assertEqual(written_off.state, "written_off")

    def test_boleto_hibrido_paid_by_pix_first_is_written_off_never_paid_twice(self):
        invoice, boleto = self.issue(1000.0, TODAY + datetime.timedelta(days=10))
        self.account.action_collection_remittance()
        self.assertEqual(boleto.state, "sent")
        # the customer paid the slip's Pix: the invoice is paid another way
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {}
        )._create_payments()
        self.assertEqual(boleto.state, "to_write_off")
        action = self.account.action_collection_remittance()
        writeoff = self.env["collection.bank.remittance"].browse(action["res_id"])
        self.assertEqual(writeoff.writeoff_ids, boleto)
        movement = base64.b64decode(writeoff.file).decode("latin-1").split("\r\n")[2][15:17]
        self.assertEqual(movement, "02", "a write-off request (pedido de baixa)")
        # the bank still settles it (paid twice by the customer): nothing is paid twice here
        ret = self.import_return([self.settled(boleto, 1000.0)])
        self.assertEqual(ret.line_ids.state, "review")
        self.assertIn("already paid", ret.line_ids.message)
        self.assertEqual(len(invoice._get_reconciled_payments()), 1)

    def test_the_pdf_rendered_by_wkhtmltopdf_carries_the_typeable_line(self):
        """A real PDF, not Odoo's HTML test mode: its text holds the line a payer types."""
        _invoice, boleto = self.issue(1234.56, TODAY + datetime.timedelta(days=10))
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("collections_pix.report_boleto", boleto.ids)
        )
        self.assertEqual((kind, pdf[:5]), ("pdf", b"%PDF-"))
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "boleto.pdf"
            target.write_bytes(pdf)
            text = subprocess.run(
                ["pdftotext", "-layout", str(target), "-"], check=True, capture_output=True, text=True
            ).stdout
        self.assertIn(boleto.line, text)
        self.assertIn("Recibo do Pagador", text)
        self.assertIn("CPF 104.332.181-00", text)
        self.assertIn("1,234.56", text)
        self.assertIn(fields.Date.to_string(boleto.due_date)[:4], text)

    def test_reminders_issue_the_boleto_and_carry_it_once_the_bank_has_it(self):
        invoice = self.make_invoice(self.customer, 500.0, "2026-03-10")
        self.plan("2026-03-11")  # D+1
        self.dispatch("2026-03-11 15:00:00")
        first = self.comms(self.customer, channel="email")
        self.assertEqual(first.state, "sent")
        boleto = invoice.collection_boleto_id
        self.assertEqual(boleto.state, "to_register", "issued by the reminder, not yet at the bank")
        self.assertFalse(first.mail_message_id.attachment_ids, "no slip the bank would refuse")
        with freeze_time("2026-03-11 18:00:00"):
            self.account.action_collection_remittance()
        self.plan("2026-03-17")  # D+7
        self.dispatch("2026-03-17 15:00:00")
        second = self.comms(self.customer, channel="email", stage_id=self.stages["escalation"].id)
        self.assertEqual(second.state, "sent")
        self.assertIn(
            f"Boleto {invoice.name.replace('/', '_')}.pdf", second.mail_message_id.attachment_ids.mapped("name")
        )
        self.assertEqual(invoice.collection_boleto_ids, boleto, "the same boleto, not a new one per reminder")

    def test_a_new_due_date_changes_the_slip_and_goes_to_the_bank_as_movement_06(self):
        invoice, boleto = self.issue(300.0, TODAY + datetime.timedelta(days=10))
        self.account.action_collection_remittance()
        old_line = boleto.line
        new_due = TODAY + datetime.timedelta(days=25)
        invoice._collection_set_due_date(new_due)
        self.assertEqual((boleto.due_date, boleto.change_movement), (new_due, "06"))
        self.assertNotEqual(boleto.line, old_line)
        parsed = boleto_tools.parse(boleto.line, TODAY)
        self.assertEqual((parsed.due_date, str(parsed.amount)), (new_due, "300.00"))
        self.assertEqual(parsed.free_field, "000000" + boleto.nosso_numero + "18", "the same nosso número")
        action = self.account.action_collection_remittance()
        remittance = self.env["collection.bank.remittance"].browse(action["res_id"])
        self.assertEqual(remittance.change_ids, boleto)
        p_record = base64.b64decode(remittance.file).decode("latin-1").split("\r\n")[2]
        self.assertEqual((p_record[15:17], p_record[77:85]), ("06", new_due.strftime("%d%m%Y")))
        self.assertTrue(remittance._check_unchanged())
        with self.assertRaisesRegex(UserError, "no boleto to register"):
            self.account.action_collection_remittance()  # told once

    def test_the_invoice_email_carries_the_boleto_the_bank_has(self):
        invoice, boleto = self.issue(700.0, TODAY + datetime.timedelta(days=10))
        send = self.env["account.move.send"]
        self.assertNotIn("Boleto", " ".join(send._get_invoice_extra_attachments(invoice).mapped("name")))
        self.account.action_collection_remittance()
        names = send._get_invoice_extra_attachments(invoice).mapped("name")
        self.assertIn(f"Boleto {invoice.name.replace('/', '_')}.pdf", names)
        self.assertEqual(boleto.slip_attachment_id.res_id, boleto.id)

    def test_tools_round_trip_our_remittance_as_a_bank_would_read_it(self):
        _invoice, boleto = self.issue(1000.0, TODAY + datetime.timedelta(days=10))
        action = self.account.action_collection_remittance()
        remittance = self.env["collection.bank.remittance"].browse(action["res_id"])
        records = base64.b64decode(remittance.file).decode("latin-1").split("\r\n")
        p_record = cnab.read_record(records[2], cnab.cnab240.records_for("001")["segment_p"])
        self.assertEqual(p_record["nosso_numero"], boleto.nosso_numero)
        self.assertEqual(str(p_record["amount"]), "1000.00")
