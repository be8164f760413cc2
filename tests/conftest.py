"""Fixtures: the app on SQLite and on PostgreSQL (every `app` test runs on both), a client, a runner;
and, for every test, a guard that fails it if the PDF renderer was asked for anything but our assets."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from store import migrate

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED_FILE = ROOT / "demo" / "seed-notices.json"
PG_BASE_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# The fixtures of tests/desk_support.py, for every test module (pytest reads pytest_plugins only in
# the top-level conftest, this one). Its helpers are imported by name where used.
pytest_plugins = ["tests.desk_support"]

# A fixed "now" (Thursday 2026-11-26 09:00 Beijing time) makes issue dates and deadlines repeatable.
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# Every URL the PDF renderer refuses is appended to this file (typesetting/fetcher.py,
# REFUSED_LOG_ENV; named here without importing it, which would load WeasyPrint into every test
# run). Set before any render worker starts: the workers are child processes and inherit it, as
# do the servers the tests start.
REFUSED_LOG_ENV = "TYPESETTING_REFUSED_LOG"
_fd, _refused_log = tempfile.mkstemp(prefix="refused-fetches-", suffix=".log")
os.close(_fd)
REFUSED_LOG = Path(_refused_log)
os.environ[REFUSED_LOG_ENV] = str(REFUSED_LOG)
atexit.register(REFUSED_LOG.unlink, missing_ok=True)


def refused_since(offset: int) -> list[str]:
    """The URLs refused since the log had `offset` bytes."""
    with REFUSED_LOG.open("rb") as log:
        log.seek(offset)
        return log.read().decode("utf-8", "replace").splitlines()


@pytest.fixture(autouse=True)
def nothing_fetched_but_our_assets(request):
    """Fails any test in which the renderer was asked for a URL that is not one of our bundled
    assets, in this process or in a render worker: our documents reference only `asset:` names, so
    anything else is markup that reached the renderer, or a template that links out. A test that
    provokes refusals on purpose (and checks them itself) is marked `refused_fetches_expected`."""
    offset = REFUSED_LOG.stat().st_size
    yield
    refused = refused_since(offset)
    if refused and request.node.get_closest_marker("refused_fetches_expected") is None:
        pytest.fail(f"the PDF renderer was asked for {len(refused)} URL(s) that are not our assets: "
                    + ", ".join(refused[:5]), pytrace=False)


def load_seed() -> list[dict]:
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def load_samples() -> dict[str, dict]:
    return json.loads((DATA / "samples.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url():
    """A schema of our own in the `test` database, migrated once; tables emptied per test."""
    with migrate.postgres_schema(PG_BASE_URL, "t") as url:
        yield url


def _empty_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


def make_app(url: str, **config):
    # APP_ENV=development: the CLI then signs with the instance folder's audit key on PostgreSQL
    # too (cli.py refuses to without AUDIT_KEY otherwise, as on the paper's own database).
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret-key", "APP_ENV": "development",
                      "WTF_CSRF_ENABLED": False, "NOW": NOW, "RATELIMIT_ENABLED": False, **config})
    return app


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


def auth(key, idem=None) -> dict:
    """API request headers: the key, and an Idempotency-Key when given."""
    headers = {"Authorization": f"Bearer {key}"}
    if idem:
        headers["Idempotency-Key"] = idem
    return headers
