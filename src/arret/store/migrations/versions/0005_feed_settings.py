"""The notice host the zones are rendered with, and rewrite serials that the journal
cannot bridge.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from arret.store.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed_versions") as batch:
        batch.add_column(
            sa.Column("rewrite", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "feed_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("notice_host", sa.String(length=255), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feed_settings"),
    )


def downgrade() -> None:
    op.drop_table("feed_settings")
    with op.batch_alter_table("feed_versions") as batch:
        batch.drop_column("rewrite")
