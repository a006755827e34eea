from markupsafe import Markup

from odoo import fields, models


class CollectionAgreement(models.Model):
    _inherit = "collection.agreement"

    portal_accepted_at = fields.Datetime(string="Accepted Online On", readonly=True, copy=False)
    portal_accepted_ip = fields.Char(string="Accepted From IP", readonly=True, copy=False)
    portal_terms = fields.Text(string="Terms Accepted", readonly=True, copy=False)

    def _collection_portal_record_acceptance(self):
        """The customer's acceptance in the chatter: when, from where, which terms (also on the termo)."""
        for agreement in self:
            agreement.message_post(
                body=Markup("<p>%s</p><ol>%s</ol>")
                % (
                    self.env._(
                        "Accepted by the customer on the portal on %(moment)s UTC from IP %(ip)s, with these terms:",
                        moment=fields.Datetime.to_string(agreement.portal_accepted_at),
                        ip=agreement.portal_accepted_ip or "?",
                    ),
                    Markup().join(Markup("<li>%s</li>") % line for line in (agreement.portal_terms or "").splitlines()),
                )
            )

    def action_reject(self):
        res = super().action_reject()
        self.filtered(lambda a: a.origin == "portal")._collection_portal_notify("rejected")
        return res

    def _collection_portal_notify(self, answer):
        """E-mail the manager's answer to a proposal the customer made on the portal. (An approval's answer
        is the agreement's terms e-mail, sent when it starts.)"""
        template = self.env.ref(f"collections_portal.mail_template_agreement_{answer}")
        for agreement in self:
            sender = agreement.company_id.email_formatted or self.env.user.email_formatted
            agreement.with_context(
                mail_notify_force_send=False,
                collection_portal_url=agreement.partner_id.with_company(
                    agreement.company_id
                )._get_collection_portal_url(),
            ).message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=agreement.partner_id.ids,
                author_id=agreement.company_id.partner_id.id,
                email_layout_xmlid="mail.mail_notification_light",
                **({"email_from": sender} if sender else {}),
            )
