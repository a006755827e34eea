from odoo import models


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _load(self, template_code, company, install_demo, force_create=True):
        res = super()._load(template_code, company, install_demo, force_create=force_create)
        # The default collection policy books to accounts of the chart: it can only exist after it.
        self.env["collection.policy"]._install_default_policies(company)
        return res
