from odoo import api, fields, models
from odoo.exceptions import ValidationError

PHASES = [
    ("reminder", "Reminder"),
    ("friendly", "Friendly Charge"),
    ("escalation", "Escalation"),
    ("negotiation", "Negotiation Offer"),
    ("severe", "Severe Measures"),
]
CHANNELS = [
    ("email", "E-mail"),
    ("sms", "SMS"),
    ("whatsapp", "WhatsApp"),
    ("letter", "Letter"),
    ("phone", "Phone Call"),
]
# What counts as the notice a measure needs before it takes effect: a phone call leaves no proof.
WRITTEN_CHANNELS = ("email", "sms", "whatsapp", "letter")


class CollectionRulerStage(models.Model):
    _name = "collection.ruler.stage"
    _description = "Collection Ruler Stage"
    _order = "ruler_id, offset_days, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    ruler_id = fields.Many2one("collection.ruler", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="ruler_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    offset_days = fields.Integer(
        string="Days from Due Date",
        required=True,
        help="When the stage fires: days after the due date, negative for before it (-3: three days before).",
    )
    phase = fields.Selection(PHASES, required=True, default="reminder")
    # Channels, each with what it sends.
    channel_email = fields.Boolean(string="E-mail")
    mail_template_id = fields.Many2one(
        "mail.template", string="E-mail Template", domain=[("model", "=", "collection.communication")]
    )
    attach_invoice_pdf = fields.Boolean(string="Attach Invoice PDFs")
    channel_sms = fields.Boolean(string="SMS")
    sms_template_id = fields.Many2one(
        "sms.template", string="SMS Template", domain=[("model", "=", "collection.communication")]
    )
    channel_whatsapp = fields.Boolean(string="WhatsApp")
    whatsapp_template_id = fields.Many2one(
        "sms.template",
        string="WhatsApp Text",
        domain=[("model", "=", "collection.communication")],
        help="Text sent through a generic WhatsApp gateway, and logged on the contact.",
    )
    whatsapp_template_name = fields.Char(
        string="WhatsApp Cloud API Template",
        help="Name of the template approved by Meta. Its body gets four parameters: the customer's name, "
        "the invoice numbers, the amount due and the payment link.",
    )
    whatsapp_template_lang = fields.Char(
        string="Template Language", default="pt_BR", help="Language the Cloud API template was approved in."
    )
    channel_letter = fields.Boolean(string="Letter")
    letter_body = fields.Html(translate=True, help="Text of the printed letter; the invoices are listed below it.")
    channel_phone = fields.Boolean(string="Phone Call")
    phone_script = fields.Html(translate=True, help="What the collector says on the call.")
    # Measures that go with the stage, undone when the debt is paid.
    action_credit_hold = fields.Boolean(string="Put Credit on Hold")
    action_negativacao = fields.Boolean(
        string="Mark for Negativação", help="List the debts in the credit bureau export (Serasa, Boa Vista, SPC)."
    )
    action_agency = fields.Boolean(string="Hand Over to Collection Agency")
    measure_wait_days = fields.Integer(
        string="Measures After (Days)",
        default=10,
        help="Credit hold, negativação and hand-over take effect this many days after the stage's written notice "
        "(e-mail, SMS, WhatsApp or letter) was sent, and only if it was: the wait the notice announces "
        "(Consumer Defence Code, art. 43 §2).",
    )
    channel_count = fields.Integer(compute="_compute_channel_count")

    @api.constrains(
        "action_credit_hold",
        "action_negativacao",
        "action_agency",
        "measure_wait_days",
        "channel_email",
        "channel_sms",
        "channel_whatsapp",
        "channel_letter",
    )
    def _check_measures_follow_a_notice(self):
        for stage in self:
            if not (stage.action_credit_hold or stage.action_negativacao or stage.action_agency):
                continue
            if stage.measure_wait_days < 0:
                raise ValidationError(self.env._("The wait before a stage's measures cannot be negative."))
            if not set(stage._get_channels()) & set(WRITTEN_CHANNELS):
                raise ValidationError(
                    self.env._(
                        "Stage %(stage)s takes credit measures: it must send a written notice first "
                        "(e-mail, SMS, WhatsApp or letter).",
                        stage=stage.name,
                    )
                )

    @api.depends("channel_email", "channel_sms", "channel_whatsapp", "channel_letter", "channel_phone")
    def _compute_channel_count(self):
        for stage in self:
            stage.channel_count = len(stage._get_channels())

    def _get_channels(self):
        self.ensure_one()
        return [code for code, _label in CHANNELS if self[f"channel_{code}"]]
