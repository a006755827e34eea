"""The customer's debts page: check who asks, call a model method, render. No arithmetic here.

Who asks is either a signed link from a reminder (``token``, scoped to one
commercial partner and company, expiring) or a logged-in portal user (their own
commercial partner). Every id and figure a form sends is checked against that
customer's own open receivables and recomputed by the models; bad input gets a
page with a clear message, never a 500.
"""

import datetime
import logging

from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.payment_provider import PIX_CODE
from ..models.payment_transaction import PROCESS_URL
from ..models.res_partner import PREFERENCE_FIELDS
from ..tools import tokens
from ..tools.masking import mask_email, mask_phone

_logger = logging.getLogger(__name__)

# The messages a redirect may ask the page to show, by code (never free text from a URL).
DONE_CODES = ("promise", "agreement", "proposal", "preferences", "link")


class CollectionsPortal(CustomerPortal):
    # ------------------------------------------------------------------
    # /my home: the "My debts" entry
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "collection_debt_count" in counters:
            user = request.env.user
            count = 0
            if not user._is_public():
                partner = user.partner_id.commercial_partner_id.sudo()
                count = len(partner._collection_portal_moves(user.company_id))
            values["collection_debt_count"] = count
        return values

    # ------------------------------------------------------------------
    # Who is asking
    # ------------------------------------------------------------------
    def _collection_customer(self, token):
        """(commercial partner as sudo, company, communication, response): the response is set when the
        request must stop there (login, expired or invalid link)."""
        empty = request.env["collection.communication"].sudo()
        if token:
            try:
                partner, company, communication, expired = request.env["res.partner"]._collection_portal_read_token(
                    token
                )
            except tokens.InvalidTokenError:
                return None, None, empty, self._collection_render_link_problem("invalid", status=403)
            lang = partner.lang
            if lang and request.env["res.lang"]._get_code(lang):
                request.update_context(lang=lang)  # the link speaks the customer's language
            if expired:
                return (
                    partner,
                    company,
                    communication,
                    self._collection_render_link_problem(
                        "expired", token=token, email=mask_email(partner.email or ""), res_company=company
                    ),
                )
            return partner, company, communication, None
        user = request.env.user
        if user._is_public():
            return None, None, empty, request.redirect("/web/login?redirect=/my/debts")
        partner = user.partner_id.commercial_partner_id.sudo()
        return partner, user.company_id, empty, None

    def _collection_render_link_problem(self, problem, status=200, **values):
        return request.render(
            "collections_portal.portal_debts_link_problem",
            {**self._prepare_portal_layout_values(), "problem": problem, **values},
            status=status,
        )

    @staticmethod
    def _collection_ip():
        return request.httprequest.remote_addr

    @staticmethod
    def _collection_ids(values):
        """The integer ids a form or query sends as ``move_ids`` (repeated or comma separated)."""
        raw = request.httprequest.values.getlist("move_ids") or [values.get("move_ids") or ""]
        ids = []
        for item in raw:
            for part in str(item).split(","):
                part = part.strip()
                if part:
                    if not part.isdigit() or len(part) > 12:
                        raise UserError(request.env._("These debts are not open in your name any more."))
                    ids.append(int(part))
        return ids

    @staticmethod
    def _collection_date(value):
        try:
            return fields.Date.to_date(value) if value else None
        except ValueError as error:
            raise UserError(request.env._("This is not a date: %(value)s.", value=str(value)[:20])) from error

    @staticmethod
    def _collection_int(value, default=0):
        value = str(value or "").strip()
        if not value:
            return default
        if not value.isdigit() or len(value) > 4:
            raise UserError(request.env._("Choose one of the options shown."))
        return int(value)

    def _collection_url(self, token, **params):
        query = {"token": token} if token else {}
        query.update({key: value for key, value in params.items() if value})
        return "/my/debts?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "/my/debts"

    # ------------------------------------------------------------------
    # The page
    # ------------------------------------------------------------------
    def _collection_page_values(self, partner, company, token, **extra):
        partner = partner.with_company(company).with_context(lang=request.env.lang)
        statement = partner._collection_statement()
        today = company._collection_today()
        Agreement = request.env["collection.agreement"].sudo()
        agreements = Agreement.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "in", ("to_approve", "active", "done", "broken")),
            ],
            limit=20,
        )
        history = (
            request.env["collection.communication"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("state", "=", "sent"),
                    ("channel", "!=", "phone"),
                ],
                order="sent_at desc, id desc",
                limit=20,
            )
        )
        policy = partner.sudo()._collection_policy()
        Pix = request.env["collection.pix.provider"].sudo()
        has_boleto = bool(request.env["res.partner.bank"].sudo()._collection_for_company(company))
        has_other_methods = "payment.provider" in request.env and bool(
            request.env["payment.provider"]
            .sudo()
            .search_count([("state", "in", ("enabled", "test")), ("company_id", "=", company.id)], limit=1)
        )
        open_moves = request.env["account.move"].sudo().browse([row["move"].id for row in statement["rows"]])
        negotiable = (
            partner._collection_portal_negotiable(company, moves=open_moves) if policy else request.env["account.move"]
        )
        Partner = request.env["res.partner"]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "collection_debts",
                "partner": partner,
                "company": company,
                "res_company": company,
                "token": token,
                "statement": statement,
                "currency": statement["currency"],
                "agreements": agreements,
                "history": history,
                "policy": policy,
                "has_pix": bool(Pix._for_company(company)),
                "has_boleto": has_boleto,
                "has_other_methods": has_other_methods,
                "negotiable_ids": set(negotiable.ids),
                # the choices as the fields define them, in the customer's language
                "channels": request.env["collection.communication"]
                ._fields["channel"]
                ._description_selection(request.env),
                "preferred_channels": Partner._fields["collection_preferred_channel"]._description_selection(
                    request.env
                ),
                "contact_times": Partner._fields["collection_contact_time"]._description_selection(request.env),
                "promise_max": today + datetime.timedelta(days=policy.max_promise_days) if policy else today,
                "today": today,
                "masked_email": mask_email(partner.email or ""),
                "masked_phone": mask_phone(partner.mobile or partner.phone or ""),
                "url": lambda **params: self._collection_url(token, **params),
                "error": False,
                "done": False,
                "pix_move": request.env["account.move"],
            }
        )
        values.update(extra)
        return values

    @http.route("/my/debts", type="http", auth="public", website=True, methods=["GET"], sitemap=False)
    def collection_debts(self, token=None, done=None, pix=None, **_kwargs):
        partner, company, communication, response = self._collection_customer(token)
        if response:
            return response
        if communication:
            communication._collection_portal_link_opened()
        return request.render(
            "collections_portal.portal_my_debts",
            self._collection_page_values(
                partner,
                company,
                token,
                done=done if done in DONE_CODES else False,
                pix_move=self._pix_move(partner, company, pix),
            ),
        )

    @staticmethod
    def _pix_move(partner, company, move_id):
        """The customer's own invoice whose Pix panel the page shows (open, or just paid)."""
        if not move_id or not str(move_id).isdigit() or len(str(move_id)) > 12:
            return request.env["account.move"]
        return (
            request.env["account.move"]
            .sudo()
            .search(
                [
                    ("id", "=", int(move_id)),
                    ("commercial_partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                ]
            )
        )

    def _collection_fail(self, partner, company, token, error, status=400):
        """The page again, with what went wrong; nothing was created (the request's transaction rolls back)."""
        request.env.cr.rollback()
        message = error.args[0] if error.args else str(error)
        return request.render(
            "collections_portal.portal_my_debts",
            self._collection_page_values(partner, company, token, error=message),
            status=status,
        )

    def _collection_action(self, token, method, *args):
        """Run ``method(partner, company, *args)`` for the customer; its answer or the page with the error."""
        partner, company, _communication, response = self._collection_customer(token)
        if response:
            return response
        try:
            return method(partner, company, *args)
        except (UserError, ValidationError, AccessError) as error:
            return self._collection_fail(partner, company, token, error)

    # ------------------------------------------------------------------
    # Paying
    # ------------------------------------------------------------------
    @http.route("/my/debts/pix", type="http", auth="public", website=True, methods=["POST"], sitemap=False)
    def collection_pix(self, token=None, **post):
        def act(partner, company):
            moves = partner._collection_portal_moves(company, self._collection_ids(post))
            if len(moves) != 1:
                raise UserError(request.env._("Choose one debt to pay."))
            request.env["collection.pix.charge"].sudo()._ensure_for_moves(moves, raise_errors=True)
            return request.redirect(self._collection_url(token, pix=moves.id) + "#pix")

        return self._collection_action(token, act)

    @http.route("/my/debts/pix/status", type="http", auth="public", methods=["GET"], sitemap=False)
    def collection_pix_status(self, token=None, move_id=None, **_kwargs):
        """What the page polls while the customer pays: pending, active (with the code), paid."""
        partner, company, _communication, response = self._collection_customer(token)
        if response or not str(move_id or "").isdigit() or len(str(move_id)) > 12:
            return request.make_json_response({"state": "forbidden"}, status=403)
        move = self._pix_move(partner, company, move_id)
        if not move:
            return request.make_json_response({"state": "forbidden"}, status=403)
        if move.payment_state in ("paid", "in_payment"):
            return request.make_json_response({"state": "paid"})
        charge = move.collection_pix_charge_id
        if charge:
            return request.make_json_response(
                {
                    "state": "active",
                    "payload": charge.payload,
                    "qr_url": move.collection_pix_qr_url,
                    "amount": move.currency_id.format(charge.amount),
                }
            )
        if move.collection_pix_pending:
            return request.make_json_response({"state": "pending"})
        return request.make_json_response({"state": "none"})

    @http.route("/my/debts/boleto", type="http", auth="public", website=True, methods=["POST"], sitemap=False)
    def collection_boleto(self, token=None, **post):
        def act(partner, company):
            moves = partner._collection_portal_moves(company, self._collection_ids(post))
            if len(moves) != 1:
                raise UserError(request.env._("Choose one debt to pay."))
            boleto = request.env["collection.boleto"].sudo()._ensure_for_moves(moves, raise_errors=True)
            content = boleto.with_context(lang=partner.lang)._slip_pdf()
            filename = f"boleto-{(moves.name or '').replace('/', '-')}.pdf"
            return request.make_response(
                content,
                headers=[
                    ("Content-Type", "application/pdf"),
                    ("Content-Disposition", f'attachment; filename="{filename}"'),
                ],
            )

        return self._collection_action(token, act)

    @http.route("/my/debts/statement.pdf", type="http", auth="public", website=True, methods=["GET"], sitemap=False)
    def collection_statement(self, token=None, **_kwargs):
        partner, company, _communication, response = self._collection_customer(token)
        if response:
            return response
        content, _kind = (
            request.env["ir.actions.report"]
            .sudo()
            .with_company(company)
            .with_context(allowed_company_ids=company.ids)
            ._render_qweb_pdf("collections_ruler.action_report_collection_statement", partner.ids)
        )
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Disposition", 'attachment; filename="extrato-pendencias.pdf"'),
            ],
        )

    # ------------------------------------------------------------------
    # Negotiating
    # ------------------------------------------------------------------
    @http.route("/my/debts/negotiate", type="http", auth="public", website=True, methods=["GET"], sitemap=False)
    def collection_negotiate(self, token=None, first_due=None, **kwargs):
        def act(partner, company):
            ids = self._collection_ids(kwargs)
            if not ids:
                raise UserError(request.env._("Choose the debts you want to negotiate."))
            moves, policy, debt, options, first, latest = partner._collection_portal_options(
                company, ids, self._collection_date(first_due)
            )
            terms = policy._agreement_terms(partner.with_context(lang=request.env.lang))
            return request.render(
                "collections_portal.portal_debts_negotiate",
                self._collection_page_values(
                    partner,
                    company,
                    token,
                    moves=moves,
                    debt=debt,
                    options=options,
                    first_due=first,
                    latest_first_due=latest,
                    terms=terms,
                    terms_digest=partner._collection_portal_terms_digest(
                        policy.with_context(lang=partner.lang)._agreement_terms(partner)
                    ),
                    move_ids_text=",".join(str(i) for i in moves.ids),
                ),
            )

        return self._collection_action(token, act)

    @http.route("/my/debts/negotiate", type="http", auth="public", website=True, methods=["POST"], sitemap=False)
    def collection_negotiate_accept(self, token=None, **post):
        def act(partner, company):
            if not post.get("accept_terms"):
                raise UserError(request.env._("Tick the box to accept the terms of the agreement."))
            counter = post.get("choice") == "counter"
            count = self._collection_int(post.get("counter_count" if counter else "choice"))
            agreement = partner._collection_portal_propose(
                company,
                self._collection_ids(post),
                count,
                self._collection_date(post.get("counter_first_due" if counter else "first_due")),
                post.get("terms_digest") or "",
                self._collection_ip(),
                counter=counter,
            )
            done = "agreement" if agreement.state == "active" else "proposal"
            return request.redirect(self._collection_url(token, done=done) + "#agreements")

        return self._collection_action(token, act)

    # ------------------------------------------------------------------
    # Promise, preferences, a fresh link
    # ------------------------------------------------------------------
    @http.route("/my/debts/promise", type="http", auth="public", website=True, methods=["POST"], sitemap=False)
    def collection_promise(self, token=None, **post):
        def act(partner, company):
            partner._collection_portal_promise(
                company,
                self._collection_ids(post),
                self._collection_date(post.get("promise_date")),
                self._collection_ip(),
            )
            return request.redirect(self._collection_url(token, done="promise"))

        return self._collection_action(token, act)

    @http.route("/my/debts/preferences", type="http", auth="public", website=True, methods=["POST"], sitemap=False)
    def collection_preferences(self, token=None, **post):
        def act(partner, company):
            values = {name: not post.get(name.replace("collection_optout_", "channel_")) for name in PREFERENCE_FIELDS}
            values.update(
                preferred_channel=post.get("preferred_channel"),
                contact_time=post.get("contact_time"),
                whatsapp_number=post.get("whatsapp_number"),
            )
            partner._collection_portal_set_preferences(company, values, self._collection_ip())
            return request.redirect(self._collection_url(token, done="preferences") + "#preferences")

        return self._collection_action(token, act)

    @http.route("/my/debts/link", type="http", auth="public", website=True, methods=["POST"], sitemap=False)
    def collection_fresh_link(self, token=None, **_post):
        """An expired link's owner asks for a new one: it goes to the e-mail on file, never elsewhere."""
        try:
            partner, company, _communication, _expired = request.env["res.partner"]._collection_portal_read_token(token)
        except tokens.InvalidTokenError as error:
            raise NotFound() from error
        try:
            email = partner._collection_portal_send_link(company, self._collection_ip())
        except UserError as error:
            request.env.cr.rollback()
            return self._collection_render_link_problem(
                "expired", token=token, error=error.args[0], status=400, res_company=company
            )
        return self._collection_render_link_problem("sent", email=mask_email(email), res_company=company)


class CollectionsPixPayment(http.Controller):
    """Odoo's "Pay now" with Pix: the redirect form of the payment framework lands here."""

    @http.route(PROCESS_URL, type="http", auth="public", methods=["POST"], csrf=False, save_session=False)
    def collection_pix_process(self, **post):
        # The reference only: a form anyone can post, which at most asks for a Pix charge of an open invoice.
        reference = str(post.get("reference") or "")[:128]
        tx = (
            request.env["payment.transaction"]
            .sudo()
            .search([("reference", "=", reference), ("provider_code", "=", PIX_CODE)], limit=1)
        )
        if not tx:
            raise NotFound()
        tx._handle_notification_data(PIX_CODE, {"reference": reference})
        if tx.state != "pending":
            return request.redirect("/payment/status")
        return request.redirect(tx._collection_pix_landing_url(), local=False)
