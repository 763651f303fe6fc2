"""Allow-list entries can be removed: a removal instant, and a name unique among the
entries that stand (it may be allow-listed again after its removal).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from arret.store.schema import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_CURRENT = sa.text("removed_at IS NULL")


def upgrade() -> None:
    # render_as_batch: SQLite cannot drop a constraint in place; the table is copied.
    with op.batch_alter_table("allow_list") as batch:
        batch.add_column(sa.Column("removed_at", UTCDateTime(), nullable=True))
        batch.drop_constraint("uq_allow_list_name", type_="unique")
    op.create_index("ix_allow_list_removed_at", "allow_list", ["removed_at"])
    op.create_index(
        "uq_allow_list_current_name",
        "allow_list",
        ["name"],
        unique=True,
        sqlite_where=_CURRENT,
        postgresql_where=_CURRENT,
    )


def downgrade() -> None:
    # Entries removed are dropped: the revision before this one cannot represent them.
    op.execute("DELETE FROM allow_list WHERE removed_at IS NOT NULL")
    op.drop_index("uq_allow_list_current_name", "allow_list")
    op.drop_index("ix_allow_list_removed_at", "allow_list")
    with op.batch_alter_table("allow_list") as batch:
        batch.drop_column("removed_at")
        batch.create_unique_constraint("uq_allow_list_name", ["name"])
