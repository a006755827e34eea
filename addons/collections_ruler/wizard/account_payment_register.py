from odoo import models
from odoo.exceptions import UserError


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payment_vals_from_wizard(self, batch_result):
        """Split the write-off of a payment above the open amount over several accounts.

        Odoo books the whole difference to one account; a debt paid with its update has
        a fine and interest that belong to different accounts (and, for a boleto, a bank
        fee and a discount). Callers pass ``collection_writeoff_split``: a list of
        ``(account id, label, amount)`` whose amounts add up to what is received above
        the open amount.
        """
        values = super()._create_payment_vals_from_wizard(batch_result)
        split = self.env.context.get("collection_writeoff_split")
        if not split or len(values.get("write_off_line_vals") or []) != 1:
            return values
        [line] = values["write_off_line_vals"]
        sign = -1 if line["amount_currency"] < 0 else 1
        if self.currency_id.compare_amounts(sum(amount for _a, _l, amount in split), abs(line["amount_currency"])):
            raise UserError(
                self.env._(
                    "The parts of the difference (%(parts)s) do not add up to it (%(total)s).",
                    parts=self.currency_id.format(sum(amount for _a, _l, amount in split)),
                    total=self.currency_id.format(abs(line["amount_currency"])),
                )
            )
        values["write_off_line_vals"] = [
            {
                **line,
                "account_id": account_id,
                "name": label,
                "amount_currency": sign * amount,
                "balance": self.currency_id._convert(
                    sign * amount, self.company_id.currency_id, self.company_id, self.payment_date
                ),
            }
            for account_id, label, amount in split
            if not self.currency_id.is_zero(amount)
        ]
        return values
