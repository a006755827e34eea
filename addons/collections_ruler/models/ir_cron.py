from odoo import api, models, modules


class IrCron(models.Model):
    _inherit = "ir.cron"

    @api.model
    def _collection_commit(self):
        """Commit what a collections cron has done so far: after each record that an outside service
        saw, so a later failure or Odoo's time limit never undoes it (DESIGN.md, "short transactions").
        Odoo's test runner forbids commits: there the work stays in the test's transaction."""
        if not modules.module.current_test:
            self.env.cr.commit()
