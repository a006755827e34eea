from odoo import fields, models


class CollectionInstallmentRescheduleWizard(models.TransientModel):
    _name = "collection.installment.reschedule.wizard"
    _description = "Reschedule an Agreement Installment"

    installment_id = fields.Many2one("collection.agreement.installment", required=True)
    current_date = fields.Date(related="installment_id.date_due", string="Due Now")
    new_date = fields.Date(string="New Due Date", required=True)
    reason = fields.Char(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.installment_id._reschedule(self.new_date, self.reason)
        return {"type": "ir.actions.act_window_close"}
