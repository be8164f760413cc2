"""The audit log: every desk action appends an entry in its own transaction; the hash chain
shows any row changed behind the app's back; the app has no way to change it."""
from __future__ import annotations

import json

from sqlalchemy import select, text

from store.models import AuditEntry
from store.operations import verify_audit_chain
from tests.desk_support import PERSON, app, editor_client, submit, version  # noqa: F401
from views.extensions import get_db


def _entries(app):
    with app.app_context():
        with get_db().session() as s:
            return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _verify(app):
    with app.app_context():
        with get_db().session() as s:
            return verify_audit_chain(s)


def test_chain_verifies_and_page_says_so(app):
    reference = submit(app, PERSON)
    editor = editor_client(app)
    editor.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
    assert _verify(app) == []
    page = editor.get("/desk/audit").get_data(as_text=True)
    assert "核验通过" in page and "审核通过" in page and "编辑 editor1" in page


def test_a_row_changed_in_the_database_is_detected(app):
    reference = submit(app, PERSON)
    editor = editor_client(app)
    editor.post(f"/desk/notices/{reference}/reject", data={"version": version(app, reference), "reason": "不符"})
    entries = _entries(app)
    target = next(e for e in entries if e.action == "reject")
    forged = json.dumps({"reference": reference, "reason": "客户要求撤回"}, ensure_ascii=False)
    with app.app_context():
        with get_db().write() as s:
            s.execute(text("UPDATE audit_log SET details_json = :d WHERE id = :id"), {"d": forged, "id": target.id})
    assert _verify(app) == [target.id]
    page = editor.get("/desk/audit")
    html = page.get_data(as_text=True)
    assert "核验未通过" in html and f"#{target.id}" in html and 'class="tampered"' in html


def test_a_deleted_row_is_detected(app):
    submit(app, PERSON)
    editor_client(app)
    entries = _entries(app)
    assert len(entries) >= 3
    with app.app_context():
        with get_db().write() as s:
            s.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": entries[1].id})
    assert _verify(app) == [entries[2].id]


def test_the_app_offers_no_way_to_change_the_log(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule or "history" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_history_page_shows_the_notices_entries_in_order(app):
    reference = submit(app, PERSON)
    other = submit(app, PERSON)
    editor = editor_client(app)
    editor.post(f"/desk/notices/{reference}/request-changes",
                data={"version": version(app, reference), "reason": "请补充房号"})
    editor.post(f"/desk/notices/{other}/approve", data={"version": version(app, other)})
    html = editor.get(f"/desk/notices/{reference}/history").get_data(as_text=True)
    assert html.index("提交") < html.index("要求修改") and "请补充房号" in html
    assert "审核通过" not in html.split("操作记录")[1].split("历次版本")[0]      # the other notice's entry


def test_every_desk_action_is_audited_with_actor_and_utc_time(app):
    reference = submit(app, PERSON)
    editor = editor_client(app)
    editor.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
    editor.post(f"/desk/notices/{reference}/schedule", data={
        "version": version(app, reference), "issue_date": "2026-11-27", "override_reason": "测试"})
    editor.post(f"/desk/notices/{reference}/unschedule", data={"version": version(app, reference)})
    editor.post("/desk/logout")
    actions = [(e.action, e.actor) for e in _entries(app)]
    for action in ("login", "approve", "schedule-override", "schedule", "unschedule", "logout"):
        assert (action, "editor:editor1") in actions, action
    assert all(e.at is not None for e in _entries(app))


def test_postgresql_and_python_compute_the_same_digest_for_awkward_text(app):
    """On PostgreSQL the entry is hashed by audit_append() (migration 0002), on SQLite in Python;
    verification is always Python's. Separators, newlines and non-BMP text in every field."""
    from store.operations import append_audit
    with app.app_context():
        db = get_db()
        for actor, notice_id, details in [("api:某|代理:1\n二", None, {"k": "a|b:c\nd", "e": "𠀀😀"}),
                                          ("editor:x", 42, {}), ("", 0, {"": ""})]:
            with db.write() as s:
                append_audit(s, actor, "test|action", notice_id, details)
    entries = _entries(app)
    assert [e.digest_version for e in entries[-3:]] == [2, 2, 2]
    assert entries[-3].actor == "api:某|代理:1\n二" and entries[-3].notice_id is None
    assert _verify(app) == []


def test_entries_written_before_digest_version_2_still_verify(tmp_path):
    """A database with entries from before migration 0002 keeps them (version 1) and chains
    new ones after them; a change to an old entry is still found."""
    from datetime import datetime, timezone

    from sqlalchemy import create_engine

    from store import migrate
    from store.db import Database
    from store.operations import GENESIS_HASH, _at_text, _entry_digest, append_audit
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(url, "0001")
    engine = create_engine(url)
    prev = GENESIS_HASH
    with engine.begin() as conn:
        for i in range(2):
            at = datetime(2026, 11, 20, 8, i, tzinfo=timezone.utc)
            digest = _entry_digest(prev, _at_text(at), "cli", "old", None, "{}")
            conn.execute(text("INSERT INTO audit_log (at, actor, action, notice_id, details_json, prev_hash, hash) "
                              "VALUES (:at, 'cli', 'old', NULL, '{}', :prev, :hash)"),
                         {"at": at.replace(tzinfo=None), "prev": prev, "hash": digest})
            prev = digest
    engine.dispose()
    migrate.upgrade(url)
    db = Database(url)
    with db.write() as s:
        append_audit(s, "cli", "new", None, {"after": "upgrade"})
    with db.session() as s:
        assert [e.digest_version for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))] == [1, 1, 2]
        assert verify_audit_chain(s) == []
    with db.write() as s:
        s.execute(text("UPDATE audit_log SET actor = 'someone' WHERE id = 1"))
    with db.session() as s:
        assert verify_audit_chain(s) == [1]
    db.dispose()
