"""Run the Alembic migrations against a database URL."""
from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


@contextlib.contextmanager
def postgres_schema(base_url: str, prefix: str, options: str = "") -> Iterator[str]:
    """A new schema in the PostgreSQL database at base_url, migrated to head, dropped on exit.

    Yields the URL whose connections use it (search_path); `options` adds more server settings
    (e.g. "-cdefault_tablespace=x"). Tests and benchmarks each run in a schema of their own, so
    that they never meet each other's rows in the shared `test` database.
    """
    from sqlalchemy import create_engine, text

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        settings = f"-csearch_path={schema}" + (f" {options}" if options else "")
        url = f"{base_url}?options={quote(settings)}"
        try:
            upgrade(url)
            yield url
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()
