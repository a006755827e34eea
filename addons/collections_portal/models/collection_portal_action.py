import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError

PORTAL_ACTIONS = [
    ("proposal", "Agreement"),
    ("promise", "Promise to Pay"),
    ("preferences", "Contact Preferences"),
    ("link", "Fresh Link Sent"),
]
# How many of each a customer may do in a day: enough for any honest use, too few to flood the
# back office or someone's mailbox from a leaked link.
DAILY_LIMITS = {"proposal": 3, "promise": 3, "preferences": 10, "link": 3}


class CollectionPortalAction(models.Model):
    """What a customer did on the portal: the audit trail of their requests, and the count that
    rate-limits them."""

    _name = "collection.portal.action"
    _description = "Customer Portal Request"
    _order = "id desc"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    kind = fields.Selection(PORTAL_ACTIONS, required=True, readonly=True)
    ip_address = fields.Char(string="IP Address", readonly=True)
    description = fields.Char(readonly=True)

    @api.model
    def _check_and_log(self, partner, company, kind, ip_address, description=False):
        """Refuse a request above the day's limit of ``kind``, else record it."""
        since = fields.Datetime.now() - datetime.timedelta(days=1)
        done = self.sudo().search_count(
            [("partner_id", "=", partner.id), ("kind", "=", kind), ("create_date", ">=", since)]
        )
        if done >= DAILY_LIMITS[kind]:
            raise UserError(
                self.env._(
                    "You have done this %(count)s times today, the most the page allows. Please try again "
                    "tomorrow, or reply to our last message to talk to us.",
                    count=done,
                )
            )
        return self.sudo().create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "kind": kind,
                "ip_address": ip_address,
                "description": description,
            }
        )
