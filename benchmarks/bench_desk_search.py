"""The desk's search on a year of notices: how long the review queue takes to find a notice by
name, phone, credit code or reference among 10 000.

    .venv/bin/python benchmarks/bench_desk_search.py                   # both databases, 10 000 notices
    .venv/bin/python benchmarks/bench_desk_search.py --db sqlite --notices 50000

What runs (loopback only; a SQLite file in a temporary directory, or a PostgreSQL schema of its
own in the `test` database, dropped afterwards):
- the notices are built fast: the seed page's 13 notices, checked once, copied with a company
  name, credit code, phone number and reference of their own each, inserted in bulk (Core
  inserts, so each revision's search_text is made by its column default as in the app); 1 in
  20 waits in the queue, the rest are published;
- for each query, the store's two reads behind the page (store/search.py queue_notices, at
  most 201 rows, every status; status_counts) are timed --repeat times (median and slowest),
  then the whole page (GET /desk/?q=…, Flask's test client, no server) once, after a warm-up.
Figures vary with the machine and with what else runs on it.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_BASE_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BATCH = 2000
SEED_FILE = ROOT / "demo" / "seed-notices.json"
CITIES = ("广州", "佛山", "东莞", "深圳", "珠海", "中山", "江门", "肇庆", "惠州", "清远")
TRADES = ("贸易", "科技", "餐饮", "建材", "物流", "装饰工程", "电子商务", "文化传播", "医疗器械", "教育咨询")
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _checked_seeds():
    from notices.checks import check_notice
    from notices.deadlines import PublishingCalendar
    out = []
    for item in json.loads(SEED_FILE.read_text(encoding="utf-8")):
        result = check_notice(item["type"], item["fields"], item["text"], None, calendar=PublishingCalendar(),
                              require_open=False)
        if result.ok:
            out.append(result)
    return out


def build(url: str, count: int, seed: int = 7) -> tuple[float, dict]:
    """Insert `count` notices; returns the seconds it took and what to search for."""
    from sqlalchemy import Table, create_engine, insert

    from store.db import normalise_url
    from store.models import Notice, NoticeRevision
    from store.workflow import text_hash
    rng = random.Random(seed)
    seeds = _checked_seeds()
    engine = create_engine(normalise_url(url))
    notices, revisions = cast(Table, Notice.__table__), cast(Table, NoticeRevision.__table__)
    start = time.perf_counter()
    probe: dict = {}
    created = datetime(2026, 1, 2, 1, 0, tzinfo=timezone.utc)
    with engine.begin() as conn:
        rows, revs = [], []
        for n in range(count):
            result = seeds[n % len(seeds)]
            holder = next((v for k, v in result.fields.items() if k in ("holder", "company") and v), "")
            company = f"{rng.choice(CITIES)}市{n:05d}{rng.choice(TRADES)}有限公司"
            code = "9144" + "".join(rng.choice(ALPHABET) for _ in range(14))
            fields = {k: (company if v == holder and holder else v) for k, v in result.fields.items()}
            fields["uscc"] = code
            body = (result.text.replace(holder, company) if holder else result.text) + f"统一社会信用代码：{code}。"
            phone = f"13{rng.randrange(10 ** 9):09d}"
            reference = f"GG-{n:04d}-{''.join(rng.choice('0123456789ABCDEFGHJKMNPQRSTVWXYZ') for _ in range(4))}"
            status = "submitted" if n % 20 == 0 else "published"
            day = date(2026, 1, 3) + timedelta(days=n * 330 // count)
            at = created + timedelta(minutes=n * 47)
            rows.append(dict(id=n + 1, reference=reference, submission_key=f"bench:{n}",
                             type_code=result.notice_type.code, title=result.title, status=status, requested_date=day,
                             issue_date=day if status == "published" else None,
                             advertiser_name=f"联系人{n}", advertiser_phone=phone, advertiser_email="",
                             current_revision=1, version=1, price_cents=30000, lines=6, paid_cents=30000,
                             schedule_override="", decision_reason="", verification_code="", created_at=at,
                             updated_at=at))
            revs.append(dict(notice_id=n + 1, number=1, fields_json=json.dumps(fields, ensure_ascii=False),
                             text=body, text_hash=text_hash(body), findings_json="[]", windows_json="[]",
                             lines=6, price_cents=30000, author="bench", note="", created_at=at))
            if n == count // 2:
                probe = {"company": company[2:9], "code": code, "phone": phone, "reference": reference}
            if len(rows) == BATCH:
                conn.execute(insert(notices), rows)
                conn.execute(insert(revisions), revs)
                rows, revs = [], []
        if rows:
            conn.execute(insert(notices), rows)
            conn.execute(insert(revisions), revs)
    engine.dispose()
    return time.perf_counter() - start, probe


def queries(probe: dict) -> list[tuple[str, str]]:
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in probe["code"].lower())
    return [
        ("company name (part)", probe["company"]),
        ("credit code as stored", probe["code"]),
        ("credit code full-width, lower case, spaced", " ".join(wide[i:i + 4] for i in range(0, len(wide), 4))),
        ("phone with spaces", f"{probe['phone'][:3]} {probe['phone'][3:7]} {probe['phone'][7:]}"),
        ("reference, lower case, no dashes", probe["reference"].replace("-", "").lower()),
        ("a word in every notice (201 rows)", "有限公司"),
        ("nothing matches", "不存在的某某公司"),
    ]


@contextlib.contextmanager
def database(kind: str):
    from store import migrate
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'search.db'}"
            migrate.upgrade(url)
            yield url
        return
    with migrate.postgres_schema(PG_BASE_URL, "benchsearch") as url:
        yield url


def run(kind: str, count: int, repeat: int) -> None:
    from app import create_app
    from store import accounts, search
    with database(kind) as url:
        built, probe = build(url, count)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-search", "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False})
        db = app.extensions["notice_db"]
        fast = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
        with app.app_context():
            accounts.create_user(db, "bench.editor", "bench password 1", role="editor", actor="bench",
                                 hasher=accounts.password_hasher(fast))
        app.config["PASSWORD_HASHER_PARAMS"] = fast
        client = app.test_client()
        assert client.post("/desk/login", data={"username": "bench.editor",
                                                "password": "bench password 1"}).status_code == 303
        print(f"{kind}: {count} notices built in {built:.1f} s")
        for label, q in queries(probe):
            needle = search.query_text(q)
            times, found = [], 0
            for _ in range(repeat):
                with db.session() as s:
                    start = time.perf_counter()
                    found = len(search.queue_notices(s, search=needle, statuses=None, limit=201))
                    search.status_counts(s, needle)
                    times.append(time.perf_counter() - start)
            client.get("/desk/", query_string={"q": q})
            start = time.perf_counter()
            response = client.get("/desk/", query_string={"q": q})
            page = time.perf_counter() - start
            assert response.status_code == 200, response.status_code
            print(f"{kind}: {label:45s} {found:4d} found; queries median {statistics.median(times) * 1000:6.1f} ms, "
                  f"slowest {max(times) * 1000:6.1f} ms; whole page {page * 1000:6.0f} ms")
        db.dispose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    for kind in (("sqlite", "postgresql") if args.db == "both" else (args.db,)):
        run(kind, args.notices, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
