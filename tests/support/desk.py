"""Helpers of the desk tests (tests/app/test_desk*.py, test_auth.py, test_verify.py, test_audit.py …):
an app with the newspaper named and a cheap password hash, editors logged in, notices filed and
moved along the workflow, PDFs read back as text.

`desk_app` differs from `make_app` in one way: editors' passwords are hashed with a cheap argon2id
profile, so that a test logging in twice does not spend a second on hashing (and the newspaper is
named, as an administrator does before the first export). A desk test module makes the fixture
`desk_test_app` (tests/app/conftest.py) its `app` with a module fixture `app(desk_test_app)`. The
production profile is tested once, in test_auth.py.
"""
from __future__ import annotations

import re
import uuid
from datetime import date

from sqlalchemy import text

from notices.catalogue import CATALOGUE
from notices.checks import check_notice
from press import printing
from store import accounts, workflow
from store.models import Notice
from store.settings import load_publisher
from store.workflow import Advertiser, status_secret, submit_notice
from tests.conftest import NOW, load_seed
from tests.support.apps import make_app
from views.extensions import get_db

FAST_HASH = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
PASSWORD = "correct horse battery"
ISSUE = date(2026, 11, 27)          # the first issue open at NOW (Thursday 26 Nov 09:00)
# Publishing is refused before the issue date (published means printed): tests that publish ISSUE
# set the clock to that morning first (on_issue_day).
NEXT_ISSUE = date(2026, 11, 28)
LICENCE = 4                          # seed notice: 广州斐泽展览策划有限公司 遗失营业执照副本
PERSON = 0                           # seed notice: 范海英遗失认购书


TEST_NEWSPAPER = "测试日报"


def desk_app(database_url, **config):
    """The app with the newspaper's name set, as an administrator does before the first export."""
    app = make_app(database_url, **{"PASSWORD_HASHER_PARAMS": FAST_HASH, **config})
    from store.settings import load_publisher, save_publisher
    db = app.extensions["notice_db"]
    with db.write() as s:
        publisher = load_publisher(s)
        if not publisher.newspaper:
            publisher.newspaper = TEST_NEWSPAPER
            save_publisher(s, publisher)
    return app


def create_editor(app, name="editor1", password=PASSWORD, role="editor"):
    with app.app_context():
        return accounts.create_user(get_db(), name, password, role=role, actor="test",
                                    hasher=accounts.password_hasher(FAST_HASH))


def login(client, name="editor1", password=PASSWORD, **kwargs):
    return client.post("/desk/login", data={"username": name, "password": password}, **kwargs)


def editor_client(app, name="editor1", role="editor"):
    create_editor(app, name, role=role)
    client = app.test_client()
    response = login(client, name)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def submit(app, index=LICENCE, *, issue=ISSUE, api_key_id=None, text_override=None, fields=None, name="张三",
           email=""):
    item = load_seed()[index]
    with app.app_context():
        with get_db().session() as s:
            publisher = load_publisher(s)
        result = check_notice(item["type"], fields or item["fields"], text_override or item["text"], issue,
                              calendar=publisher.calendar, now=NOW, missing_glyphs=printing.missing_glyphs)
        assert result.ok, result.errors
        quote = printing.quote_notice(publisher, result, CATALOGUE[item["type"]], with_png=False)
        submitted = submit_notice(get_db(), result, Advertiser(name, "13800138000", email), f"test:{uuid.uuid4().hex}",
                                  lines=quote.lines, price_cents=quote.price_cents, author="advertiser",
                                  api_key_id=api_key_id)
    return submitted.notice.reference


def fetch(app, reference) -> Notice:
    with app.app_context():
        with get_db().session() as s:
            notice = workflow.load_notice(s, reference)
            assert notice is not None, reference
            _ = notice.revision, notice.api_key
            return notice


def secret(app, reference) -> str:
    return status_secret(app.config["SECRET_KEY"], reference)


def version(app, reference) -> str:
    return str(fetch(app, reference).version)


def approve_pay_schedule(app, client, reference, issue=ISSUE):
    """The editor's steps up to a scheduled notice, through the pages."""
    r = client.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
    assert r.status_code == 303, r.get_data(as_text=True)
    owed = fetch(app, reference).owed_cents
    r = client.post(f"/desk/notices/{reference}/payments", data={
        "version": version(app, reference), "amount": f"{owed / 100:.2f}", "method": "counter",
        "receipt_no": f"R-{reference}"})
    assert r.status_code == 303, r.get_data(as_text=True)
    r = client.post(f"/desk/notices/{reference}/schedule", data={
        "version": version(app, reference), "issue_date": issue.isoformat()})
    assert r.status_code == 303, r.get_data(as_text=True)


def mark_published(app, reference, *, page=1, column=2, code="ABCDEFGHJK", issue=ISSUE):
    """Publish without rendering a column (for tests about what happens after publication): the
    notice's row, and a publication with its snapshot as publish_issue makes one (without a PDF,
    like an issue published before migration 0004)."""
    from store.models import Publication, PublishedNotice
    with app.app_context():
        with get_db().write() as s:
            s.execute(text("UPDATE notices SET status = 'published', issue_date = :d, published_page = :p, "
                           "published_column = :c, verification_code = :code WHERE reference = :r"),
                      {"d": issue, "p": page, "c": column, "code": code, "r": reference})
            publisher = load_publisher(s)
            notice = workflow.load_notice(s, reference)
            publication = Publication(issue_date=issue, pdf_hash="", pages=page, newspaper=publisher.newspaper,
                                      published_by="test")
            s.add(publication)
            s.flush()
            s.add(PublishedNotice(
                publication_id=publication.id, notice_id=notice.id, reference=reference,
                newspaper=publisher.newspaper, issue_date=issue, page=page, page_label=publisher.page_text(page),
                column_number=column, revision=notice.current_revision, text_hash=notice.revision.text_hash,
                title=notice.title, printed_text=printing.printable_text(publisher, notice.revision.text),
                verification_code=code))


def on_issue_day(app, issue=ISSUE, hour=8):
    """Set the app's clock (config NOW) to `hour` o'clock, Beijing time, of the issue date."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    app.config["NOW"] = datetime(issue.year, issue.month, issue.day, hour, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def csrf_token_from(html: str) -> str:
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def pdf_text(pdf: bytes) -> str:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    try:
        parts = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            parts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "".join(parts)
    finally:
        doc.close()


def squash(value: str) -> str:
    """Text as a reader compares it: without the line breaks and spaces layout puts in."""
    return re.sub(r"\s+", "", value)
