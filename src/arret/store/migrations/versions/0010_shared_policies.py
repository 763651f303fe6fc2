"""Policies shared by content: operators addressed by the same orders share one copy of
their entries and journal; each operator's serials point at a policy revision, and its
digest is keyed (its older serials keep the salted digest they were logged with).

Every operator that has a feed becomes the only member of its own policy (numbered like
the operator), whose revisions are its serials: nothing is shared until the next
publication regroups operators by the orders that address them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from arret.store.schema import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_policies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("base_policy", sa.Integer(), nullable=True),
        sa.Column("base_rev", sa.BigInteger(), nullable=True),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("sum", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feed_policies"),
    )
    op.create_table(
        "feed_members",
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name="fk_feed_members_operator_id_operators"
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["feed_policies.id"], name="fk_feed_members_policy_id_feed_policies"
        ),
        sa.PrimaryKeyConstraint("operator_id", name="pk_feed_members"),
    )
    op.create_index("ix_feed_members_policy_id", "feed_members", ["policy_id"])
    op.create_table(
        "feed_policy_entries",
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["feed_policies.id"],
            name="fk_feed_policy_entries_policy_id_feed_policies",
        ),
        sa.PrimaryKeyConstraint("policy_id", "owner", name="pk_feed_policy_entries"),
    )
    op.create_table(
        "feed_policy_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.Column("added", sa.Boolean(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["feed_policies.id"],
            name="fk_feed_policy_changes_policy_id_feed_policies",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_feed_policy_changes"),
    )
    op.create_index(
        "ix_feed_policy_changes_policy_id_rev", "feed_policy_changes", ["policy_id", "rev"]
    )
    with op.batch_alter_table("feed_versions") as batch:
        batch.add_column(sa.Column("policy_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rev", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("feed_digests") as batch:
        batch.add_column(sa.Column("key", sa.Text(), nullable=True))
        batch.add_column(sa.Column("keyed_since", sa.BigInteger(), nullable=True))
    # One policy per operator that has a feed; its revision is its latest serial.
    op.execute(
        "INSERT INTO feed_policies (id, base_policy, base_rev, rev, entries, sum, created_at) "
        "SELECT v.operator_id, NULL, NULL, v.serial, v.entries, NULL, v.published_at "
        "FROM feed_versions v WHERE NOT EXISTS (SELECT 1 FROM feed_versions w "
        "WHERE w.operator_id = v.operator_id AND (w.published_at > v.published_at OR "
        "(w.published_at = v.published_at AND w.serial > v.serial)))"
    )
    op.execute("INSERT INTO feed_members (operator_id, policy_id) SELECT id, id FROM feed_policies")
    op.execute("UPDATE feed_versions SET policy_id = operator_id, rev = serial")
    op.execute(
        "INSERT INTO feed_policy_entries (policy_id, owner, kind) "
        "SELECT operator_id, owner, kind FROM feed_entries"
    )
    op.execute(
        "INSERT INTO feed_policy_changes (id, policy_id, rev, added, owner, kind) "
        "SELECT id, operator_id, serial, added, owner, kind FROM feed_changes"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('feed_policies', 'id'), "
            "COALESCE((SELECT MAX(id) FROM feed_policies), 0) + 1, false)"
        )
        op.execute(
            "SELECT setval(pg_get_serial_sequence('feed_policy_changes', 'id'), "
            "COALESCE((SELECT MAX(id) FROM feed_policy_changes), 0) + 1, false)"
        )
    op.drop_index("ix_feed_changes_operator_id_serial", "feed_changes")
    op.drop_table("feed_changes")
    op.drop_table("feed_entries")


def downgrade() -> None:
    raise NotImplementedError(
        "shared policies cannot be split back into one copy per operator by a downgrade; "
        "restore the backup taken before the upgrade"
    )
