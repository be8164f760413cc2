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
    assert "核验通过" in page and "审核通过" in page and "editor:editor1" in page


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
