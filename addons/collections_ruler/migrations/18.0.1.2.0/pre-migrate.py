"""Contact lines become a view (see post-migrate): their table is set aside before the update.
The stage rows keep every stage an invoice reached, no longer one row per invoice."""

from odoo.tools import sql


def migrate(cr, version):
    cr.execute(
        "ALTER TABLE IF EXISTS collection_invoice_stage DROP CONSTRAINT IF EXISTS collection_invoice_stage_move_unique"
    )
    cr.execute("DELETE FROM ir_model_constraint WHERE name = 'collection_invoice_stage_move_unique'")
    if sql.table_kind(cr, "collection_communication_line") != sql.TableKind.Regular:
        return
    cr.execute("ALTER TABLE collection_communication_line RENAME TO collection_communication_line_v11")
    # its constraints go with it: the view has none for the update (or an uninstall) to drop
    cr.execute(
        """
        DELETE FROM ir_model_constraint
         WHERE model = (SELECT id FROM ir_model WHERE model = 'collection.communication.line')
        """
    )
