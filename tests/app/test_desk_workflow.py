"""From submission to proof of publication, on SQLite and PostgreSQL, through the pages."""
from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from sqlalchemy import func, select

from press import printing
from store import issues
from store.accounts import create_api_key
from store.issues import verification_code
from store.models import AuditEntry, Export, IssueState
from store.settings import load_publisher
from tests.conftest import NOW, load_seed
from tests.support.desk import (
    ISSUE,
    LICENCE,
    PERSON,
    approve_pay_schedule,
    editor_client,
    fetch,
    on_issue_day,
    pdf_text,
    secret,
    squash,
    submit,
    version,
)
from views.extensions import get_db


@pytest.fixture
def app(desk_test_app):
    """The desk's app (tests/support/desk.py: cheap password hashing, the newspaper named), not conftest's."""
    return desk_test_app


def _api_submit(app, client, index=LICENCE):
    with app.app_context():
        key = create_api_key(get_db(), "某某代理记账公司")
    item = load_seed()[index]
    r = client.post("/api/v1/notices", headers={"Authorization": f"Bearer {key}", "Idempotency-Key": uuid.uuid4().hex},
                    json={"type": item["type"], "fields": item["fields"], "text": item["text"],
                          "publication_date": ISSUE.isoformat(),
                          "contact": {"name": "李四", "phone": "020-87750217"}})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["reference"], item


def _actions(app):
    with app.app_context():
        with get_db().session() as s:
            return [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_submission_to_proof_of_publication(app, client):
    reference, item = _api_submit(app, client)
    editor = editor_client(app)

    # Review queue lists it; its page shows the check results, preview and price.
    queue = editor.get("/desk/").get_data(as_text=True)
    assert reference in queue
    page = editor.get(f"/desk/notices/{reference}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "审核通过" in html and "data:image/png;base64," in html and "尚欠" in html

    approve_pay_schedule(app, editor, reference)
    notice = fetch(app, reference)
    assert notice.status == "scheduled" and notice.issue_date == ISSUE and notice.owed_cents == 0

    # The issue page shows the notice; export renders the real column PDF and records it.
    issue_page = editor.get(f"/desk/issues/{ISSUE.isoformat()}").get_data(as_text=True)
    assert reference in issue_page
    export = editor.post(f"/desk/issues/{ISSUE.isoformat()}/export")
    assert export.status_code == 200 and export.mimetype == "application/pdf"
    pdf = export.data
    assert pdf.startswith(b"%PDF")
    assert item["fields"]["holder"] in squash(pdf_text(pdf))
    with app.app_context():
        with get_db().session() as s:
            row = s.scalar(select(Export).order_by(Export.id.desc()))
            assert row.pdf_hash == hashlib.sha256(pdf).hexdigest()
            assert json.loads(row.revisions_json) == [[reference, 1]]
            placement = json.loads(row.placements_json)[reference]

    # Publishing (on the issue's day) moves it to 已刊登 with the page and column of the export
    # and a verification code.
    on_issue_day(app)
    r = editor.post(f"/desk/issues/{ISSUE.isoformat()}/publish", data={"confirm": "1"})
    assert r.status_code == 303
    notice = fetch(app, reference)
    assert notice.status == "published"
    assert (notice.published_page, notice.published_column) == (placement["page"], placement["column"])
    assert notice.verification_code == verification_code(app.config["SECRET_KEY"], reference,
                                                         notice.revision.text_hash)
    with app.app_context():
        with get_db().session() as s:
            assert s.get(IssueState, ISSUE).status == "published"

    # The advertiser's status page shows it and links to the proof; the proof reads back right.
    status = client.get(f"/status/{reference}/{secret(app, reference)}").get_data(as_text=True)
    assert "已刊登" in status and "proof.pdf" in status
    proof = client.get(f"/status/{reference}/{secret(app, reference)}/proof.pdf")
    assert proof.status_code == 200 and proof.mimetype == "application/pdf"
    text = squash(pdf_text(proof.data))
    assert "测试日报" in text      # the publisher's name, as the administrator set it
    assert "见报证明" in text
    assert "2026年11月27日" in text
    assert f"分类广告第{notice.published_page}页第{notice.published_column}栏" in text
    assert reference in text and notice.verification_code in text
    assert squash(notice.revision.text) in text
    assert "/verify/" + reference in text
    # Its last page carries the notice cut from the printed page (text kept, not an image).
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(proof.data)
    last = doc[len(doc) - 1].get_textpage().get_text_range()
    doc.close()
    assert "见报剪样" in last and squash(notice.revision.text) in squash(last) and "报社盖章处" in squash(last)

    # Everything is in the audit log, in order.
    actions = _actions(app)
    for action in ("submit", "login", "approve", "payment", "schedule", "export", "publish", "published"):
        assert action in actions
    assert actions.index("approve") < actions.index("payment") < actions.index("schedule") \
        < actions.index("export") < actions.index("publish")


def test_export_column_cli_writes_and_records_the_pdf(app, tmp_path):
    reference = submit(app)
    editor = editor_client(app)
    approve_pay_schedule(app, editor, reference)
    out = tmp_path / "column.pdf"
    result = app.test_cli_runner().invoke(args=["export-column", ISSUE.isoformat(), "--output", str(out)])
    assert result.exit_code == 0, result.output
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    with app.app_context():
        with get_db().session() as s:
            row = s.scalar(select(Export))
            assert row.actor == "cli" and row.pdf_hash == hashlib.sha256(pdf).hexdigest()
            assert json.loads(row.revisions_json) == [[reference, 1]]
    bad = app.test_cli_runner().invoke(args=["export-column", "2026-12-31", "--output", str(tmp_path / "x.pdf")])
    assert bad.exit_code != 0 and "没有排期的公告" in bad.output
    assert not (tmp_path / "x.pdf").exists()


def _two_scheduled(app) -> None:
    """Two notices (a company's, a person's) submitted, approved, paid and scheduled for ISSUE."""
    editor = editor_client(app)
    for reference in (submit(app), submit(app, PERSON)):
        approve_pay_schedule(app, editor, reference)


def test_lines_set_once_are_reused_by_any_process(app, monkeypatch):
    """The issue page sets the notices' lines and stores them; the export (in another worker,
    say) takes them from the database instead of setting them again - but never prints stored
    lines that do not spell the notice's text, and sets anew when the engine changed."""
    from press.column import column_view, export_column
    from store.models import LineSetting
    from typesetting import column as engine_column, linebreak

    _two_scheduled(app)
    with app.app_context():
        with get_db().session() as s:
            publisher = load_publisher(s)
            notices = issues.issue_notices(s, ISSUE)
            assert s.scalar(select(func.count()).select_from(LineSetting)) == 0
        first = column_view(publisher, ISSUE, notices, db=get_db(), with_pngs=False)
        with get_db().session() as s:
            assert s.scalar(select(func.count()).select_from(LineSetting)) == 2

        # A process that never set these notices: nothing cached, and setting is refused.
        linebreak._set_notice_cached.cache_clear()
        def refuse(*args):
            raise AssertionError("lines set again")
        monkeypatch.setattr(engine_column, "set_notice", refuse)
        outcome = export_column(publisher, ISSUE, db=get_db(), actor="test")
        assert [p.lines for p in outcome.column.placements] == [p.lines for p in first.result.placements]
        assert pdf_text(outcome.column.pdf).replace(" ", "") == pdf_text(first.result.pdf).replace(" ", "")

        # Stored lines for other text (tampered rows: the lines alone, or lines and body): not
        # used, the notice is set from its own text.
        monkeypatch.undo()
        with get_db().write() as s:
            for number, row in enumerate(s.scalars(select(LineSetting).order_by(LineSetting.key))):
                data = json.loads(row.setting_json)
                data["lines"][1][1] = "某某" + data["lines"][1][1][2:]
                if number:
                    data["body"] = data["body"].replace(data["body"][:2], "某某", 1)
                row.setting_json = json.dumps(data, ensure_ascii=False)
        settings = printing.layout_settings(publisher)
        items = printing.with_stored_settings(get_db(), publisher, printing.column_items(publisher, notices))
        assert [item.setting for item in items] == [None, None]
        assert "某某" not in pdf_text(printing.render_issue_column(publisher, notices, ISSUE, db=get_db()).pdf)
        # ... and that render stored good rows in their place.
        items = printing.with_stored_settings(get_db(), publisher, printing.column_items(publisher, notices))
        assert all(item.setting is not None for item in items)

        # Another engine (fonts, settings or code): the fingerprint differs, the row is not used.
        stored = linebreak.set_notice(items[0].title, items[0].body, settings).to_dict(settings)
        assert linebreak.SetNotice.from_dict(stored, items[0].title, items[0].body, settings) is not None
        stored["fingerprint"] = "0" * 32
        assert linebreak.SetNotice.from_dict(stored, items[0].title, items[0].body, settings) is None
        # Numbers that are not numbers (they would become CSS): refused, not rendered.
        stored = linebreak.set_notice(items[0].title, items[0].body, settings).to_dict(settings)
        stored["lines"][0][6] = "1}body{display:none"
        assert linebreak.SetNotice.from_dict(stored, items[0].title, items[0].body, settings) is None
        # A half-width mark where there is no punctuation mark, or past the line's end: refused.
        for bad in ([0], [10_000], ["0"]):
            stored = linebreak.set_notice(items[0].title, items[0].body, settings).to_dict(settings)
            stored["lines"][0][9] = bad
            assert linebreak.SetNotice.from_dict(stored, items[0].title, items[0].body, settings) is None


def test_drawn_lines_are_kept_beside_the_setting_and_drawn_from_there(app):
    """The first render keeps each notice's drawn lines in its line_settings row; a render in a
    process that never drew them brings them to the drawer, which draws nothing anew and makes
    the same column. A row whose drawn lines were tampered with is not used for them: the
    notice is drawn again and the row completed with good ones (issue 15, item 6)."""
    from store.models import LineSetting
    from typesetting import draw

    _two_scheduled(app)
    with app.app_context():
        with get_db().session() as s:
            publisher = load_publisher(s)
            notices = issues.issue_notices(s, ISSUE)
        first = printing.render_issue_column(publisher, notices, ISSUE, db=get_db())
        assert len(first.drawn) == 2
        with get_db().session() as s:
            rows = list(s.scalars(select(LineSetting).order_by(LineSetting.key)))
            assert len(rows) == 2 and all(row.drawn_json for row in rows)
            assert all(json.loads(row.drawn_json)["fingerprint"] for row in rows)

        printing._READ.clear()
        items = printing.with_stored_settings(get_db(), publisher, printing.column_items(publisher, notices))
        assert all(item.setting is not None and item.drawn is not None for item in items)
        second = printing.render_issue_column(publisher, notices, ISSUE, db=get_db())
        assert second.drawn == {} and second.pdf == first.pdf

        # Drawn lines with an operator smuggled into them (a white box over the page): refused,
        # the notice drawn again, the row completed with what the drawer drew.
        with get_db().write() as s:
            row = s.scalars(select(LineSetting).order_by(LineSetting.key)).first()
            data = json.loads(row.drawn_json)
            data["lines"][0][1][0][2] = data["lines"][0][1][0][2].replace("] TJ", "] TJ\n1 g 0 0 900 900 re f", 1)
            row.drawn_json = json.dumps(data, ensure_ascii=False)
            spoiled = row.key
        items = printing.with_stored_settings(get_db(), publisher, printing.column_items(publisher, notices))
        assert sorted(item.drawn is None for item in items) == [False, True]
        third = printing.render_issue_column(publisher, notices, ISSUE, db=get_db())
        assert len(third.drawn) == 1 and third.pdf == first.pdf
        with get_db().session() as s:
            row = s.get(LineSetting, spoiled)
            assert "re f" not in row.drawn_json
            assert draw.drawn_from_json(row.drawn_json,
                                        next(item.setting for item in items if item.drawn is None),
                                        printing.layout_settings(publisher)) is not None


def test_old_line_settings_are_pruned_when_new_ones_are_stored(app):
    from datetime import datetime, timedelta, timezone

    from store.models import LineSetting

    reference = submit(app)
    editor = editor_client(app)
    approve_pay_schedule(app, editor, reference)
    with app.app_context():
        long_ago = datetime.now(timezone.utc) - printing.LINE_SETTINGS_KEPT - timedelta(days=1)
        with get_db().write() as s:
            s.add(LineSetting(key="0" * 64, setting_json="{}", created_at=long_ago))
            s.add(LineSetting(key="1" * 64, setting_json="{}"))
        with get_db().session() as s:
            publisher = load_publisher(s)
            notices = issues.issue_notices(s, ISSUE)
        printing.render_issue_column(publisher, notices, ISSUE, db=get_db())
        with get_db().session() as s:
            keys = set(s.scalars(select(LineSetting.key)))
    assert "0" * 64 not in keys and "1" * 64 in keys and len(keys) == 2


def test_reject_and_request_changes_reach_the_status_page(app, client):
    editor = editor_client(app)
    first, second = submit(app), submit(app, PERSON)
    r = editor.post(f"/desk/notices/{first}/reject", data={"version": version(app, first), "reason": ""})
    assert r.status_code == 422 and "请写明原因" in r.get_data(as_text=True)
    assert fetch(app, first).status == "submitted"
    r = editor.post(f"/desk/notices/{first}/reject",
                    data={"version": version(app, first), "reason": "执照编号与执照不符，请核对。"})
    assert r.status_code == 303
    page = client.get(f"/status/{first}/{secret(app, first)}").get_data(as_text=True)
    assert "未通过" in page and "执照编号与执照不符，请核对。" in page
    r = editor.post(f"/desk/notices/{second}/request-changes",
                    data={"version": version(app, second), "reason": "请补充房号。"})
    assert r.status_code == 303
    page = client.get(f"/status/{second}/{secret(app, second)}").get_data(as_text=True)
    assert "需修改" in page and "请补充房号。" in page
    # A rejected notice cannot be approved by a crafted post.
    r = editor.post(f"/desk/notices/{first}/approve", data={"version": version(app, first)})
    assert r.status_code == 409 and fetch(app, first).status == "rejected"


def test_publish_refused_without_export_and_after_a_change(app):
    reference = submit(app)
    editor = editor_client(app)
    approve_pay_schedule(app, editor, reference)
    on_issue_day(app)
    r = editor.post(f"/desk/issues/{ISSUE.isoformat()}/publish", data={"confirm": "1"}, follow_redirects=True)
    assert "还没有导出" in r.get_data(as_text=True)
    assert editor.post(f"/desk/issues/{ISSUE.isoformat()}/export").status_code == 200
    # An edit after the export: the PDF no longer shows what would be published.
    notice = fetch(app, reference)
    r = editor.post(f"/desk/notices/{reference}/edit", data={
        "version": str(notice.version), "action": "save", "note": "客户来电更正",
        "text": notice.revision.text.replace("声明作废", "特此声明作废"), **notice.revision.fields})
    assert r.status_code == 303, r.get_data(as_text=True)
    r = editor.post(f"/desk/issues/{ISSUE.isoformat()}/publish", data={"confirm": "1"}, follow_redirects=True)
    assert "导出后正文有修改" in r.get_data(as_text=True)
    assert fetch(app, reference).status == "scheduled"
    assert editor.post(f"/desk/issues/{ISSUE.isoformat()}/export").status_code == 200
    r = editor.post(f"/desk/issues/{ISSUE.isoformat()}/publish", data={"confirm": "1"})
    assert fetch(app, reference).status == "published"
    assert fetch(app, reference).current_revision == 2
    # Published: no more edits, no more scheduling into that issue.
    other = submit(app, PERSON)
    editor.post(f"/desk/notices/{other}/approve", data={"version": version(app, other)})
    r = editor.post(f"/desk/notices/{other}/schedule", data={
        "version": version(app, other), "issue_date": ISSUE.isoformat(), "override_reason": "测试"})
    assert r.status_code == 422 and "已经刊登" in r.get_data(as_text=True)
    # …and advertisers can no longer book it, although its copy deadline is still ahead (seen
    # with the clock of the day before: what closes it is the publication, not the deadline).
    app.config["NOW"] = NOW
    public = app.test_client()
    dates = [d["date"] for d in public.get("/api/v1/issue-dates").get_json()["issue_dates"]]
    assert ISSUE.isoformat() not in dates and dates[0] == "2026-11-28"
    form = public.get("/submit/lost-document").get_data(as_text=True)
    assert f'value="{ISSUE.isoformat()}"' not in form and 'value="2026-11-28"' in form


def test_a_published_issue_shows_and_reprints_what_was_printed(app):
    """An issue that needed a second page: the page shows the continued layout on request and,
    once published, always; a later export is the published PDF itself (a reprint), and the
    export list says which one was printed."""
    from store.settings import save_publisher

    with app.app_context():
        with get_db().write() as s:
            publisher = load_publisher(s)
            publisher.layout = {**publisher.layout, "area_height_mm": 70, "area_width_mm": 90, "columns": 2}
            publisher.page_labels = ["A12"]
            save_publisher(s, publisher)
    references = [submit(app, index) for index in (LICENCE, PERSON, 1, 2, 3)]
    editor = editor_client(app)
    for reference in references:
        approve_pay_schedule(app, editor, reference)
    day = ISSUE.isoformat()
    one_page = editor.get(f"/desk/issues/{day}").get_data(as_text=True)
    assert "<strong>排不下" in one_page and "看续排后的版面" in one_page
    # Named by whose notice it is, not only by its reference.
    import re
    assert re.search(r"<li>\S+ GG-[0-9A-Z-]+（[^）<]{2,}）：本版已排满</li>", one_page), one_page
    continued = editor.get(f"/desk/issues/{day}?continue=1").get_data(as_text=True)
    assert "以下是续排后的版面" in continued and "<strong>排不下" not in continued
    assert "版面名称只设了 1 个（A12）" in continued     # page 2 has no label to print on proofs
    preview = editor.get(f"/desk/issues/{day}/preview.pdf?continue=1")
    assert preview.status_code == 200 and "第2页" in pdf_text(preview.data)

    export = editor.post(f"/desk/issues/{day}/export", data={"continue_overflow": "1"})
    assert export.status_code == 200
    on_issue_day(app)
    assert editor.post(f"/desk/issues/{day}/publish", data={"confirm": "1"}).status_code == 303
    assert all(fetch(app, reference).status == "published" for reference in references)
    published = editor.get(f"/desk/issues/{day}").get_data(as_text=True)
    assert "<strong>排不下" not in published and "见报所用" in published

    def exports():
        with app.app_context():
            with get_db().session() as s:
                return s.scalar(select(func.count()).select_from(Export))
    before = exports()
    # "Export" of a published issue is the printed PDF itself, whatever the option: never set
    # again (one page would not be what was printed), and no new export row to mistake for it.
    for data in ({}, {"continue_overflow": "1"}):
        again = editor.post(f"/desk/issues/{day}/export", data=data)
        assert again.status_code == 200 and again.data == export.data and again.headers["X-Reprint"] == "1"
    assert exports() == before
    page = editor.get(f"/desk/issues/{day}").get_data(as_text=True)
    assert "下载见报的付印PDF（重印" in page and "刊登后重印" not in page and page.count("见报所用") == 1


def test_status_page_after_publication_speaks_of_what_was_printed(app, client):
    """An editor's rewording after payment (the price went up): once published, the advertiser
    reads the text that was printed and what is still owed, not the words of before printing."""
    reference = submit(app, 2)    # a liquidation notice: priced by the line
    editor = editor_client(app)
    approve_pay_schedule(app, editor, reference)
    notice = fetch(app, reference)
    longer = notice.revision.text.replace(
        "股东会决议，", "股东会决议（清算组联系人：王五，联系电话：020-87750217，地址：广州市天河区体育东路一号），", 1)
    assert longer != notice.revision.text
    r = editor.post(f"/desk/notices/{reference}/edit", data={
        "version": str(notice.version), "action": "save", "text": longer, **notice.revision.fields})
    assert r.status_code == 303, r.get_data(as_text=True)
    assert fetch(app, reference).owed_cents > 0
    # The higher price waits for the advertiser's consent (issue 14); agreed, the editor
    # schedules it again before the rest is paid, with a reason.
    assert fetch(app, reference).status == "approved"
    r = client.post(f"/status/{reference}/{secret(app, reference)}/accept-price",
                    data={"version": version(app, reference)})
    assert r.status_code == 303
    r = editor.post(f"/desk/notices/{reference}/schedule", data={
        "version": version(app, reference), "issue_date": ISSUE.isoformat(), "override_reason": "客户承诺补足差价"})
    assert r.status_code == 303, r.get_data(as_text=True)
    assert editor.post(f"/desk/issues/{ISSUE.isoformat()}/export").status_code == 200
    on_issue_day(app)
    assert editor.post(f"/desk/issues/{ISSUE.isoformat()}/publish", data={"confirm": "1"}).status_code == 303
    page = client.get(f"/status/{reference}/{secret(app, reference)}").get_data(as_text=True)
    assert "以上为见报的文字" in page and "将要见报" not in page
    assert "尚欠" in page and "付款后方可排期见报" not in page
