"""The app layer's fixtures: every `app` test runs on SQLite and on PostgreSQL (a copy of a database
migrated once per run, or a schema of our own emptied per test), with a client, a CLI runner and an
agency's API key. Desk test modules take `desk_test_app` as their `app` (tests/support/desk.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from store import migrate
from tests.conftest import PG_BASE_URL
from tests.support.apps import make_app
from tests.support.desk import desk_app


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        # No free pages: migration 0009 rebuilds a table on SQLite and leaves the old one's pages
        # free, where a test's writes would fit when it means to fill the disk (test_faults.py).
        conn.exec_driver_sql("VACUUM")
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url():
    """A schema of our own in the `test` database, migrated once; tables emptied per test."""
    with migrate.postgres_schema(PG_BASE_URL, "t") as url:
        yield url
        engine = _pg_engines.pop(url, None)
        if engine is not None:
            engine.dispose()          # before the schema is dropped: its connection holds no lock


_pg_engines: dict[str, Engine] = {}


def _empty_pg(url: str) -> None:
    """Empties every table of the schema at `url` (one TRUNCATE), through an engine kept for the
    run: a connection per test would cost more than the truncation."""
    engine = _pg_engines.get(url)
    if engine is None:
        engine = _pg_engines[url] = create_engine(url, pool_size=1)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, sqlite_template):
    if request.param == "sqlite":
        path = tmp_path / "notices.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_url")
    _empty_pg(url)
    return url


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, INSTANCE_TMP=str(tmp_path))
    yield app
    app.extensions["notice_db"].dispose()


@pytest.fixture
def sqlite_app(tmp_path, sqlite_template):
    path = tmp_path / "notices.db"
    shutil.copy(sqlite_template, path)
    app = make_app(f"sqlite:///{path}")
    yield app
    app.extensions["notice_db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def api_key(app):
    """An agency's API key on the app's database."""
    from store.accounts import create_api_key
    with app.app_context():
        return create_api_key(app.extensions["notice_db"], "测试代理")


@pytest.fixture
def desk_test_app(database_url):
    app = desk_app(database_url)
    yield app
    app.extensions["notice_db"].dispose()
