"""The feed: published serials, current zone entries, the IXFR journal, the scheduler clock.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from arret.store.schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_versions",
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name="fk_feed_versions_operator_id_operators"
        ),
        sa.PrimaryKeyConstraint("operator_id", "serial", name="pk_feed_versions"),
    )
    op.create_table(
        "feed_entries",
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name="fk_feed_entries_operator_id_operators"
        ),
        sa.PrimaryKeyConstraint("operator_id", "owner", name="pk_feed_entries"),
    )
    op.create_table(
        "feed_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.BigInteger(), nullable=False),
        sa.Column("added", sa.Boolean(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name="fk_feed_changes_operator_id_operators"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_feed_changes"),
    )
    op.create_index("ix_feed_changes_operator_id_serial", "feed_changes", ["operator_id", "serial"])
    # The scheduler asks "what changes next?" of every dated column.
    op.create_index("ix_orders_effective_at", "orders", ["effective_at"])
    op.create_index("ix_orders_lifted_at", "orders", ["lifted_at"])
    op.create_index("ix_targets_added_at", "targets", ["added_at"])
    op.create_index("ix_targets_removed_at", "targets", ["removed_at"])
    op.create_index("ix_allow_list_added_at", "allow_list", ["added_at"])
    op.create_table(
        "feed_clock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("published_until", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feed_clock"),
    )


def downgrade() -> None:
    op.drop_table("feed_clock")
    op.drop_index("ix_feed_changes_operator_id_serial", "feed_changes")
    op.drop_table("feed_changes")
    op.drop_table("feed_entries")
    op.drop_table("feed_versions")
    op.drop_index("ix_allow_list_added_at", "allow_list")
    op.drop_index("ix_targets_removed_at", "targets")
    op.drop_index("ix_targets_added_at", "targets")
    op.drop_index("ix_orders_lifted_at", "orders")
    op.drop_index("ix_orders_effective_at", "orders")
