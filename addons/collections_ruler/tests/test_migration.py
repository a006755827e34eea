import importlib.util
import pathlib

from odoo.tests import tagged

from .common import CollectionsCommon

MIGRATION = pathlib.Path(__file__).parent.parent / "migrations" / "18.0.1.2.0" / "post-migrate.py"


@tagged("post_install", "-at_install")
class TestLinesMigration(CollectionsCommon):
    """18.0.1.2.0 turns the contact lines' table into a view: every line of an 18.0.1.1.0 database must
    read the same afterwards, whatever shape the planner (or a person) left it in."""

    def contact(self, stage, channel):
        return self.env["collection.communication"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "ruler_id": self.ruler.id,
                "stage_id": stage.id,
                "channel": channel,
                "state": "sent",
                "plan_date": "2026-03-11",
                "scheduled_at": "2026-03-11 12:00:00",
                "sent_at": "2026-03-11 12:00:00",
            }
        )

    def test_every_line_of_an_older_database_reads_the_same(self):
        friendly, escalation = self.stages["friendly"], self.stages["escalation"]
        a, b, c, d, e, f = (self.make_invoice(self.customer, 100.0 * n, "2026-03-10") for n in range(1, 7))
        # a group as the planner made it: one contact per channel, the same invoices
        group_email, group_sms = self.contact(friendly, "email"), self.contact(friendly, "sms")
        # an agreement's breach brought C back to a stage it had reached alone, with D: the e-mail of C was
        # refused by the unique key, an SMS (a channel added since) covers both
        alone, later_email, later_sms = (
            self.contact(escalation, "email"),
            self.contact(escalation, "email"),
            self.contact(escalation, "sms"),
        )
        # a contact covering part of another's invoices (a line refused, or made by hand)
        whole, part = self.contact(friendly, "whatsapp"), self.contact(friendly, "letter")
        old = [
            (group_email, a, friendly), (group_email, b, friendly),
            (group_sms, a, friendly), (group_sms, b, friendly),
            (alone, c, escalation), (later_email, d, escalation),
            (later_sms, c, escalation), (later_sms, d, escalation),
            (whole, e, friendly), (whole, f, friendly), (part, e, friendly),
        ]  # fmt: skip
        self.env.flush_all()
        cr = self.env.cr
        # what 18.0.1.1.0 stored: one pointer per invoice (no history, no group), the lines in a table
        cr.execute(
            """
            INSERT INTO collection_invoice_stage (move_id, stage_id, date)
            VALUES (%s, %s, '2026-03-11'), (%s, %s, '2026-03-11')
            """,
            [a.id, friendly.id, c.id, escalation.id],
        )
        cr.execute(
            """
            CREATE TABLE collection_communication_line_v11 (
                id serial, communication_id int, move_id int, stage_id int, channel varchar, amount_residual numeric)
            """
        )
        for contact, move, stage in old:
            cr.execute(
                """
                INSERT INTO collection_communication_line_v11 (communication_id, move_id, stage_id, channel,
                                                              amount_residual)
                VALUES (%s, %s, %s, %s, %s)
                """,
                [contact.id, move.id, stage.id, contact.channel, move.amount_residual],
            )
        spec = importlib.util.spec_from_file_location("collections_ruler_post_migrate_18_0_1_2_0", MIGRATION)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(cr, "18.0.1.1.0")
        self.env.invalidate_all()

        moves = a | b | c | d | e | f
        lines = self.env["collection.communication.line"].search([("move_id", "in", moves.ids)])
        self.assertEqual(
            sorted((line.communication_id.id, line.move_id.id, line.stage_id.id, line.channel) for line in lines),
            sorted((contact.id, move.id, stage.id, contact.channel) for contact, move, stage in old),
        )
        self.assertEqual(lines.mapped("amount_residual"), [line.move_id.amount_residual for line in lines])
        # the planner's group is a group again; what no group holds is kept line by line
        self.assertEqual(group_email.plan_group, group_sms.plan_group)
        self.assertTrue(group_email.plan_group)
        self.assertFalse(self.env["collection.communication.line.stored"].search([("move_id", "in", (a | b).ids)]))
        # the pointers are the invoices' current stages; the other stages reached are history
        self.assertEqual(a.collection_stage_id, friendly)
        self.assertEqual(c.collection_stage_id, escalation)
        self.assertFalse(b.collection_stage_id)
        cr.execute("SELECT to_regclass('collection_communication_line_v11')")
        self.assertIsNone(cr.fetchone()[0], "the old table is dropped")
