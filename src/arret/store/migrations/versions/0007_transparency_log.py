"""The transparency log: leaves, signed tree heads, the tree's right edge, the salts of
confidential names, and each operator's policy digest.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from arret.store.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


#: Leaves and heads are append-only in the database itself: an UPDATE or DELETE (or, on
#: PostgreSQL, a TRUNCATE) is refused whoever sends it. Someone who can drop a trigger can
#: still rewrite the tables; `arret log verify` is what catches that.
GUARDS = {
    "sqlite": [
        f"CREATE TRIGGER {table}_append_only_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only: {table} rows are "
        "never changed or deleted'); END"
        for table in ("log_leaves", "log_heads")
        for verb in ("UPDATE", "DELETE")
    ],
    "postgresql": [
        "CREATE FUNCTION arret_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'the transparency log is append-only: % rows are never changed or "
        "deleted', TG_TABLE_NAME; END $$",
        *(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION arret_append_only()"
            for table in ("log_leaves", "log_heads")
        ),
        *(
            f"CREATE TRIGGER {table}_append_only_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION arret_append_only()"
            for table in ("log_leaves", "log_heads")
        ),
    ],
}


def upgrade() -> None:
    op.create_table(
        "log_leaves",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("serial", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name="fk_log_leaves_event_id_events"),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name="fk_log_leaves_operator_id_operators"
        ),
        sa.PrimaryKeyConstraint("idx", name="pk_log_leaves"),
        sa.UniqueConstraint("event_id", name="uq_log_leaves_event_id"),
    )
    op.create_index(
        "ix_log_leaves_operator_id_serial", "log_leaves", ["operator_id", "serial"], unique=True
    )
    op.create_table(
        "log_heads",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("timestamp", UTCDateTime(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("size", name="pk_log_heads"),
    )
    op.create_table(
        "log_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_log_state"),
    )
    # The row every append locks (FOR UPDATE): present from the start, so that two first
    # appends at once queue on it instead of both inserting it.
    op.execute("INSERT INTO log_state (id, size, frontier) VALUES (1, 0, '[]')")
    for statement in GUARDS[op.get_bind().dialect.name]:
        op.execute(statement)
    op.create_table(
        "name_salts",
        sa.Column("name", sa.String(length=253), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_name_salts"),
    )
    op.create_table(
        "feed_digests",
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name="fk_feed_digests_operator_id_operators"
        ),
        sa.PrimaryKeyConstraint("operator_id", name="pk_feed_digests"),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION arret_append_only() CASCADE")
    op.drop_table("feed_digests")
    op.drop_table("name_salts")
    op.drop_table("log_state")
    op.drop_table("log_heads")
    op.drop_index("ix_log_leaves_operator_id_serial", "log_leaves")
    op.drop_table("log_leaves")
