"""Target instants written by the bulk insert in one text form on SQLite.

SQLite keeps instants as text, compared as text. The bulk insert of targets (0010b's
path) formatted an instant with no microseconds as '2026-12-06 12:00:01' where every
other write gives '2026-12-06 12:00:01.000000': the same instant, unequal as text, and
ordered before it. A target then never compared equal to its order's registration
instant (the scheduler recomputed every first target of an order registered since its
last pass), and a comparison at exactly that instant could go the wrong way. PostgreSQL
keeps timestamps, which the bulk path (COPY) wrote right: nothing to do there.

Revision ID: 0010c
Revises: 0010b
Create Date: 2026-12-06
"""

from alembic import op

revision = "0010c"
down_revision = "0010b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for column in ("added_at", "removed_at"):
        op.execute(
            f"UPDATE targets SET {column} = {column} || '.000000' "
            f"WHERE {column} IS NOT NULL AND length({column}) = 19"
        )


def downgrade() -> None:
    # Both forms read back as the same instant: nothing to undo.
    pass
