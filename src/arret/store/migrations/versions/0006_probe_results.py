"""Probe results: the evidence of compliance probing.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from arret.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "probe_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("resolver", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("orders", sa.JSON(), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=True),
        sa.Column("expected", sa.String(length=16), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("how", sa.String(length=16), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("latency", sa.Float(), nullable=False),
        sa.Column("rcode", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("ede", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name="fk_probe_results_operator_id_operators"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_probe_results"),
    )
    op.create_index("ix_probe_results_operator_id_at", "probe_results", ["operator_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_probe_results_operator_id_at", "probe_results")
    op.drop_table("probe_results")
