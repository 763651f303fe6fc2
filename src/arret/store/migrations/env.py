"""Alembic environment: Arrêt always hands it an open connection (see arret.store.db)."""

from alembic import context

from arret.store.schema import metadata

connection = context.config.attributes["connection"]
# render_as_batch: SQLite cannot ALTER most things; batch mode rebuilds the table instead.
# on_version_apply: told of each revision applied (`arret init` shows how far it is).
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    on_version_apply=context.config.attributes.get("on_version_apply"),
)
with context.begin_transaction():
    context.run_migrations()
