"""Operators' TSIG keys and the source networks allowed to transfer without a key.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from arret.store.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.add_column(sa.Column("allow_from", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "operator_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("algorithm", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name="fk_operator_keys_operator_id_operators"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_operator_keys"),
        sa.UniqueConstraint("name", name="uq_operator_keys_name"),
    )
    op.create_index("ix_operator_keys_operator_id", "operator_keys", ["operator_id"])


def downgrade() -> None:
    op.drop_index("ix_operator_keys_operator_id", "operator_keys")
    op.drop_table("operator_keys")
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("allow_from")
