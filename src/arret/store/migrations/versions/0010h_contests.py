"""Contests: what claimants sent (`contests`, `contest_attachments`), the orders each
concerns (`contest_orders`, which the public counts are grouped by), the proof-of-work
challenges already answered, and the e-mail outbox; probe results indexed by name, for
the evidence a contest's review shows.

Revision ID: 0010h
Revises: 0010g
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from arret.store.schema import UTCDateTime

revision = "0010h"
down_revision = "0010g"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=253), nullable=False),
        sa.Column("standing", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=254), nullable=True),
        sa.Column("secret_digest", sa.String(length=64), nullable=False),
        sa.Column("orders", sa.JSON(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=300), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("reminded_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_contests"),
    )
    op.create_index("ix_contests_received_at", "contests", ["received_at"])
    op.create_index("ix_contests_state", "contests", ["state"])
    op.create_index("ix_contests_name_received_at", "contests", ["name", "received_at"])
    op.create_table(
        "contest_orders",
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contest_id"], ["contests.id"], name="fk_contest_orders_contest_id_contests"
        ),
        sa.PrimaryKeyConstraint("contest_id", "order_id", name="pk_contest_orders"),
    )
    op.create_index("ix_contest_orders_order_id", "contest_orders", ["order_id"])
    op.create_table(
        "contest_attachments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contest_id"], ["contests.id"], name="fk_contest_attachments_contest_id_contests"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_contest_attachments"),
    )
    op.create_index("ix_contest_attachments_contest_id", "contest_attachments", ["contest_id"])
    op.create_table(
        "contest_challenges",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_contest_challenges"),
    )
    op.create_index("ix_contest_challenges_expires_at", "contest_challenges", ["expires_at"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_mail_outbox"),
    )
    op.create_index("ix_mail_outbox_next_attempt_at", "mail_outbox", ["next_attempt_at"])
    op.create_index("ix_probe_results_name_at", "probe_results", ["name", "at"])


def downgrade() -> None:
    op.drop_index("ix_probe_results_name_at", table_name="probe_results")
    op.drop_index("ix_mail_outbox_next_attempt_at", table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_index("ix_contest_challenges_expires_at", table_name="contest_challenges")
    op.drop_table("contest_challenges")
    op.drop_index("ix_contest_attachments_contest_id", table_name="contest_attachments")
    op.drop_table("contest_attachments")
    op.drop_index("ix_contest_orders_order_id", table_name="contest_orders")
    op.drop_table("contest_orders")
    op.drop_index("ix_contests_name_received_at", table_name="contests")
    op.drop_index("ix_contests_state", table_name="contests")
    op.drop_index("ix_contests_received_at", table_name="contests")
    op.drop_table("contests")
