import base64

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.bureau_export import BureauRecord, InvalidBureauRecordError, to_csv

EXPORTS = {
    # kind: {state to export: (event, state once exported)}
    "negativacao": {
        "field": "collection_negativacao_state",
        "states": {"to_register": ("inclusao", "registered"), "to_remove": ("exclusao", "removed")},
    },
    "agency": {"field": "collection_agency_state", "states": {"to_hand_over": ("inclusao", "handed_over")}},
}


class CollectionExportWizard(models.TransientModel):
    _name = "collection.export.wizard"
    _description = "Export Debts to a Credit Bureau or Collection Agency"

    kind = fields.Selection(
        [("negativacao", "Credit Bureau (negativação)"), ("agency", "Collection Agency")],
        required=True,
        default="negativacao",
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    move_count = fields.Integer(compute="_compute_moves", string="Debts to Export")
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    def _get_moves(self):
        spec = EXPORTS[self.kind]
        return self.env["account.move"].search(
            [("company_id", "=", self.company_id.id), (spec["field"], "in", list(spec["states"]))],
            order="invoice_date_due, id",
        )

    @api.depends("kind", "company_id")
    def _compute_moves(self):
        for wizard in self:
            wizard.move_count = len(wizard._get_moves()) if wizard.kind else 0

    def action_export(self):
        """One file, one transaction: the debts are marked exported only together with the file."""
        self.ensure_one()
        spec = EXPORTS[self.kind]
        moves = self._get_moves()
        if not moves:
            raise UserError(self.env._("There is nothing to export."))
        records = []
        for move in moves:
            event, _next_state = spec["states"][move[spec["field"]]]
            partner = move.commercial_partner_id
            records.append(
                BureauRecord(
                    event=event,
                    document=partner.vat or "",
                    name=partner.name,
                    street=partner.street or "",
                    city=partner.city or "",
                    state=partner.state_id.code or "",
                    zip_code=partner.zip or "",
                    reference=move.name,
                    due_date=move.invoice_date_due,
                    amount=move.amount_residual if event == "inclusao" else move.amount_total,
                    occurred_on=fields.Date.context_today(self),
                )
            )
        try:
            content = to_csv(records)
        except InvalidBureauRecordError as error:
            raise UserError(
                self.env._("The file was not created, fix this debt first: %(error)s", error=error)
            ) from error
        for state, (_event, next_state) in spec["states"].items():
            moves.filtered(lambda m, state=state: m[spec["field"]] == state).write({spec["field"]: next_state})
        self.write(
            {
                "file": base64.b64encode(content.encode("utf-8")),
                "filename": f"{self.kind}-{fields.Date.context_today(self)}.csv",
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
