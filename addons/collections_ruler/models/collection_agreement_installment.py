from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from .collection_agreement import MANAGER_GROUP


class CollectionAgreementInstallment(models.Model):
    _name = "collection.agreement.installment"
    _description = "Collection Agreement Installment"
    _order = "agreement_id, sequence, id"

    agreement_id = fields.Many2one("collection.agreement", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="agreement_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    sequence = fields.Integer(required=True, default=1)
    date_due = fields.Date(string="Due Date", required=True)
    amount = fields.Monetary(required=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True, index="btree_not_null")
    payment_state = fields.Selection(related="move_id.payment_state", string="Payment")
    amount_residual = fields.Monetary(related="move_id.amount_residual", string="Still Due")

    _sql_constraints = [("amount_positive", "CHECK(amount > 0)", "An installment must have a positive amount.")]

    def _label(self):
        """The invoice line the customer reads: in the customer's language."""
        agreement = self.agreement_id
        env = self.with_context(lang=agreement.partner_id.lang or self.env.lang).env
        return env._(
            "Installment %(number)s/%(count)s of the agreement %(name)s",
            number=self.sequence,
            count=agreement.installment_count,
            name=agreement.name,
        )

    def _reschedule(self, new_date, reason):
        """Move an open installment's due date, within the policy unless a manager does it."""
        self.ensure_one()
        agreement, move = self.agreement_id, self.move_id
        if agreement.state != "active" or not move._collection_filter_open():
            raise UserError(self.env._("Only an open installment of an active agreement can be rescheduled."))
        limit = agreement.policy_id.max_reschedule_days
        if (new_date - self.date_due).days > limit and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "The policy lets a collector postpone an installment by %(days)s days at most; ask a manager.",
                    days=limit,
                )
            )
        old_date = self.date_due
        move._collection_set_due_date(new_date)
        self.date_due = new_date
        message = self.env._(
            "Installment %(number)s moved from %(old)s to %(new)s by %(user)s: %(reason)s",
            number=self.sequence,
            old=format_date(self.env, old_date),
            new=format_date(self.env, new_date),
            user=self.env.user.name,
            reason=reason,
        )
        agreement.message_post(body=message)
        move.message_post(body=message)
