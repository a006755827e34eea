"""A contact line is no longer a row per invoice and channel, but the pair of a stage an
invoice reached (``collection_invoice_stage``, which now keeps every stage reached, the
current one marked) and the contacts that covered it (same ``plan_group``).

- The existing pointers are the current stages.
- Each invoice and stage of the old lines becomes a stage row (the pointer's, if it is
  the current stage); the contacts that covered it, one per channel, get its group.
- The lines no group can hold are kept as they were (``collection_communication_line_stored``).
- The old lines' table is dropped.
"""

import logging

from odoo.tools import sql

from odoo.addons.collections_ruler.models.collection_invoice_stage import PLAN_GROUP_SEQUENCE

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    cr.execute("UPDATE collection_invoice_stage SET current = TRUE WHERE current IS NULL")
    if not sql.table_exists(cr, "collection_communication_line_v11"):
        return
    cr.execute(
        """
        INSERT INTO collection_invoice_stage (move_id, stage_id, date, current, amount_residual, plan_group)
        SELECT l.move_id, l.stage_id, MIN(COALESCE(c.plan_date, c.create_date::date)), FALSE,
               MAX(l.amount_residual), MIN(l.communication_id)
          FROM collection_communication_line_v11 l
          JOIN collection_communication c ON c.id = l.communication_id
         GROUP BY l.move_id, l.stage_id
            ON CONFLICT (move_id, stage_id) DO UPDATE
           SET amount_residual = EXCLUDED.amount_residual, plan_group = EXCLUDED.plan_group
        """
    )
    cr.execute(
        """
        WITH covered AS (
            SELECT l.communication_id, MIN(r.plan_group) AS plan_group
              FROM collection_communication_line_v11 l
              JOIN collection_invoice_stage r ON r.move_id = l.move_id AND r.stage_id = l.stage_id
             GROUP BY l.communication_id
        ),
        -- one contact per group and channel (the planner never made two)
        kept AS (
            SELECT cv.communication_id, cv.plan_group,
                   ROW_NUMBER() OVER (PARTITION BY cv.plan_group, c.channel ORDER BY c.id) AS rank
              FROM covered cv
              JOIN collection_communication c ON c.id = cv.communication_id
        )
        UPDATE collection_communication c
           SET plan_group = kept.plan_group
          FROM kept
         WHERE c.id = kept.communication_id AND kept.rank = 1
        """
    )
    # a contact that its group would make cover an invoice it did not leaves the group
    cr.execute(
        """
        UPDATE collection_communication c
           SET plan_group = NULL
         WHERE c.plan_group IS NOT NULL
           AND EXISTS (
               SELECT 1
                 FROM collection_invoice_stage r
                WHERE r.plan_group = c.plan_group
                  AND NOT EXISTS (
                      SELECT 1 FROM collection_communication_line_v11 l
                       WHERE l.communication_id = c.id AND l.move_id = r.move_id AND l.stage_id = r.stage_id))
        """
    )
    # what no group can hold (a contact whose invoices reached their stage with different contacts: a
    # breach brought one back with another, a line made by hand) is kept line by line
    cr.execute(
        """
        INSERT INTO collection_communication_line_stored (communication_id, move_id, stage_id, amount_residual)
        SELECT l.communication_id, l.move_id, l.stage_id, l.amount_residual
          FROM collection_communication_line_v11 l
         WHERE NOT EXISTS (
               SELECT 1
                 FROM collection_invoice_stage r
                 JOIN collection_communication c ON c.plan_group = r.plan_group
                WHERE c.id = l.communication_id AND r.move_id = l.move_id AND r.stage_id = l.stage_id)
        """
    )
    if cr.rowcount:
        _logger.info("collections: %s contact lines kept as such (no group of contacts holds them)", cr.rowcount)
    cr.execute(
        "SELECT setval(%s, GREATEST((SELECT MAX(plan_group) FROM collection_invoice_stage), 1))",
        (PLAN_GROUP_SEQUENCE,),
    )
    cr.execute("DROP TABLE collection_communication_line_v11")
