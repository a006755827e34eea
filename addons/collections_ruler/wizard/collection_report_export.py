import base64
import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..tools.xlsx import Column, Sheet, build_workbook

REPORTS = [
    ("aging", "Aging of Receivables"),
    ("effectiveness", "Ruler Effectiveness"),
    ("agreements", "Agreements"),
    ("statement", "Customer Statement"),
]


def _share(part, whole):
    return part / whole if whole else 0.0


class CollectionReportExport(models.TransientModel):
    """Each collection report as a real spreadsheet (xlsx), with the user's record rules applied."""

    _name = "collection.report.export"
    _description = "Export a Collection Report to Excel"

    report = fields.Selection(REPORTS, required=True, default="aging")
    as_of = fields.Date(string="As of", default=lambda self: self.env.company._collection_today())
    date_from = fields.Date(
        string="From", default=lambda self: self.env.company._collection_today() - datetime.timedelta(days=30)
    )
    date_to = fields.Date(string="To", default=lambda self: self.env.company._collection_today())
    partner_id = fields.Many2one("res.partner", string="Customer")
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from and wizard.date_to and wizard.date_from > wizard.date_to:
                raise UserError(self.env._("The period ends before it starts."))

    def action_export(self):
        self.ensure_one()
        if self.report == "statement" and not self.partner_id:
            raise UserError(self.env._("Choose the customer whose statement you want."))
        title, filters, sheets = getattr(self, f"_sheets_{self.report}")()
        companies = ", ".join(self.env.companies.mapped("name"))
        filters = [*filters, (self.env._("Companies"), companies), (self.env._("Printed by"), self.env.user.name)]
        content = build_workbook(title, filters, sheets)
        filename = "".join(char if char.isalnum() or char in " -_." else "_" for char in title)
        self.write({"file": base64.b64encode(content), "filename": f"{filename}.xlsx"})
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/file/{self.filename}?download=true",
            "target": "self",
        }

    def action_open(self):
        """The report in Odoo's pivot and graph views, for the chosen day or period."""
        self.ensure_one()
        if self.report == "aging":
            action = self.env["ir.actions.act_window"]._for_xml_id("collections_ruler.collection_aging_report_action")
            action["context"] = {"collection_as_of": str(self.as_of)}
            action["name"] = action["display_name"] = self.env._(
                "Aging as of %(date)s", date=format_date(self.env, self.as_of)
            )
            return action
        xmlid = {
            "effectiveness": "collections_ruler.collection_effectiveness_report_action",
            "agreements": "collections_ruler.collection_agreement_report_action",
        }[self.report]
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["context"] = {}
        action["domain"] = [("date", ">=", self.date_from), ("date", "<=", self.date_to)]
        action["name"] = action["display_name"] = self.env._(
            "%(report)s: %(start)s to %(end)s",
            report=action["name"],
            start=format_date(self.env, self.date_from),
            end=format_date(self.env, self.date_to),
        )
        return action

    # ------------------------------------------------------------------
    # Aging
    # ------------------------------------------------------------------
    def _aging_model(self):
        return self.env["collection.aging.report"].with_context(collection_as_of=self.as_of)

    def _bucket_table(self, dimension, label, domain=()):
        """One row per value of ``dimension``: its open amount in each bucket, the total and the overdue share."""
        aging = self._aging_model()
        buckets = self.env["collection.aging.bucket"].search([("company_id", "in", self.env.companies.ids)])
        names = list(dict.fromkeys(buckets.mapped("name")))
        groups = aging._read_group(
            list(domain), [dimension, "bucket_id"], ["amount_residual:sum", "overdue_amount:sum"]
        )
        table = {}
        for value, bucket, amount, overdue in groups:
            row = table.setdefault(value, {"buckets": dict.fromkeys(names, 0.0), "overdue": 0.0})
            row["buckets"][bucket.name or self.env._("No bucket")] = (
                row["buckets"].get(bucket.name or self.env._("No bucket"), 0.0) + amount
            )
            row["overdue"] += overdue
        if any(self.env._("No bucket") in row["buckets"] for row in table.values()):
            names.append(self.env._("No bucket"))
        rows = []
        field = aging._fields[dimension]
        for value, row in sorted(table.items(), key=lambda item: -sum(item[1]["buckets"].values())):
            total = sum(row["buckets"].values())
            if field.type == "many2one":
                shown = value.display_name or self.env._("(none)")
            else:
                shown = dict(field._description_selection(self.env)).get(value) or self.env._("(none)")
            rows.append(
                (shown, *(row["buckets"].get(name, 0.0) for name in names), total, _share(row["overdue"], total))
            )
        total = sum(row[-2] for row in rows)
        overdue = sum(row["overdue"] for row in table.values())
        columns = (
            Column(label),
            *(Column(name, "money", total="sum") for name in names),
            Column(self.env._("Total"), "money", total="sum"),
            Column(self.env._("Overdue share"), "percent", total="value"),
        )
        return columns, rows, {len(columns) - 1: _share(overdue, total)}

    def _aging_invoice_rows(self, aging):
        """Every open line of the aging (the user's record rules applied), in one query and a read of
        the names: a hundred thousand rows are written without going through a record each."""
        query = aging._search([], order="days_late desc, id")
        columns = (
            "move_id",
            "partner_id",
            "date_maturity",
            "days_late",
            "bucket_id",
            "collector_id",
            "amount_residual",
        )
        self.env.cr.execute(query.select(*(aging._field_to_sql(aging._table, name, query) for name in columns)))
        lines = self.env.cr.fetchall()

        def names(model, ids, field="name"):
            records = self.env[model].browse({record_id for record_id in ids if record_id})
            return {record.id: record[field] for record in records}

        moves = names("account.move", (line[0] for line in lines))
        partners = names("res.partner", (line[1] for line in lines))
        buckets = names("collection.aging.bucket", (line[4] for line in lines))
        collectors = names("res.users", (line[5] for line in lines))
        return [
            (
                moves[move],
                partners[partner],
                due,
                late,
                buckets.get(bucket, ""),
                collectors.get(user, ""),
                float(amount),
            )
            for move, partner, due, late, bucket, user, amount in lines
        ]

    def _sheets_aging(self):
        aging = self._aging_model()
        summary = aging._read_group([], ["bucket_id"], ["__count", "amount_residual:sum"])
        grand = sum(amount for _bucket, _count, amount in summary)
        sheets = [
            Sheet(
                self.env._("Summary"),
                (
                    Column(self.env._("Bucket")),
                    Column(self.env._("Debts"), "integer", total="sum"),
                    Column(self.env._("Open"), "money", total="sum"),
                    Column(self.env._("Share"), "percent", total="value"),
                ),
                [
                    (bucket.name or self.env._("No bucket"), count, amount, _share(amount, grand))
                    for bucket, count, amount in sorted(summary, key=lambda g: (g[0].sequence, g[0].min_days))
                ],
                totals={3: 1.0 if grand else 0.0},
            )
        ]
        for dimension, label in (
            ("partner_id", self.env._("By customer")),
            ("collector_id", self.env._("By collector")),
            ("salesperson_id", self.env._("By salesperson")),
            ("risk_level", self.env._("By risk")),
            ("company_id", self.env._("By company")),
        ):
            columns, rows, totals = self._bucket_table(
                dimension, aging._fields[dimension].get_description(self.env)["string"]
            )
            sheets.append(Sheet(label, columns, rows, totals))
        sheets.append(
            Sheet(
                self.env._("Invoices"),
                (
                    Column(self.env._("Invoice")),
                    Column(self.env._("Customer")),
                    Column(self.env._("Due date"), "date"),
                    Column(self.env._("Days late"), "integer"),
                    Column(self.env._("Bucket")),
                    Column(self.env._("Collector")),
                    Column(self.env._("Open"), "money", total="sum"),
                ),
                self._aging_invoice_rows(aging),
            )
        )
        return self.env._("Aging of receivables"), [(self.env._("As of"), self.as_of)], sheets

    # ------------------------------------------------------------------
    # Effectiveness
    # ------------------------------------------------------------------
    def _effectiveness_domain(self):
        return [("date", ">=", self.date_from), ("date", "<=", self.date_to)]

    def _effectiveness_sheet(self, name, groupby, labels):
        report = self.env["collection.effectiveness.report"]
        measures = [
            "contact_count:sum",
            "delivered:sum",
            "failed:sum",
            "link_opened:sum",
            "debt_count:sum",
            "paid_3:sum",
            "paid_7:sum",
            "paid_15:sum",
            "success:sum",
            "amount_due:sum",
            "amount_recovered:sum",
            "optout:sum",
        ]
        domain = self._effectiveness_domain()
        groups = report._read_group(domain, groupby, measures)
        medians = report._median_days_to_pay(domain, groupby[-1]) if len(groupby) == 1 else {}
        rows, sums = [], {}
        for group in groups:
            keys, values = group[: len(groupby)], group[len(groupby) :]
            shown = []
            for field_name, key in zip(groupby, keys, strict=True):
                field = report._fields[field_name]
                if field.type == "many2one":
                    shown.append(
                        key.display_name
                        or (self.env._("(stage's text)") if field_name == "variant_id" else self.env._("(none)"))
                    )
                else:
                    shown.append(dict(field._description_selection(self.env)).get(key, key or ""))
            record = dict(zip([m.split(":")[0] for m in measures], values, strict=True))
            median = medians.get(keys[-1].id if hasattr(keys[-1], "id") else keys[-1])
            rows.append(
                (
                    *shown,
                    record["contact_count"],
                    record["delivered"],
                    record["failed"],
                    record["link_opened"],
                    record["debt_count"],
                    record["paid_3"],
                    record["paid_7"],
                    record["paid_15"],
                    _share(record["success"], record["delivered"]),
                    record["amount_due"],
                    record["amount_recovered"],
                    _share(record["amount_recovered"], record["amount_due"]),
                    median,
                    record["optout"],
                )
            )
            for key, value in record.items():
                sums[key] = sums.get(key, 0) + value
        columns = (
            *(Column(label) for label in labels),
            Column(self.env._("Contacts"), "integer", total="sum"),
            Column(self.env._("Delivered"), "integer", total="sum"),
            Column(self.env._("Failed"), "integer", total="sum"),
            Column(self.env._("Links opened"), "integer", total="sum"),
            Column(self.env._("Debts"), "integer", total="sum"),
            Column(self.env._("Paid in 3 days"), "integer", total="sum"),
            Column(self.env._("Paid in 7 days"), "integer", total="sum"),
            Column(self.env._("Paid in 15 days"), "integer", total="sum"),
            Column(self.env._("Success (paid in 7 days)"), "percent", total="value"),
            Column(self.env._("Due at contact"), "money", total="sum"),
            Column(self.env._("Recovered"), "money", total="sum"),
            Column(self.env._("Recovery rate"), "percent", total="value"),
            Column(self.env._("Median days to pay"), "number"),
            Column(self.env._("Opt-outs"), "integer", total="sum"),
        )
        offset = len(labels)
        totals = {
            offset + 8: _share(sums.get("success", 0), sums.get("delivered", 0)),
            offset + 11: _share(sums.get("amount_recovered", 0), sums.get("amount_due", 0)),
        }
        return Sheet(name, columns, rows, totals)

    def _experiment_sheet(self):
        variants = self.env["collection.ruler.stage.variant"].with_context(active_test=False).search([])
        comparisons = variants._compare(self.date_from, self.date_to)
        rows = []
        for variant in variants.sorted(
            lambda v: (v.stage_id.ruler_id.id, v.stage_id.sequence, v.channel, v.sequence, v.id)
        ):
            trials, successes, p_value, verdict = comparisons[variant.id]
            rows.append(
                (
                    variant.stage_id.ruler_id.name,
                    variant.stage_id.name,
                    dict(variant._fields["channel"]._description_selection(self.env))[variant.channel],
                    variant.name,
                    trials,
                    successes,
                    _share(successes, trials),
                    p_value,
                    verdict,
                )
            )
        return Sheet(
            self.env._("Experiments"),
            (
                Column(self.env._("Ruler")),
                Column(self.env._("Stage")),
                Column(self.env._("Channel")),
                Column(self.env._("Text")),
                Column(self.env._("Delivered"), "integer"),
                Column(self.env._("Paid in 7 days"), "integer"),
                Column(self.env._("Rate"), "percent"),
                Column(self.env._("p-value"), "number"),
                Column(self.env._("Verdict")),
            ),
            rows,
        )

    def _sheets_effectiveness(self):
        sheets = [
            self._effectiveness_sheet(self.env._("By ruler"), ["ruler_id"], [self.env._("Ruler")]),
            self._effectiveness_sheet(
                self.env._("By stage"), ["ruler_id", "stage_id"], [self.env._("Ruler"), self.env._("Stage")]
            ),
            self._effectiveness_sheet(self.env._("By channel"), ["channel"], [self.env._("Channel")]),
            self._effectiveness_sheet(
                self.env._("By text"),
                ["stage_id", "channel", "variant_id"],
                [self.env._("Stage"), self.env._("Channel"), self.env._("Text")],
            ),
            self._effectiveness_sheet(self.env._("By collector"), ["collector_id"], [self.env._("Collector")]),
            self._experiment_sheet(),
        ]
        filters = [
            (self.env._("From"), self.date_from),
            (self.env._("To"), self.date_to),
            (
                self.env._("Attribution"),
                self.env._("A payment counts for the last contact about the debt before it, within 15 days."),
            ),
        ]
        return self.env._("Ruler effectiveness"), filters, sheets

    # ------------------------------------------------------------------
    # Agreements
    # ------------------------------------------------------------------
    def _agreement_sheet(self, name, dimension, label):
        report = self.env["collection.agreement.report"]
        measures = [
            "agreement_count:sum",
            "active_count:sum",
            "done_count:sum",
            "broken_count:sum",
            "amount_renegotiated:sum",
            "discount_amount:sum",
            "amount_agreed:sum",
            "amount_recovered:sum",
        ]
        domain = [("date", ">=", self.date_from), ("date", "<=", self.date_to)]
        rows = []
        field = report._fields[dimension]
        for key, made, active, done, broken, renegotiated, discount, agreed, recovered in report._read_group(
            domain, [dimension], measures
        ):
            shown = (
                key.display_name if field.type == "many2one" else dict(field._description_selection(self.env)).get(key)
            )
            rows.append(
                (
                    shown or self.env._("(none)"),
                    made,
                    active,
                    done,
                    broken,
                    _share(broken, active + done + broken),
                    renegotiated,
                    discount,
                    agreed,
                    recovered,
                    _share(recovered, agreed),
                )
            )
        sums = [None, *(sum(row[i] for row in rows) for i in range(1, len(rows[0])))] if rows else []
        totals = {5: _share(sums[4], sums[2] + sums[3] + sums[4]), 10: _share(sums[9], sums[8])} if rows else {}
        return Sheet(
            name,
            (
                Column(label),
                Column(self.env._("Agreements"), "integer", total="sum"),
                Column(self.env._("Active"), "integer", total="sum"),
                Column(self.env._("Done"), "integer", total="sum"),
                Column(self.env._("Broken"), "integer", total="sum"),
                Column(self.env._("Broken rate"), "percent", total="value"),
                Column(self.env._("Renegotiated"), "money", total="sum"),
                Column(self.env._("Discount granted"), "money", total="sum"),
                Column(self.env._("Agreed total"), "money", total="sum"),
                Column(self.env._("Recovered"), "money", total="sum"),
                Column(self.env._("Recovered share"), "percent", total="value"),
            ),
            rows,
            totals,
        )

    def _sheets_agreements(self):
        report = self.env["collection.agreement.report"]
        sheets = [
            self._agreement_sheet(self.env._("By origin"), "origin", self.env._("Origin")),
            self._agreement_sheet(self.env._("By policy"), "policy_id", self.env._("Policy")),
            self._agreement_sheet(self.env._("By collector"), "collector_id", self.env._("Collector")),
        ]
        states = dict(report._fields["state"]._description_selection(self.env))
        origins = dict(report._fields["origin"]._description_selection(self.env))
        records = report.search([("date", ">=", self.date_from), ("date", "<=", self.date_to)], order="date, id")
        sheets.append(
            Sheet(
                self.env._("Agreements"),
                (
                    Column(self.env._("Agreement")),
                    Column(self.env._("Date"), "date"),
                    Column(self.env._("Customer")),
                    Column(self.env._("Origin")),
                    Column(self.env._("Status")),
                    Column(self.env._("Installments"), "integer"),
                    Column(self.env._("Renegotiated"), "money", total="sum"),
                    Column(self.env._("Discount granted"), "money", total="sum"),
                    Column(self.env._("Agreed total"), "money", total="sum"),
                    Column(self.env._("Recovered"), "money", total="sum"),
                ),
                [
                    (
                        rec.agreement_id.name,
                        rec.date,
                        rec.partner_id.name,
                        origins.get(rec.origin),
                        states.get(rec.state),
                        rec.installment_count,
                        rec.amount_renegotiated,
                        rec.discount_amount,
                        rec.amount_agreed,
                        rec.amount_recovered,
                    )
                    for rec in records
                ],
            )
        )
        return (
            self.env._("Agreements"),
            [(self.env._("From"), self.date_from), (self.env._("To"), self.date_to)],
            sheets,
        )

    # ------------------------------------------------------------------
    # Customer statement
    # ------------------------------------------------------------------
    def _sheets_statement(self):
        partner = self.partner_id.commercial_partner_id
        statement = partner._collection_statement(self.as_of)
        statuses = {
            "agreement": self.env._("Agreement installment"),
            "review": self.env._("Agreement waiting for approval"),
            "promised": self.env._("Promised"),
            "overdue": self.env._("Overdue"),
            "open": self.env._("Not yet due"),
        }
        rows = []
        for row in statement["rows"]:
            bucket = row["bucket"]
            rows.append(
                (
                    row["move"].name,
                    row["move"].invoice_date_due,
                    row["days_late"],
                    bucket.name or "",
                    row["residual"],
                    row["fine"],
                    row["interest"],
                    row["updated"],
                    statuses[row["status"]],
                )
            )
        total = statement["totals"]["updated"]
        sheets = [
            Sheet(
                self.env._("Statement"),
                (
                    Column(self.env._("Invoice")),
                    Column(self.env._("Due date"), "date"),
                    Column(self.env._("Days late"), "integer"),
                    Column(self.env._("Bucket")),
                    Column(self.env._("Open"), "money", total="sum"),
                    Column(self.env._("Fine"), "money", total="sum"),
                    Column(self.env._("Interest"), "money", total="sum"),
                    Column(self.env._("Updated"), "money", total="sum"),
                    Column(self.env._("Status")),
                ),
                rows,
            ),
            Sheet(
                self.env._("Aging"),
                (
                    Column(self.env._("Bucket")),
                    Column(self.env._("Updated"), "money", total="sum"),
                    Column(self.env._("Share"), "percent", total="value"),
                ),
                [
                    (bucket.name or self.env._("No bucket"), amount, _share(amount, total))
                    for bucket, amount in statement["aging"]
                ],
                totals={2: 1.0 if total else 0.0},
            ),
        ]
        filters = [(self.env._("Customer"), partner.name), (self.env._("Updated to"), statement["as_of"])]
        return self.env._("Statement of open items - %(name)s", name=partner.name), filters, sheets
