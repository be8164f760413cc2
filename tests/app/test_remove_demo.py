"""`flask remove-demo` (store/demo.py): the demo notices `flask load-demo` loaded go, with every
row and file of theirs; real notices stay; the audit log keeps every entry and gets one more;
refused (in Chinese, nothing removed) when a demo notice was published or is tied to a real one.
SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, text

from store.documents import CleanFile, DocumentStore
from store.models import AuditEntry, InvoiceRequest, Notice, NoticeDocument, NoticeRevision, Payment
from store.settings import load_publisher
from tests.support.apps import make_app
from tests.support.desk import (
    FAST_HASH,
    approve_pay_schedule,
    editor_client,
    fetch,
    mark_published,
    submit,
    version,
)
from views.extensions import get_db


@pytest.fixture
def app(database_url, tmp_path):
    # No newspaper name: load-demo sets its own (演示日报), which remove-demo takes back.
    app = make_app(database_url, PASSWORD_HASHER_PARAMS=FAST_HASH, DOCUMENTS_DIR=str(tmp_path / "documents"))
    yield app
    app.extensions["notice_db"].dispose()


def _load_demo(app) -> list[str]:
    result = app.test_cli_runner().invoke(args=["load-demo"])
    assert result.exit_code == 0 and "已载入示例公告 13 则" in result.output, result.output
    return _demo_references(app)


def _demo_references(app) -> list[str]:
    with app.app_context(), get_db().session() as s:
        return list(s.scalars(select(Notice.reference).where(Notice.submission_key.like("demo:%")).order_by(Notice.id)))


def _audit(app) -> list[tuple[int, str, str]]:
    with app.app_context(), get_db().session() as s:
        return [(e.id, e.hash, e.action) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def _count(app, model, *where) -> int:
    with app.app_context(), get_db().session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _remove(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["remove-demo", *args], input=input)


def _document(app, notice_reference: str, data: bytes) -> str:
    """A document row of the notice and its file in the store (as store/documents.py keeps them)."""
    clean = CleanFile("application/pdf", data, pages=1)
    sha = DocumentStore(app.config["DOCUMENTS_DIR"]).put(clean)
    with app.app_context(), get_db().write() as s:
        notice_id = s.scalar(select(Notice.id).where(Notice.reference == notice_reference))
        s.add(NoticeDocument(notice_id=notice_id, kind="licence", sha256=sha, media_type=clean.media_type,
                             size=len(data), pages=1, uploaded_by="advertiser"))
    return sha


def test_removes_the_demo_notices_and_all_of_theirs_and_keeps_the_real_ones(app):
    demo = _load_demo(app)
    real = submit(app)
    client = editor_client(app)
    approve_pay_schedule(app, client, demo[4])                       # an editor tried the desk on it
    approve_pay_schedule(app, client, real)
    with app.app_context(), get_db().write() as s:
        s.add(InvoiceRequest(notice_id=fetch(app, demo[4]).id, title="某某公司", tax_number="", email=""))
    shared = _document(app, demo[0], b"%PDF-1.4 shared")
    _document(app, real, b"%PDF-1.4 shared")
    own = _document(app, demo[1], b"%PDF-1.4 demo only")
    store = DocumentStore(app.config["DOCUMENTS_DIR"])
    before = _audit(app)

    result = _remove(app, "--yes")
    assert result.exit_code == 0, result.output
    assert "已删除示例公告 13 则" in result.output and "材料文件 1 个" in result.output

    assert _demo_references(app) == []
    assert _count(app, Notice) == 1 and fetch(app, real).status == "scheduled"
    assert _count(app, NoticeRevision) == 1 and _count(app, Payment) == 1 and _count(app, InvoiceRequest) == 0
    assert _count(app, NoticeDocument) == 1
    assert store.exists(shared) and not store.exists(own)          # a file a real notice shares stays
    # The audit log: every entry as it was, and one more.
    after = _audit(app)
    assert after[:len(before)] == before and len(after) == len(before) + 1
    with app.app_context(), get_db().session() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last.action == "demo-removed" and last.actor == "cli" and last.notice_id is None
        for reference in demo:
            assert reference in last.details_json
        assert load_publisher(s).newspaper == ""                  # 演示日报 was the loader's
    verified = app.test_cli_runner().invoke(args=["verify-audit"])
    assert verified.exit_code == 0, verified.output
    # The audit page names the entry in Chinese.
    admin = editor_client(app, "boss", role="admin")
    assert "删除示例数据" in admin.get("/desk/audit").get_data(as_text=True)
    assert _remove(app, "--yes").output.strip() == "数据库中没有示例公告（flask load-demo 载入的样张公告），无需删除。"


def test_a_new_notice_never_takes_a_removed_notices_id(app):
    demo = _load_demo(app)
    highest = max(fetch(app, r).id for r in demo)
    assert _remove(app, "--yes").exit_code == 0
    new = submit(app)
    assert fetch(app, new).id > highest
    # So its history shows its own entries only, none of a removed demo notice's.
    client = editor_client(app)
    history = client.get(f"/desk/notices/{new}/history").get_data(as_text=True)
    assert not any(r in history for r in demo)


def test_refused_when_a_demo_notice_was_published(app):
    demo = _load_demo(app)
    mark_published(app, demo[2])
    before = _audit(app)
    result = _remove(app, "--yes")
    assert result.exit_code == 1
    assert "示例数据没有删除" in result.output and demo[2] in result.output and "已经刊登过" in result.output
    assert len(_demo_references(app)) == 13 and _audit(app) == before


def test_refused_when_one_transfer_paid_a_demo_and_a_real_notice(app):
    demo = _load_demo(app)
    real = submit(app)
    client = editor_client(app)
    for reference in (demo[4], real):
        client.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
    r = client.post("/desk/queue/bulk", data={
        "action": "pay", "pay_method": "bank", "pay_receipt": "JS-0001",
        "notice": [f"{demo[4]}:{version(app, demo[4])}", f"{real}:{version(app, real)}"]})
    assert r.status_code == 200 and fetch(app, real).owed_cents == 0
    result = _remove(app, "--yes")
    assert result.exit_code == 1
    assert "JS-0001" in result.output and real in result.output and "一笔款" in result.output
    assert len(_demo_references(app)) == 13


def test_dry_run_and_unconfirmed_change_nothing(app):
    demo = _load_demo(app)
    before = _audit(app)
    dry = _remove(app, "--dry-run")
    assert dry.exit_code == 0 and "没有删除任何内容" in dry.output and demo[0] in dry.output
    assert "演示日报" in dry.output
    unconfirmed = _remove(app, input="n\n")
    assert unconfirmed.exit_code == 1 and "没有确认，未删除" in unconfirmed.output
    assert len(_demo_references(app)) == 13 and _audit(app) == before
    confirmed = _remove(app, input="y\n")
    assert confirmed.exit_code == 0 and _demo_references(app) == []


def test_the_audit_log_is_only_appended_to(app):
    """No statement of the removal deletes or changes an audit row (on PostgreSQL the app's role
    may not: deploy/postgres-grants.sql)."""
    _load_demo(app)
    statements: list[str] = []
    db = app.extensions["notice_db"]
    engines = {id(e): e for e in (db.engine, db.write_engine)}.values()

    def seen(conn, cursor, statement, *args):
        statements.append(statement.lower())
    for engine in engines:
        event.listen(engine, "before_cursor_execute", seen)
    try:
        assert _remove(app, "--yes").exit_code == 0
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", seen)
    touching = [s for s in statements if "audit_log" in s and ("delete" in s or "update" in s or "truncate" in s)]
    assert touching == []
    assert any("delete from notices" in s for s in statements)


def test_old_demo_notices_are_recognised_by_key_and_author_only(app):
    """A notice whose key merely starts like a demo key but was not loaded as demo data stays."""
    demo = _load_demo(app)
    odd = submit(app)
    with app.app_context(), get_db().write() as s:
        s.execute(text("UPDATE notices SET submission_key = 'demo:lookalike' WHERE reference = :r"), {"r": odd})
    assert _remove(app, "--yes").exit_code == 0
    assert fetch(app, odd).reference == odd
    assert not any(_count(app, Notice, Notice.reference == r) for r in demo)
