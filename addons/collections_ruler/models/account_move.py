from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL, Query

from ..tools.debt import DebtUpdate, to_decimal, update_debt

NEGATIVACAO_STATES = [
    ("to_register", "To Register"),
    ("registered", "Registered"),
    ("to_remove", "To Remove"),
    ("removed", "Removed"),
]
AGENCY_STATES = [("to_hand_over", "To Hand Over"), ("handed_over", "With the Agency"), ("returned", "Returned")]
SETTLED_STATES = ("paid", "in_payment", "reversed")
OPEN_PAYMENT_STATES = ("not_paid", "partial")

# An open receivable: a posted customer invoice still (partly) unpaid. What the ruler
# follows, what agreements settle, what Pix and boleto charge. Written once here; the
# records filter uses this domain, the planner's SQL uses open_receivable_sql() (tested
# against the domain in test_foundation).
OPEN_RECEIVABLE_DOMAIN = (
    ("move_type", "=", "out_invoice"),
    ("state", "=", "posted"),
    ("payment_state", "in", OPEN_PAYMENT_STATES),
)


def open_receivable_domain():
    """The open receivables, as a search domain."""
    return list(OPEN_RECEIVABLE_DOMAIN)


def open_receivable_domain_text(*leading):
    """The same domain as text, for a field's ``domain`` attribute (``leading``: other leaves first)."""
    return "[{}]".format(", ".join(leading + tuple(repr(leaf) for leaf in OPEN_RECEIVABLE_DOMAIN)))


def open_receivable_sql(alias="m"):
    """The same rule as a SQL condition on ``account_move`` under ``alias``."""
    table = SQL.identifier(alias)
    return SQL(
        "(%s.move_type = 'out_invoice' AND %s.state = 'posted' AND %s.payment_state IN %s)",
        table,
        table,
        table,
        OPEN_PAYMENT_STATES,
    )


class AccountMove(models.Model):
    _inherit = "account.move"

    # where the invoice stands on its ruler, kept in collection.invoice.stage (see there why); searchable,
    # sortable and groupable as if stored (_field_to_sql)
    collection_stage_ids = fields.One2many(
        "collection.invoice.stage",
        "move_id",
        string="Collection Stage Pointer",
        domain=[("current", "=", True)],
        readonly=True,
        groups="collections_ruler.collections_ruler_group_user",
    )
    collection_stage_id = fields.Many2one(
        "collection.ruler.stage",
        string="Collection Stage",
        compute="_compute_collection_stage",
        search="_search_collection_stage",
        compute_sudo=True,
    )
    collection_stage_date = fields.Date(
        string="Stage Reached On", compute="_compute_collection_stage", search="_search_collection_stage_date",
        compute_sudo=True,
    )  # fmt: skip
    collection_excluded = fields.Boolean(string="Excluded from Collections", copy=False, tracking=True)
    collection_promise_date = fields.Date(
        string="Promised Payment Date",
        copy=False,
        tracking=True,
        help="The customer promised to pay by this date: no contact until then. Unpaid the day after, "
        "the promise counts as broken and the ruler resumes.",
    )
    collection_negativacao_state = fields.Selection(NEGATIVACAO_STATES, string="Negativação", copy=False, tracking=True)
    collection_agency_state = fields.Selection(AGENCY_STATES, string="Collection Agency", copy=False, tracking=True)
    collection_measures_stage_id = fields.Many2one(
        "collection.ruler.stage",
        string="Measures Taken At",
        readonly=True,
        copy=False,
        help="The stage whose credit measures were applied to this invoice, once its notice was sent and the "
        "announced wait had passed.",
    )
    collection_line_ids = fields.One2many("collection.communication.line", "move_id", readonly=True)
    collection_communication_count = fields.Integer(compute="_compute_collection_communication_count")
    collection_agreement_id = fields.Many2one(
        "collection.agreement",
        string="Agreement Installment Of",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="This invoice bills an installment (or a reverted discount) of a collection agreement.",
    )
    collection_ruler_id = fields.Many2one(
        "collection.ruler",
        string="Followed by Ruler",
        readonly=True,
        copy=False,
        help="Follows this invoice instead of the customer's ruler (the installments of an active agreement).",
    )
    collection_settled_agreement_ids = fields.Many2many(
        "collection.agreement",
        "collection_agreement_move_rel",
        "move_id",
        "agreement_id",
        string="Settled by Agreements",
        readonly=True,
        copy=False,
    )
    # The customer's standing, shown in the collections list of overdue invoices.
    collection_risk_level = fields.Selection(related="commercial_partner_id.collection_risk_level", string="Risk")
    collection_next_date = fields.Datetime(related="commercial_partner_id.collection_next_date", string="Next Contact")
    # Debt update as of today (fine and interest of the customer's collection policy).
    collection_days_late = fields.Integer(string="Days Late", compute="_compute_collection_debt_update")
    collection_fine_amount = fields.Monetary(string="Fine", compute="_compute_collection_debt_update")
    collection_interest_amount = fields.Monetary(string="Interest", compute="_compute_collection_debt_update")
    collection_updated_amount = fields.Monetary(
        string="Updated Amount",
        compute="_compute_collection_debt_update",
        help="Open amount plus the fine and interest of the collection policy, as of today (valor atualizado).",
    )

    @api.depends("collection_stage_ids.stage_id", "collection_stage_ids.date")
    def _compute_collection_stage(self):
        for move in self:
            pointer = move.collection_stage_ids[:1]
            move.collection_stage_id = pointer.stage_id
            move.collection_stage_date = pointer.date

    def _search_collection_stage(self, operator, value):
        return self._collection_search_pointer("stage_id", operator, value)

    def _search_collection_stage_date(self, operator, value):
        return self._collection_search_pointer("date", operator, value)

    def _collection_search_pointer(self, fname, operator, value):
        """A domain on the invoice's pointer with the semantics of a stored field: "not set" (``False``,
        alone or in a list) is an invoice without a pointer, and the negative operators include those.

        The pointers are searched as superuser: whoever may read the invoices may filter them by stage
        (the invoices' own record rules still apply to the result)."""
        pointers = self.env["collection.invoice.stage"].sudo()

        def moves_where(*domain):
            return pointers._search([("current", "=", True), *domain]).subselect("move_id")

        if operator in ("=", "!=") and value is False:
            return [("id", "not in" if operator == "=" else "in", moves_where())]
        if isinstance(value, Query):  # a path (collection_stage_id.phase) arrives as the stages' query
            negative = operator in ("not any", "not in")
            return [("id", "not in" if negative else "in", moves_where((fname, "in", value)))]
        if operator in ("in", "not in"):
            values = [value] if not isinstance(value, (list, tuple, set)) else list(value)
            unset, values = False in values, [v for v in values if v is not False]
            matching = ("id", operator, moves_where((fname, "in", values)))
            if not unset:
                return [matching]
            if operator == "in":
                return ["|", matching, ("id", "not in", moves_where())]
            return [matching, ("id", "in", moves_where())]
        if operator == "not any":
            return [("id", "not in", moves_where((fname, "any", value)))]
        if operator in expression.NEGATIVE_TERM_OPERATORS:
            return [("id", "not in", moves_where((fname, expression.TERM_OPERATORS_NEGATION[operator], value)))]
        return [("id", "in", moves_where((fname, operator, value)))]

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """The pointer as a column of the invoice, for ordering and grouping (and the web client's
        sortable/groupable flags, which ask this method)."""
        if fname in ("collection_stage_id", "collection_stage_date"):
            pointer = self.env["collection.invoice.stage"]
            column = "stage_id" if fname == "collection_stage_id" else "date"
            return SQL(
                "(SELECT %s FROM collection_invoice_stage pointer WHERE pointer.move_id = %s AND pointer.current)",
                SQL.identifier("pointer", column, to_flush=pointer._fields[column] if flush else None),
                SQL.identifier(alias, "id"),
                to_flush=pointer._fields["current"] if flush else None,
            )
        return super()._field_to_sql(alias, fname, query, flush)

    def _compute_collection_debt_update(self):
        updates = self._collection_debt_update()
        for move in self:
            update = updates.get(move.id)
            move.collection_days_late = update.days_late if update else 0
            move.collection_fine_amount = float(update.fine) if update else 0.0
            move.collection_interest_amount = float(update.interest) if update else 0.0
            move.collection_updated_amount = float(update.total) if update else move.amount_residual

    def _collection_debt_update(self, as_of=None, policy=None):
        """{move id: DebtUpdate} of the open customer invoices in ``self`` as of ``as_of`` (default today).

        Fine and interest come from each customer's collection policy; consumers
        (people, not companies) never pay a fine above 2 %. Other modules (portal,
        Pix charges with due date, reminders) read the debt from here. ``policy``: the one
        customer's policy, when the caller looked it up already.
        """
        as_of = as_of or fields.Date.context_today(self)
        result = {}
        open_moves = self._collection_filter_open().filtered("invoice_date_due")
        for company, moves in open_moves.grouped("company_id").items():
            if policy is not None:
                policies = dict.fromkeys(moves.commercial_partner_id.ids, policy)
            else:
                policies = moves.commercial_partner_id.with_company(company)._collection_policies()
            terms = {policy: policy._terms() for policy in set(policies.values()) if policy}
            for move in moves:
                partner = move.commercial_partner_id
                policy = policies[partner.id]
                if not policy:
                    result[move.id] = DebtUpdate(to_decimal(move.amount_residual))
                    continue
                result[move.id] = update_debt(
                    move.amount_residual,
                    move.invoice_date_due,
                    as_of,
                    terms[policy],
                    consumer=partner._collection_is_consumer(),
                )
        return result

    def _collection_filter_open(self):
        """The open receivables among these moves (see OPEN_RECEIVABLE_DOMAIN)."""
        return self.filtered_domain(open_receivable_domain())

    def _compute_collection_communication_count(self):
        counts = dict(
            self.env["collection.communication.line"]._read_group(
                [("move_id", "in", self.ids)], ["move_id"], ["communication_id:count_distinct"]
            )
        )
        for move in self:
            move.collection_communication_count = counts.get(move, 0)

    def action_view_collection_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("collections_ruler.collection_communication_action")
        action["domain"] = [("line_ids.move_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # The ruler stops at once when the debt is settled
    # ------------------------------------------------------------------
    def _collection_stop_if_settled(self):
        """Cancel queued contacts of settled invoices and undo the measures their debt caused."""
        receivables = self.filtered(lambda m: m.is_sale_document(include_receipts=True))
        settled = receivables.filtered(lambda m: m.state != "posted" or m.payment_state in SETTLED_STATES)
        if not settled:
            return
        reversed_moves = settled.filtered(lambda m: m.state != "posted" or m.payment_state == "reversed")
        lines = self.env["collection.communication.line"].search([("move_id", "in", settled.ids)])
        queued = lines.communication_id.filtered(lambda comm: comm.state == "queued")
        for comm in queued:
            # A grouped contact still goes out while one of its invoices is open.
            if all(move in settled for move in comm.move_ids):
                comm._cancel("reversed" if comm.move_ids <= reversed_moves else "paid")
        settled.filtered(lambda m: m.collection_negativacao_state in ("to_register",)).write(
            {"collection_negativacao_state": False}
        )
        settled.filtered(lambda m: m.collection_negativacao_state == "registered").write(
            {"collection_negativacao_state": "to_remove"}
        )
        settled.filtered(lambda m: m.collection_agency_state == "to_hand_over").write(
            {"collection_agency_state": False}
        )
        settled.filtered(lambda m: m.collection_agency_state == "handed_over").write(
            {"collection_agency_state": "returned"}
        )
        self._collection_release_holds(settled.commercial_partner_id)
        settled.collection_agreement_id._close_if_fulfilled()

    def _collection_release_holds(self, partners):
        """Release the credit hold of partners with no open invoice left at a hold stage."""
        held = partners.filtered("collection_credit_hold")
        if not held:
            return
        still_held = self.search(
            [
                ("commercial_partner_id", "in", held.ids),
                *open_receivable_domain(),
                ("collection_measures_stage_id.action_credit_hold", "=", True),
            ]
        ).commercial_partner_id
        (held - still_held)._release_credit_hold()

    def button_draft(self):
        res = super().button_draft()
        self._collection_stop_if_settled()
        return res

    def button_cancel(self):
        res = super().button_cancel()
        self._collection_stop_if_settled()
        return res

    def _collection_expire_promises(self, company, day):
        """Promises whose date passed with the invoice still open are broken: the ruler resumes.

        Set-based: one batch of chatter notes and one UPDATE of the partners' counters.
        """
        broken = self.search(
            [("company_id", "=", company.id), ("collection_promise_date", "<", day), *open_receivable_domain()]
        )
        if not broken:
            return
        broken._message_log_batch(
            bodies={
                move.id: self.env._(
                    "The promise to pay by %(date)s was not kept: collection resumes.",
                    date=move.collection_promise_date,
                )
                for move in broken
            }
        )
        self.env.flush_all()
        self.env.cr.execute(
            """
            UPDATE res_partner
               SET collection_broken_promises = COALESCE(collection_broken_promises, 0) + 1
             WHERE id = ANY(%s)
            """,
            (broken.commercial_partner_id.ids,),
        )
        broken.commercial_partner_id.invalidate_recordset(["collection_broken_promises"])
        self.env["collection.promise"]._mark_broken(broken)
        broken.write({"collection_promise_date": False})

    def _collection_promise(self, promise_date, note=False):
        """Record a promise to pay: pause the ruler for these invoices and remind the collector that day."""
        self.write({"collection_promise_date": promise_date})
        self.env["collection.promise"]._record(
            self, promise_date, self.env.context.get("collection_origin", "backoffice")
        )
        self.env["collection.communication.line"].search([("move_id", "in", self.ids)]).communication_id.filtered(
            lambda comm: comm.move_ids <= self
        )._cancel("paused")
        for move in self:
            move.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=promise_date,
                summary=self.env._("Check the promise to pay"),
                note=note,
                user_id=move._collection_collector().id,
            )

    def _collection_set_due_date(self, day):
        """Move the due date of posted invoices (agreement installments): the open term line and the header."""
        self.line_ids.filtered(lambda line: line.display_type == "payment_term" and not line.reconciled).write(
            {"date_maturity": day}
        )
        self.write({"invoice_date_due": day})

    def _collection_ensure_access_tokens(self):
        """Give these invoices the portal token their payment links need, in one statement.

        ``portal.mixin`` would write it invoice by invoice through ``account.move.write`` (which
        re-syncs each invoice's lines); the token is the same kind of value (a random UUID4).
        """
        missing = self.filtered(lambda move: not move.access_token)
        if missing:
            self.env.cr.execute(
                "UPDATE account_move SET access_token = gen_random_uuid()::text "
                "WHERE id = ANY(%s) AND access_token IS NULL",
                (missing.ids,),
            )
            missing.invalidate_recordset(["access_token"])

    def _get_collection_pay_url(self):
        """Link that lets the customer see and pay this invoice without logging in."""
        self.ensure_one()
        return self.get_base_url() + self.get_portal_url()

    def _collection_collector(self):
        self.ensure_one()
        partner = self.commercial_partner_id
        return (
            partner.collection_user_id
            or self.company_id.collection_user_id
            or self.collection_stage_id.ruler_id.user_id
            or self.env.user
        )
