"""The log's tree stored as tiles, so that a proof reads O(log n) hashes, not every leaf
hash; the tiles of a log that has leaves already are built here from its leaf hashes.

Revision ID: 0010a
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from arret.tlog.tiles import Builder

revision = "0010a"
down_revision = "0010"
branch_labels = None
depends_on = None

#: Leaf hashes read per query while the tiles of an existing log are built.
PAGE = 10_000


def upgrade() -> None:
    op.create_table(
        "log_tiles",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hashes", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name="pk_log_tiles"),
    )
    conn = op.get_bind()
    tiles = sa.table(
        "log_tiles", sa.column("level"), sa.column("idx"), sa.column("hashes", sa.LargeBinary)
    )
    builder, start = Builder(0, {}), 0
    while True:
        page = conn.execute(
            sa.text("SELECT idx, hash FROM log_leaves WHERE idx >= :s ORDER BY idx LIMIT :n"),
            {"s": start, "n": PAGE},
        ).all()
        for idx, digest in page:
            assert int(idx) == builder.size, f"log_leaves skips from {builder.size} to {idx}"
            builder.push(bytes.fromhex(digest))
        if len(page) < PAGE:
            break
        start += PAGE
        # Full tiles never change again: write them, keep the partial ones for later.
        full = {k: v for k, v in builder.dirty.items() if len(v) == 256 * 32}
        if full:
            conn.execute(
                tiles.insert(), [{"level": k[0], "idx": k[1], "hashes": v} for k, v in full.items()]
            )
        builder.dirty = {k: v for k, v in builder.dirty.items() if k not in full}
    if builder.dirty:
        conn.execute(
            tiles.insert(),
            [{"level": k[0], "idx": k[1], "hashes": v} for k, v in builder.dirty.items()],
        )


def downgrade() -> None:
    op.drop_table("log_tiles")
