"""The order registry: events, operators, orders, targets, allow-list.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from arret.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
    )
    op.create_index("ix_events_order_id", "events", ["order_id"])
    op.create_table(
        "operators",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("notify", sa.JSON(), nullable=False),
        sa.Column("probe", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_operators"),
        sa.UniqueConstraint("name", name="uq_operators_name"),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("authority", sa.String(length=200), nullable=False),
        sa.Column("requester", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("effective_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("lifted_at", UTCDateTime(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=False),
        sa.Column("all_operators", sa.Boolean(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.Column("last_changed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
    )
    op.create_index("ix_orders_expires_at", "orders", ["expires_at"])
    op.create_table(
        "order_operators",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_order_operators_order_id_orders"
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name="fk_order_operators_operator_id_operators"
        ),
        sa.PrimaryKeyConstraint("order_id", "operator_id", name="pk_order_operators"),
    )
    op.create_index("ix_order_operators_operator_id", "order_operators", ["operator_id"])
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=253), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=True),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_targets_order_id_orders"),
        sa.PrimaryKeyConstraint("id", name="pk_targets"),
    )
    op.create_index("ix_targets_name", "targets", ["name"])
    op.create_index("ix_targets_order_id_removed_at", "targets", ["order_id", "removed_at"])
    op.create_table(
        "allow_list",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=253), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_allow_list"),
        sa.UniqueConstraint("name", name="uq_allow_list_name"),
    )


def downgrade() -> None:
    op.drop_table("allow_list")
    op.drop_index("ix_targets_order_id_removed_at", "targets")
    op.drop_index("ix_targets_name", "targets")
    op.drop_table("targets")
    op.drop_index("ix_order_operators_operator_id", "order_operators")
    op.drop_table("order_operators")
    op.drop_table("orders")
    op.drop_table("operators")
    op.drop_index("ix_events_order_id", "events")
    op.drop_table("events")
