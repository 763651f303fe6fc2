"""The index on `targets.added_at` becomes one on (order_id, added_at). The scheduler
asks for the targets added in a range of instants, but for those added at their order's
registration (which the registration published itself): per order changed since, the
ranges on either side of its registration instant, which this index answers without
reading the names registered at that instant. On the instant alone, the first pass of
`arret serve` after a registration of a million names read them all (1.7 s) to keep none;
an order's count of targets at an instant asks the same. The instant alone answers
nothing else that this index does not (the next instant is found per order).

Revision ID: 0010g
Revises: 0010f
Create Date: 2026-12-06
"""

from alembic import op

revision = "0010g"
down_revision = "0010f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_targets_order_id_added_at", "targets", ["order_id", "added_at"])
    op.drop_index("ix_targets_added_at", "targets")


def downgrade() -> None:
    op.create_index("ix_targets_added_at", "targets", ["added_at"])
    op.drop_index("ix_targets_order_id_added_at", "targets")
