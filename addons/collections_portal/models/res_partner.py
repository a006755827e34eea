import datetime
import hashlib

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date
from odoo.tools.misc import hmac

from ..tools import tokens

TOKEN_SCOPE = "collections_portal.debts"
# How far a customer's counter-proposal may go; a manager decides on anything outside the policy.
COUNTER_MAX_INSTALLMENTS = 24
COUNTER_MAX_DAYS = 90
PREFERENCE_FIELDS = (
    "collection_optout_email",
    "collection_optout_sms",
    "collection_optout_whatsapp",
    "collection_optout_letter",
    "collection_optout_phone",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # The link in reminders
    # ------------------------------------------------------------------
    def _collection_portal_token(self, company=None, communication=None):
        """A signed token opening this customer's debts page in ``company`` until the link expires."""
        self.ensure_one()
        if not company:
            company = communication.company_id if communication else self.env.company
        days = company.collection_portal_link_days or 30
        link = tokens.PortalLink(
            partner_id=self.commercial_partner_id.id,
            company_id=company.id,
            communication_id=communication.id if communication else 0,
            expires_on=fields.Date.context_today(self) + datetime.timedelta(days=days),
        )
        return tokens.build(link, hmac(self.env(su=True), TOKEN_SCOPE, link.message()))

    def _get_collection_portal_url(self, communication=None):
        """The customer's debts page, opened without a password through a token scoped to them."""
        self.ensure_one()
        token = self._collection_portal_token(communication=communication)
        return f"{self.get_base_url()}/my/debts?token={token}"

    @api.model
    def _collection_portal_read_token(self, token):
        """(commercial partner, company, communication, expired) of a valid token; raises
        tokens.InvalidTokenError when it was not issued by this database for a customer."""
        link, signature = tokens.parse(token)
        if not tokens.signature_matches(hmac(self.env(su=True), TOKEN_SCOPE, link.message()), signature):
            raise tokens.InvalidTokenError("signature does not match")
        partner = self.sudo().browse(link.partner_id).exists()
        company = self.env["res.company"].sudo().browse(link.company_id).exists()
        if not partner or not company or partner.commercial_partner_id != partner:
            raise tokens.InvalidTokenError("unknown customer")
        communication = self.env["collection.communication"].sudo().browse(link.communication_id).exists()
        if communication and communication.partner_id.commercial_partner_id != partner:
            communication = communication.browse()
        return partner, company, communication, link.is_expired(fields.Date.context_today(self))

    def _collection_portal_send_link(self, company, ip_address):
        """E-mail a fresh link to the address on file (never to one typed on the page)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if not partner.email:
            raise UserError(self.env._("We have no e-mail address on file for you. Please contact us."))
        self.env["collection.portal.action"]._check_and_log(partner, company, "link", ip_address)
        url = partner.with_company(company)._get_collection_portal_url()
        template = self.env.ref("collections_portal.mail_template_portal_link")
        template.with_company(company).with_context(collection_portal_url=url).send_mail(
            partner.id, email_layout_xmlid="mail.mail_notification_light"
        )
        return partner.email

    # ------------------------------------------------------------------
    # What the page shows and does: always this customer's own open receivables
    # ------------------------------------------------------------------
    def _collection_portal_moves(self, company, move_ids=None):
        """This customer's open receivables in ``company`` (among ``move_ids`` when given). Asking for
        an id that is not one of them (another customer's, paid, guessed) is refused as a whole."""
        self.ensure_one()
        partner = self.sudo()
        if move_ids is None:
            return partner._collection_open_receivables(company)
        ids = {int(i) for i in move_ids}
        moves = partner._collection_open_receivables(company, [("id", "in", list(ids))])
        if not ids or len(moves) != len(ids):
            raise UserError(
                self.env._("These debts are not open in your name any more. Reload the page and try again.")
            )
        return moves

    def _collection_portal_policy(self, company):
        policy = self.commercial_partner_id.sudo().with_company(company)._collection_policy()
        if not policy:
            raise UserError(self.env._("Agreements are not offered online. Please contact us."))
        return policy

    def _collection_portal_negotiable(self, company, move_ids=None, moves=None):
        """The open receivables the customer may put into an agreement: overdue, not an installment of an
        active agreement, not already in a proposal waiting for approval. (``moves``: the customer's open
        receivables when the caller has them already.)"""
        if moves is None:
            moves = self._collection_portal_moves(company, move_ids)
        today = company._collection_today()  # the customer's day where the company is
        negotiable = moves.filtered(
            lambda m: (
                m.invoice_date_due
                and m.invoice_date_due < today
                and not m.collection_agreement_id.filtered(lambda a: a.state == "active")
                and not m.collection_settled_agreement_ids.filtered(lambda a: a.state == "to_approve")
            )
        )
        if move_ids is not None and negotiable != moves:
            raise UserError(
                self.env._("Only overdue debts that are not in an agreement already can be negotiated here.")
            )
        return negotiable

    def _collection_portal_options(self, company, move_ids, first_due=None, counter=False):
        """(moves, policy, debt, options, first due date, last first due date the policy allows) of the
        chosen debts. A counter-proposal may ask for a later first date (a manager decides)."""
        moves = self._collection_portal_negotiable(company, move_ids)
        policy = self._collection_portal_policy(company)
        today = company._collection_today()
        latest = today + datetime.timedelta(days=policy.max_first_due_days)
        first_due = first_due or today + datetime.timedelta(days=min(7, policy.max_first_due_days))
        limit = today + datetime.timedelta(days=COUNTER_MAX_DAYS) if counter else latest
        if not today <= first_due <= limit:
            raise UserError(
                self.env._(
                    "The first installment can be due from today to %(date)s.", date=format_date(self.env, limit)
                )
            )
        debt, options = (
            self.commercial_partner_id.sudo()
            .with_company(company)
            ._collection_agreement_options(moves, as_of=today, first_due=first_due)
        )
        if not options:
            raise UserError(self.env._("Agreements are not offered online for these debts. Please contact us."))
        return moves, policy, debt, options, first_due, latest

    def _collection_portal_propose(self, company, move_ids, count, first_due, terms_digest, ip_address, counter=False):
        """Create the agreement the customer accepted, from the server's own figures.

        ``count`` and ``first_due`` are all the customer chooses; the discount is the
        policy's for a single payment and nothing for installments, as the options showed.
        A choice among the options starts at once; a counter-proposal outside the policy
        goes to a manager. ``terms_digest`` proves the customer saw the terms recorded.
        """
        self.ensure_one()
        partner = self.commercial_partner_id.sudo().with_company(company)
        moves, policy, _debt, options, first_due, _latest = self._collection_portal_options(
            company, move_ids, first_due, counter=counter
        )
        terms = policy._agreement_terms(partner)
        if terms_digest != self._collection_portal_terms_digest(terms):
            raise UserError(self.env._("The terms changed while you were reading them. Please review them again."))
        option = next((o for o in options if o.count == count), None)
        if option is None and not counter:
            raise UserError(self.env._("This option is not available. Please choose one of those shown."))
        if not 1 <= count <= COUNTER_MAX_INSTALLMENTS:
            raise UserError(self.env._("Choose between 1 and %(count)s installments.", count=COUNTER_MAX_INSTALLMENTS))
        self.env["collection.portal.action"]._check_and_log(
            partner, company, "proposal", ip_address, f"{count}x, {first_due}"
        )
        Agreement = self.env["collection.agreement"].sudo().with_company(company)
        discount = float(option.discount.total) if option else 0.0
        values = Agreement._prepare_proposal(
            partner,
            moves,
            policy,
            count,
            discount,
            first_due,
            company._collection_today(),
            origin="portal",
        )
        values.update(
            user_id=moves[:1]._collection_collector().id,
            portal_accepted_at=fields.Datetime.now(),
            portal_accepted_ip=ip_address,
            portal_terms="\n".join(terms),
        )
        agreement = Agreement.create(values)
        agreement._collection_portal_record_acceptance()
        agreement.action_confirm()
        return agreement

    @api.model
    def _collection_portal_terms_digest(self, terms):
        return hashlib.sha256("\n".join(terms).encode()).hexdigest()[:16]

    def _collection_portal_promise(self, company, move_ids, promise_date, ip_address):
        self.ensure_one()
        partner = self.commercial_partner_id.sudo()
        moves = self._collection_portal_moves(company, move_ids)
        policy = self._collection_portal_policy(company)
        today = company._collection_today()
        latest = today + datetime.timedelta(days=policy.max_promise_days)
        if not promise_date or not today <= promise_date <= latest:
            raise UserError(
                self.env._(
                    "Choose a date from today to %(date)s.",
                    date=format_date(self.env, latest),
                )
            )
        self.env["collection.portal.action"]._check_and_log(
            partner, company, "promise", ip_address, fields.Date.to_string(promise_date)
        )
        note = self.env._("Promised on the customer portal (IP %(ip)s).", ip=ip_address)
        moves.with_company(company).with_context(collection_origin="portal")._collection_promise(promise_date, note)
        partner.message_post(
            body=self.env._(
                "%(partner)s promised on the portal to pay %(invoices)s by %(date)s.",
                partner=partner.name,
                invoices=", ".join(moves.mapped("name")),
                date=format_date(self.env, promise_date),
            )
        )
        return moves

    def _collection_portal_set_preferences(self, company, values, ip_address):
        """Save the contact preferences the customer chose; the ruler reads them on its next run."""
        self.ensure_one()
        partner = self.commercial_partner_id.sudo()
        channels = {key for key, _label in partner._fields["collection_preferred_channel"].selection}
        times = {key for key, _label in partner._fields["collection_contact_time"].selection}
        preferred = values.get("preferred_channel") or False
        contact_time = values.get("contact_time") or False
        if (preferred and preferred not in channels) or (contact_time and contact_time not in times):
            raise UserError(self.env._("Choose one of the options shown."))
        whatsapp = (values.get("whatsapp_number") or "").strip()
        digits = "".join(ch for ch in whatsapp if ch.isdigit())
        if whatsapp and not 10 <= len(digits) <= 13:
            raise UserError(self.env._("Type the WhatsApp number with its area code, e.g. (11) 98765-4321."))
        vals = {name: bool(values.get(name)) for name in PREFERENCE_FIELDS}
        if preferred and vals.get(f"collection_optout_{preferred}"):
            raise UserError(self.env._("Your preferred channel cannot be one you asked us not to use."))
        vals.update(
            collection_preferred_channel=preferred,
            collection_contact_time=contact_time,
            collection_whatsapp_number=whatsapp or False,
        )
        self.env["collection.portal.action"]._check_and_log(partner, company, "preferences", ip_address)
        partner.write(vals)
        partner.message_post(body=self.env._("Contact preferences changed by the customer on the portal."))
        return partner
