"""Demo data: the 13 notices of the seed page's classified column, each with its own text and
facts, submitted as an advertiser would (checked, typeset, priced), into an empty database."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from notices.catalogue import CATALOGUE
from notices.checks import check_notice
from notices.deadlines import open_issue_dates
from press import printing
from store.demo import DEMO_AUTHOR, DEMO_NEWSPAPER, demo_key
from store.models import Notice
from store.settings import load_publisher, save_publisher
from store.workflow import Advertiser, submit_notice

DEMO_ADVERTISER = Advertiser(name="示例数据（样张分类广告栏）", phone="", email="")


def load_demo(app: Flask, path: Path) -> int:
    db = app.extensions["notice_db"]
    with db.session() as s:
        if s.scalar(select(func.count()).select_from(Notice)):
            return 0
        publisher = load_publisher(s)
    if not publisher.newspaper:
        # The demo needs a name to print; it says it is a demo, and the admin changes it in /desk/settings.
        publisher.newspaper = DEMO_NEWSPAPER
        with db.write() as s:
            save_publisher(s, publisher)
    now = app.config.get("NOW") or datetime.now().astimezone()
    issue = open_issue_dates(publisher.calendar, now, count=1)[0]
    count = 0
    for i, item in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        result = check_notice(item["type"], item["fields"], item["text"], issue, calendar=publisher.calendar,
                              now=now, missing_glyphs=printing.missing_glyphs)
        if not result.ok:
            raise ValueError(f"demo notice {i + 1} does not pass its checks: {result.errors}")
        quote = printing.quote_notice(publisher, result, CATALOGUE[item["type"]], with_png=False)
        # The key and the author mark the notice as demo data: `flask remove-demo` finds it by them.
        submit_notice(db, result, DEMO_ADVERTISER, demo_key(i + 1), lines=quote.lines,
                      price_cents=quote.price_cents, author=DEMO_AUTHOR)
        count += 1
    return count
