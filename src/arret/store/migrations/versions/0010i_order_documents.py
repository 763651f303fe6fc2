"""Documents of orders: decisions and evidence, kept by the SHA-256 of their content
(`documents`, the content in the row or, with a documents directory, in a file named by
the digest), and which order carries which, as what (`order_documents`, a projection of
the `order.document` events, whose log leaves record the digests).

Revision ID: 0010i
Revises: 0010g
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from arret.store.schema import UTCDateTime

revision = "0010i"
down_revision = "0010h"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("stored_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_documents"),
    )
    op.create_table(
        "order_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=253), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("captured_at", UTCDateTime(), nullable=True),
        sa.Column("captured_by", sa.String(length=300), nullable=True),
        sa.Column("attached_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_order_documents_event_id_events"
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_order_documents_order_id_orders"
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["documents.sha256"], name="fk_order_documents_sha256_documents"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_order_documents"),
        sa.UniqueConstraint("event_id", name="uq_order_documents_event_id"),
    )
    op.create_index("ix_order_documents_order_id", "order_documents", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_order_documents_order_id", table_name="order_documents")
    op.drop_table("order_documents")
    op.drop_table("documents")
