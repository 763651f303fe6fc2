"""A policy's entries and journal without foreign keys to their policy, and its entries
stored in their key's order on SQLite (WITHOUT ROWID).

A new policy of a million names writes two million entries and two million journal
rows. PostgreSQL checked the foreign key of each of them (a query on `feed_policies`
per row); only `arret.store.feed` writes these rows, for a policy it has just read or
created in the same transaction, and policies are never deleted. On SQLite the entries
were a table and a second b-tree for their primary key (policy, owner): WITHOUT ROWID
keeps them in that key's b-tree alone, half the pages to write.

Revision ID: 0010d
Revises: 0010c
Create Date: 2026-12-06
"""

from alembic import op

revision = "0010d"
down_revision = "0010c"
branch_labels = None
depends_on = None

_ENTRIES_FK = "fk_feed_policy_entries_policy_id_feed_policies"
_CHANGES_FK = "fk_feed_policy_changes_policy_id_feed_policies"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(_ENTRIES_FK, "feed_policy_entries", type_="foreignkey")
        op.drop_constraint(_CHANGES_FK, "feed_policy_changes", type_="foreignkey")
        return
    # SQLite can neither drop a constraint nor change a table's storage in place: both
    # tables are copied (render_as_batch).
    with op.batch_alter_table(
        "feed_policy_entries", recreate="always", table_kwargs={"sqlite_with_rowid": False}
    ) as batch:
        batch.drop_constraint(_ENTRIES_FK, type_="foreignkey")
    with op.batch_alter_table("feed_policy_changes") as batch:
        batch.drop_constraint(_CHANGES_FK, type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key(
            _ENTRIES_FK, "feed_policy_entries", "feed_policies", ["policy_id"], ["id"]
        )
        op.create_foreign_key(
            _CHANGES_FK, "feed_policy_changes", "feed_policies", ["policy_id"], ["id"]
        )
        return
    with op.batch_alter_table(
        "feed_policy_entries", recreate="always", table_kwargs={"sqlite_with_rowid": True}
    ) as batch:
        batch.create_foreign_key(_ENTRIES_FK, "feed_policies", ["policy_id"], ["id"])
    with op.batch_alter_table("feed_policy_changes") as batch:
        batch.create_foreign_key(_CHANGES_FK, "feed_policies", ["policy_id"], ["id"])
