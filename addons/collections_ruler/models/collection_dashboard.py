import datetime

from dateutil.relativedelta import relativedelta

from odoo import api, models
from odoo.tools import format_date

from .account_move import open_receivable_domain

TREND_MONTHS = 6
PERIOD_DAYS = 30
LONG_PERIOD_DAYS = 90


class CollectionDashboard(models.AbstractModel):
    """The figures of the Collections dashboard, read through the report models (and their record rules)."""

    _name = "collection.dashboard"
    _description = "Collections Dashboard"

    @api.model
    def get_dashboard_data(self):
        company = self.env.company
        companies = self.env.companies
        today = company._collection_today()
        aging = self.env["collection.aging.report"]
        trend = []
        month_ends = [
            today.replace(day=1) - relativedelta(months=n) - datetime.timedelta(days=1) for n in range(TREND_MONTHS)
        ]
        for day in [*reversed(month_ends), today]:
            [[overdue]] = aging.with_context(collection_as_of=day)._read_group(
                [("company_id", "in", companies.ids)], [], ["overdue_amount:sum"]
            )
            trend.append({"date": format_date(self.env, day), "day": str(day), "amount": overdue or 0.0})
        [[open_total, overdue_total]] = aging.with_context(collection_as_of=today)._read_group(
            [("company_id", "in", companies.ids)], [], ["amount_residual:sum", "overdue_amount:sum"]
        )
        open_total, overdue_total = open_total or 0.0, overdue_total or 0.0
        since = today - datetime.timedelta(days=PERIOD_DAYS)
        long_since = today - datetime.timedelta(days=LONG_PERIOD_DAYS)

        effectiveness = self.env["collection.effectiveness.report"]
        contact_domain = [("company_id", "in", companies.ids), ("date", ">=", since), ("date", "<=", today)]
        # one pass over the period's contacts: the totals are the channels' sums
        by_channel = effectiveness._read_group(
            contact_domain,
            ["channel"],
            ["contact_count:sum", "delivered:sum", "success:sum", "amount_due:sum", "amount_recovered:sum"],
        )
        due = sum(group[4] for group in by_channel)
        recovered = sum(group[5] for group in by_channel)
        contacts = sum(group[1] for group in by_channel)
        channel_labels = dict(effectiveness._fields["channel"]._description_selection(self.env))

        # DSO: what customers owe today over what they were billed in the last 90 days, times 90;
        # a collector's own portfolio, as the aging above (the partner's collector, else the company's)
        billing_domain = [
            ("company_id", "in", companies.ids),
            ("state", "=", "posted"),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("invoice_date", ">", long_since),
            ("invoice_date", "<=", today),
        ]
        if not self.env.user.has_group("collections_ruler.collections_ruler_group_manager"):
            user_id = self.env.user.id
            billing_domain += [
                "|",
                ("commercial_partner_id.collection_user_id", "=", user_id),
                "&",
                ("commercial_partner_id.collection_user_id", "=", False),
                ("company_id.collection_user_id", "=", user_id),
            ]
        [[billed]] = self.env["account.move"]._read_group(billing_domain, [], ["amount_total_signed:sum"])
        billed = billed or 0.0
        kept, promised = self.env["collection.promise"]._kept_ratio(
            companies.ids, long_since, today - datetime.timedelta(days=1)
        )
        agreements = self.env["collection.agreement.report"]
        [[made, broken]] = agreements._read_group(
            [("company_id", "in", companies.ids), ("date", ">", long_since)],
            [],
            ["agreement_count:sum", "broken_count:sum"],
        )
        worklist = self.env["res.partner"].search_count([("collection_action_needed", "=", True)])
        overdue_debts = self.env["account.move"].search_count(
            [("company_id", "in", companies.ids), ("invoice_date_due", "<", today), *open_receivable_domain()]
        )
        return {
            "currency_id": company.currency_id.id,
            "as_of": format_date(self.env, today),
            "today": str(today),
            "since": str(since),
            "long_since": str(long_since),
            "open_total": open_total,
            "overdue_total": overdue_total,
            "overdue_debts": overdue_debts,
            "overdue_share": 100.0 * overdue_total / open_total if open_total else 0.0,
            "trend": trend,
            "recovered": recovered or 0.0,
            "recovery_rate": 100.0 * (recovered or 0.0) / due if due else 0.0,
            "contacts": contacts or 0,
            "by_channel": [
                {
                    "channel": channel,
                    "label": channel_labels.get(channel, channel),
                    "contacts": count,
                    "delivered": delivered,
                    "success": success,
                }
                for channel, count, delivered, success, _due, _recovered in by_channel
            ],
            "dso": LONG_PERIOD_DAYS * open_total / billed if billed else 0.0,
            "promises_kept": kept,
            "promises_due": promised,
            "promises_rate": 100.0 * kept / promised if promised else 0.0,
            "agreements_made": made or 0,
            "agreements_broken": broken or 0,
            "worklist": worklist,
        }
