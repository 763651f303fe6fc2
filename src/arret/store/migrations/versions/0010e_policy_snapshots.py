"""Revisions that fill an empty policy keep no journal rows: their change (nothing
removed, every entry added) is derived from the policy's entries and its later journal
(`arret.store.feed.state_at`). A million-name order to operators whose policy held
nothing wrote two million entries and the same two million rows again as its journal.

Journals written before stay as they are (no row here names their revisions).

Revision ID: 0010e
Revises: 0010d
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010e"
down_revision = "0010d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_policy_snapshots",
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("policy_id", "rev", name="pk_feed_policy_snapshots"),
    )


def downgrade() -> None:
    # The journal of the derived revisions is written out, as the code before stored it.
    from arret.store.feed import write_derived_journal

    conn = op.get_bind()
    for (policy_id,) in conn.execute(
        sa.text("SELECT DISTINCT policy_id FROM feed_policy_snapshots ORDER BY policy_id")
    ).all():
        write_derived_journal(conn, int(policy_id))
    op.drop_table("feed_policy_snapshots")
