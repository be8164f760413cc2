"""The audit page with a long log: how long GET /desk/audit takes at 200 000 entries.

    .venv/bin/python benchmarks/bench_audit.py                       # both databases, 200 000 entries
    .venv/bin/python benchmarks/bench_audit.py --db sqlite --rows 50000

What runs (loopback only; a SQLite file in a temporary directory, or a PostgreSQL schema of its
own in the `test` database, dropped afterwards):
- the log is built fast: bulk inserts of entries whose digests are computed in Python exactly as
  the app appends them today (chained, keyed with the audit key of this process: AUDIT_KEY, or
  instance/audit_key), so that verification does the real work;
- an editor logs in (Flask's test client, no server) and opens /desk/audit: the first view finds
  no checkpoint and verifies every entry; then, --views times, 100 entries are appended the
  app's way (append_audit) and the page is opened again: only what is new since the last
  checkpoint is verified;
- an administrator's full verification (/desk/audit?full=1) is timed last.
Prints one line per view. Figures vary with the machine and with what else runs on it.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_BASE_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ACTIONS = ("submit", "approve", "schedule", "payment", "edit", "login", "export", "published")
BATCH = 5000


def _details(rng: random.Random, action: str, n: int) -> dict:
    reference = f"GG-{n % 10000:04d}-{rng.randrange(16 ** 4):04X}"
    if action == "payment":
        return {"reference": reference, "amount_cents": rng.randrange(5000, 90000), "method": "transfer",
                "receipt_no": f"R{n:08d}", "paid_cents": 30000, "owed_cents": 0}
    if action == "submit":
        return {"reference": reference, "type": "lost-document", "price_cents": 15000,
                "text_hash": f"{rng.getrandbits(256):064x}"}
    if action == "login":
        return {"address": f"127.0.{n % 250}.{n % 7}"}
    return {"reference": reference, "revision": 1 + n % 3, "issue_date": "2026-11-28"}


def build_log(url: str, rows: int, seed: int = 1) -> float:
    """Insert `rows` chained entries with real digests; returns the seconds it took."""
    from sqlalchemy import Table, create_engine, insert

    from store import audit
    from store.db import normalise_url
    from store.models import AuditEntry
    version, digest = audit.KEYED_VERSION, audit.entry_digest
    key = audit.audit_key()
    rng = random.Random(seed)
    engine = create_engine(normalise_url(url))
    start = time.perf_counter()
    prev = audit.GENESIS_HASH
    at = datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)
    table = cast(Table, AuditEntry.__table__)     # a Table; typed as any FromClause
    with engine.begin() as conn:
        batch = []
        for n in range(rows):
            action = ACTIONS[n % len(ACTIONS)]
            actor = "api:某某代理" if action == "submit" else f"editor:bian{n % 5}"
            notice_id = None if action in ("login", "export") else 1 + n // 4
            details_json = json.dumps(_details(rng, action, n), ensure_ascii=False, sort_keys=True)
            at += timedelta(seconds=7, microseconds=rng.randrange(1_000_000))
            hash_ = digest(version, key, prev, audit._at_text(at), actor, action, notice_id, details_json)
            assert hash_ is not None        # None only for a version entry_digest does not know
            batch.append({"at": at, "actor": actor, "action": action, "notice_id": notice_id,
                          "details_json": details_json, "prev_hash": prev, "hash": hash_,
                          "digest_version": version})
            prev = hash_
            if len(batch) == BATCH:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)
    engine.dispose()
    return time.perf_counter() - start


@contextlib.contextmanager
def database(kind: str):
    from store import migrate
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'audit.db'}"
            migrate.upgrade(url)
            yield url
        return
    with migrate.postgres_schema(PG_BASE_URL, "benchaudit") as url:
        yield url


def timed_get(client, path: str) -> tuple[float, str]:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    return elapsed, response.get_data(as_text=True)


def verdict(html: str) -> str:
    return "核验通过" if "核验通过" in html and "核验未通过" not in html else "核验未通过"


def run(kind: str, rows: int, views: int) -> None:
    from app import create_app
    from store import accounts
    from store.audit import append_audit
    with database(kind) as url:
        built = build_log(url, rows)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-audit", "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False})
        db = app.extensions["notice_db"]
        fast = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
        with app.app_context():
            accounts.create_user(db, "bench.admin", "bench password 1", role="admin", actor="bench",
                                 hasher=accounts.password_hasher(fast))
        app.config["PASSWORD_HASHER_PARAMS"] = fast
        client = app.test_client()
        login = client.post("/desk/login", data={"username": "bench.admin", "password": "bench password 1"})
        assert login.status_code == 303, login.status_code
        print(f"{kind}: {rows} entries built in {built:.1f} s")
        elapsed, html = timed_get(client, "/desk/audit")
        print(f"{kind}: first view (no checkpoint: every entry verified): {elapsed * 1000:.0f} ms, {verdict(html)}")
        for i in range(views):
            with app.app_context():
                for j in range(100):
                    with db.write() as s:
                        append_audit(s, "editor:bench", "approve", None, {"n": i * 100 + j})
            elapsed, html = timed_get(client, "/desk/audit")
            print(f"{kind}: view after 100 new entries: {elapsed * 1000:.0f} ms, {verdict(html)}")
        elapsed, html = timed_get(client, "/desk/audit?full=1")
        print(f"{kind}: full verification (administrator): {elapsed * 1000:.0f} ms, {verdict(html)}")
        db.dispose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--views", type=int, default=3)
    args = parser.parse_args(argv)
    for kind in (("sqlite", "postgresql") if args.db == "both" else (args.db,)):
        run(kind, args.rows, args.views)
    return 0


if __name__ == "__main__":
    sys.exit(main())
