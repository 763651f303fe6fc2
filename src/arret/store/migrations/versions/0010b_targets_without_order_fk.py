"""Targets without a foreign key to their order: PostgreSQL checks one per row inserted
(a query on `orders` for each of a million names, about half the time of COPYing them),
and every target row is written by the registry itself, with an order it has just
inserted or loaded in the same transaction; orders are never deleted.

Revision ID: 0010b
Revises: 0010a
Create Date: 2026-12-06
"""

from alembic import op

revision = "0010b"
down_revision = "0010a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # render_as_batch: SQLite cannot drop a constraint in place; the table is copied.
    with op.batch_alter_table("targets") as batch:
        batch.drop_constraint("fk_targets_order_id_orders", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("targets") as batch:
        batch.create_foreign_key("fk_targets_order_id_orders", "orders", ["order_id"], ["id"])
