"""Each order keeps how many of its targets are not removed (`orders.current_targets`),
maintained by the writes that add and remove them. An amendment of one name to a
million-name order counted them on the (order_id, removed_at) index to answer "N names
now": 50 ms of the 85 ms the amendment took in the server, growing with the order
(`bench/scale.py`, amend API). Filled here by one count per order.

Revision ID: 0010j
Revises: 0010i
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010j"
down_revision = "0010i"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A column with a default: SQLite adds it without rebuilding the table.
    op.add_column(
        "orders",
        sa.Column("current_targets", sa.Integer(), nullable=False, server_default="0"),
    )
    op.execute(
        "UPDATE orders SET current_targets = (SELECT count(*) FROM targets "
        "WHERE targets.order_id = orders.id AND targets.removed_at IS NULL)"
    )


def downgrade() -> None:
    # Not in a batch: rebuilding `orders` under the rows that refer to it breaks their
    # foreign keys on SQLite, which drops the column in place (3.35 on).
    op.drop_column("orders", "current_targets")
