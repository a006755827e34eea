"""Contact lines lose the columns that only cost: company, currency and the log columns.

Their values are the contact's and the invoice's; each of these columns was a foreign
key PostgreSQL checked on every line the planner inserted. The invoice's own index
goes too: the unique key (invoice, stage, channel) starts with it.
"""


def migrate(cr, version):
    cr.execute(
        """
        ALTER TABLE collection_communication_line
            DROP COLUMN IF EXISTS company_id,
            DROP COLUMN IF EXISTS currency_id,
            DROP COLUMN IF EXISTS create_uid,
            DROP COLUMN IF EXISTS create_date,
            DROP COLUMN IF EXISTS write_uid,
            DROP COLUMN IF EXISTS write_date
        """
    )
    cr.execute("DROP INDEX IF EXISTS collection_communication_line__move_id_index")
