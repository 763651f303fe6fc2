"""The index on `targets.removed_at` holds only removed targets (a partial index, WHERE
removed_at IS NOT NULL): every query that reads it asks for removals in a range of
instants (the feed's due and next instants, a count at an instant), which a NULL never
is, and nearly every target is never removed. A registration of a million names wrote a
million NULL keys into it, one of the five indexes it maintained (PostgreSQL: the
largest part of its server time after the table itself).

Revision ID: 0010f
Revises: 0010e
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010f"
down_revision = "0010e"
branch_labels = None
depends_on = None

_REMOVED = sa.text("removed_at IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_targets_removed_at", "targets")
    op.create_index(
        "ix_targets_removed_at", "targets", ["removed_at"],
        sqlite_where=_REMOVED, postgresql_where=_REMOVED,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_targets_removed_at", "targets")
    op.create_index("ix_targets_removed_at", "targets", ["removed_at"])
