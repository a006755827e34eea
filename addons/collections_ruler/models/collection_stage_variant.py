from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.experiment import pick_variant, two_proportion_test

VARIANT_CHANNELS = [("email", "E-mail"), ("sms", "SMS"), ("whatsapp", "WhatsApp")]
# A contact succeeds when a debt it was about is paid within this many days (see the effectiveness report).
SUCCESS_DAYS = 7


class CollectionRulerStageVariant(models.Model):
    """A text a stage's channel can send instead of another: the manager tests which one brings money in."""

    _name = "collection.ruler.stage.variant"
    _description = "Message Variant"
    _order = "stage_id, channel, sequence, id"

    name = fields.Char(required=True, translate=True, help="How the reports name this text, e.g. 'B: short, with Pix'.")
    stage_id = fields.Many2one("collection.ruler.stage", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="stage_id.company_id", store=True, index=True)
    sequence = fields.Integer(
        default=10, help="The first variant of a channel is the one the others are compared with."
    )
    active = fields.Boolean(default=True)
    channel = fields.Selection(VARIANT_CHANNELS, required=True, default="email")
    mail_template_id = fields.Many2one(
        "mail.template", string="E-mail Template", domain=[("model", "=", "collection.communication")]
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="Text",
        domain=[("model", "=", "collection.communication")],
        help="The SMS, or the WhatsApp text sent through a generic gateway.",
    )
    weight = fields.Integer(default=1, help="Share of the contacts that get this text: 1 and 1 is half each.")
    contact_count = fields.Integer(string="Contacts", compute="_compute_results")
    success_count = fields.Integer(string="Paid in 7 Days", compute="_compute_results")
    success_rate = fields.Float(string="Rate (%)", compute="_compute_results", digits=(5, 1))
    p_value = fields.Float(string="p-value", compute="_compute_results", digits=(6, 4))
    verdict = fields.Char(compute="_compute_results")

    _sql_constraints = [("weight_positive", "CHECK(weight >= 0)", "A variant's weight cannot be negative.")]

    @api.constrains("channel", "mail_template_id", "sms_template_id")
    def _check_template(self):
        for variant in self:
            if variant.channel == "email" and not variant.mail_template_id:
                raise ValidationError(
                    self.env._("The e-mail variant %(name)s needs an e-mail template.", name=variant.name)
                )
            if variant.channel != "email" and not variant.sms_template_id:
                raise ValidationError(self.env._("The variant %(name)s needs a text.", name=variant.name))

    def _results(self, date_from=None, date_to=None):
        """{variant id: (delivered contacts, contacts with a debt paid within SUCCESS_DAYS)} from the report."""
        domain = [("variant_id", "in", self.ids), ("delivered", "=", 1)]
        if date_from:
            domain.append(("date", ">=", date_from))
        if date_to:
            domain.append(("date", "<=", date_to))
        groups = self.env["collection.effectiveness.report"]._read_group(
            domain, ["variant_id"], ["delivered:sum", "success:sum"]
        )
        return {variant.id: (delivered, success) for variant, delivered, success in groups}

    def _compare(self, date_from=None, date_to=None):
        """{variant id: (delivered, paid in 7 days, p-value or None, verdict)} of the variants of ``self``,
        each compared with the first of its stage and channel among ``self`` (the reference)."""
        results = self._results(date_from, date_to)
        verdicts = {
            "not_enough_data": self.env._("Not enough data yet"),
            "no_difference": self.env._("No clear difference: could be noise"),
            "a_better": self.env._("Better than the first text"),
            "b_better": self.env._("Worse than the first text"),
        }
        comparisons = {}
        for variant in self:
            control = self.filtered(
                lambda v, variant=variant: (v.stage_id, v.channel) == (variant.stage_id, variant.channel)
            )
            control = control.sorted(lambda v: (v.sequence, v.id))[:1]
            trials, successes = results.get(variant.id, (0, 0))
            if variant == control:
                comparisons[variant.id] = (trials, successes, None, self.env._("First text (the reference)"))
                continue
            control_trials, control_successes = results.get(control.id, (0, 0))
            test = two_proportion_test(successes, trials, control_successes, control_trials)
            comparisons[variant.id] = (trials, successes, test.p_value, verdicts[test.verdict])
        return comparisons

    @api.depends("stage_id", "channel", "sequence")
    def _compute_results(self):
        saved = self.filtered(lambda variant: isinstance(variant.id, int))
        comparisons = (saved.stage_id.variant_ids | saved)._compare() if saved else {}
        for variant in self:
            trials, successes, p_value, verdict = comparisons.get(variant.id, (0, 0, None, False))
            variant.contact_count = trials
            variant.success_count = successes
            variant.success_rate = 100.0 * successes / trials if trials else 0.0
            variant.p_value = p_value or 0.0
            variant.verdict = verdict

    def action_keep(self):
        """End the experiment with this text: it becomes the stage's text, the channel's variants are archived."""
        self.ensure_one()
        self.env["collection.ruler"].check_access("write")
        stage = self.stage_id
        if self.channel == "email":
            stage.mail_template_id = self.mail_template_id
        elif self.channel == "sms":
            stage.sms_template_id = self.sms_template_id
        else:
            stage.whatsapp_template_id = self.sms_template_id
        siblings = stage.variant_ids.filtered(lambda v: v.channel == self.channel)
        summary = ", ".join(
            self.env._(
                "%(name)s: %(paid)s of %(contacts)s", name=v.name, paid=v.success_count, contacts=v.contact_count
            )
            for v in siblings
        )
        stage.ruler_id.message_post(
            body=self.env._(
                "Experiment on %(stage)s (%(channel)s) ended: kept %(name)s. Results: %(summary)s.",
                stage=stage.name,
                channel=dict(VARIANT_CHANNELS)[self.channel],
                name=self.name,
                summary=summary,
            )
        )
        siblings.action_archive()
        return True

    @api.model
    def _pick(self, comm):
        """The variant ``comm`` sends (kept once picked, so a retry sends the same text), or an empty recordset."""
        if comm.variant_id:
            return comm.variant_id
        variants = comm.stage_id.variant_ids.filtered(lambda v: v.channel == comm.channel).sorted(
            lambda v: (v.sequence, v.id)
        )
        if not variants:
            return variants
        variant = variants[pick_variant(comm.id, variants.mapped("weight"))]
        comm.variant_id = variant
        return variant


class CollectionRulerStage(models.Model):
    _inherit = "collection.ruler.stage"

    variant_ids = fields.One2many(
        "collection.ruler.stage.variant",
        "stage_id",
        string="Text Variants",
        help="Two or more texts for a channel: each contact gets one by weight and the reports compare them.",
    )
    attach_statement = fields.Boolean(
        string="Attach Statement",
        help="The e-mail carries the customer's statement of open items (PDF), with fine, interest and aging.",
    )
