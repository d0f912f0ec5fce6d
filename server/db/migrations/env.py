"""Alembic environment: the URL comes from Settings (DATABASE_URL / MEALKITZ_DATA_DIR) unless given."""
from __future__ import annotations

from alembic import context

from server.db.engine import make_engine
from server.db.tables import metadata
from server.settings import Settings

config = context.config


def run_migrations_online() -> None:
    url = config.attributes.get("database_url") or Settings.from_env().database_url
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run against a database")
run_migrations_online()
