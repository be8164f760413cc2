"""Alembic environment: the URL is handed in by store/migrate.py."""
from alembic import context
from sqlalchemy import create_engine, pool

from store.db import normalise_url
from store.models import Base

config = context.config
given = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
if not given:       # store/migrate.py always passes one
    raise RuntimeError("migrations/env.py: no database URL (pass one as store/migrate.py does)")
url = normalise_url(given)


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    # render_as_batch: SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
