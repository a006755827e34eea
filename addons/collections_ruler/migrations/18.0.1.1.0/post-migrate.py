"""Less for PostgreSQL to check and rewrite when a company's first run plans a full ledger.

- The invoices' stage pointer moves from ``account_move`` to ``collection_invoice_stage``
  (created by the update): the planner no longer rewrites invoice rows.
- Contact lines lose the columns that only cost: company, currency and the log columns.
  Their values are the contact's and the invoice's; each was a foreign key checked on
  every line inserted. The invoice's own index goes too: the unique key (invoice,
  stage, channel) starts with it.
"""

from odoo.tools import SQL, sql


def migrate(cr, version):
    if sql.column_exists(cr, "account_move", "collection_stage_id"):
        cr.execute(
            """
            INSERT INTO collection_invoice_stage (move_id, stage_id, date)
            SELECT id, collection_stage_id, COALESCE(collection_stage_date, CURRENT_DATE)
              FROM account_move
             WHERE collection_stage_id IS NOT NULL
                ON CONFLICT DO NOTHING  -- (18.0.1.2.0 replaces the key on the invoice alone)
            """
        )
        cr.execute("ALTER TABLE account_move DROP COLUMN collection_stage_id, DROP COLUMN collection_stage_date")
    # 18.0.1.2.0's pre-migrate set the lines' table aside (the name is now a view's)
    table = "collection_communication_line_v11"
    if not sql.table_exists(cr, table):
        table = "collection_communication_line"
    if sql.table_kind(cr, table) != sql.TableKind.Regular:
        return
    cr.execute(
        SQL(
            """
        ALTER TABLE %s
            DROP COLUMN IF EXISTS company_id,
            DROP COLUMN IF EXISTS currency_id,
            DROP COLUMN IF EXISTS create_uid,
            DROP COLUMN IF EXISTS create_date,
            DROP COLUMN IF EXISTS write_uid,
            DROP COLUMN IF EXISTS write_date
        """,
            SQL.identifier(table),
        )
    )
    cr.execute("DROP INDEX IF EXISTS collection_communication_line__move_id_index")
