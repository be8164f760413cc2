"""What every layer of the tests shares: the fixed clock, the data files, and a guard that fails any
test in which the PDF renderer was asked for anything but our assets.

The layers (each with its own conftest where it has fixtures): domain/ (notices/, no app), engine/
(typesetting/), app/ (the Flask app on SQLite and PostgreSQL), system/ (the project as a whole:
dependencies, imports, deployment files), browser/ (Chromium against gunicorn). Helpers shared
between layers live in support/."""
from __future__ import annotations

import atexit
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED_FILE = ROOT / "demo" / "seed-notices.json"
PG_BASE_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
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
