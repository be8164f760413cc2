"""One notice at the desk: edits and revisions, the lost-update guard, payments, scheduling rules."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from store.accounts import create_api_key
from store.models import AuditEntry, NoticeRevision, Payment
from store.workflow import text_hash
from tests.conftest import load_seed
from tests.support.desk import ISSUE, LICENCE, NEXT_ISSUE, PERSON, editor_client, fetch, submit, version
from views.extensions import get_db


@pytest.fixture
def app(desk_test_app):
    """The desk's app (tests/support/desk.py: cheap password hashing, the newspaper named), not conftest's."""
    return desk_test_app


def _audit(app, action):
    with app.app_context():
        with get_db().session() as s:
            return [json.loads(e.details_json) | {"_actor": e.actor} for e in
                    s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def _edit_data(notice, text, **extra):
    return {"version": str(notice.version), "action": "save", "text": text, **notice.revision.fields, **extra}


# --- editing ---------------------------------------------------------------------------------

def test_edit_creates_a_new_revision_and_keeps_the_original(app):
    reference = submit(app, PERSON)
    editor = editor_client(app)
    original = fetch(app, reference)
    page = editor.get(f"/desk/notices/{reference}/edit")
    assert page.status_code == 200 and original.revision.text in page.get_data(as_text=True)
    new_text = original.revision.text.replace("特此声明", "现声明作废")
    r = editor.post(f"/desk/notices/{reference}/edit", data=_edit_data(original, new_text, note="客户来电"))
    assert r.status_code == 303, r.get_data(as_text=True)
    notice = fetch(app, reference)
    assert notice.current_revision == 2 and notice.version == original.version + 1
    assert notice.revision.text == new_text and notice.revision.author == "editor:editor1"
    assert notice.revision.note == "客户来电"
    first = next(r for r in notice.revisions if r.number == 1)
    assert first.text == original.revision.text and first.text_hash == text_hash(original.revision.text)
    assert notice.lines == notice.revision.lines and notice.price_cents == notice.revision.price_cents
    entry = _audit(app, "edit")[-1]
    assert entry["revision"] == 2 and entry["text_hash"] == text_hash(new_text)
    assert entry["previous_text_hash"] == original.revision.text_hash
    # The advertiser's status page shows the text that will print.
    history = editor.get(f"/desk/notices/{reference}/history").get_data(as_text=True)
    assert "第 1 版（客户确认的原稿）" in history and new_text in history


def test_edit_reruns_the_checks_and_refuses_errors(app):
    reference = submit(app, LICENCE)
    editor = editor_client(app)
    notice = fetch(app, reference)
    # The credit code in the text no longer matches the field: an error, nothing saved.
    broken = notice.revision.text.replace("914401133314312947", "914401133314312948")
    r = editor.post(f"/desk/notices/{reference}/edit", data=_edit_data(notice, broken))
    assert r.status_code == 422
    assert "正文与所填" in r.get_data(as_text=True)
    assert fetch(app, reference).current_revision == 1
    # Invisible characters are refused too (docs/reliability.md: bidi controls).
    r = editor.post(f"/desk/notices/{reference}/edit", data=_edit_data(notice, notice.revision.text + "\u202e"))
    assert r.status_code == 422 and fetch(app, reference).current_revision == 1
    # "Check" shows the preview without saving.
    r = editor.post(f"/desk/notices/{reference}/edit", data=_edit_data(notice, notice.revision.text, action="check"))
    assert r.status_code == 200 and fetch(app, reference).current_revision == 1
    with app.app_context():
        with get_db().session() as s:
            assert len(list(s.scalars(select(NoticeRevision)))) == 1


def test_two_editors_stale_save_is_refused_and_the_first_edit_survives(app):
    reference = submit(app, PERSON)
    alice, bob = editor_client(app, "alice"), editor_client(app, "bob")
    loaded = fetch(app, reference)                 # both open the edit page at this version
    assert alice.get(f"/desk/notices/{reference}/edit").status_code == 200
    assert bob.get(f"/desk/notices/{reference}/edit").status_code == 200
    alices = loaded.revision.text.replace("特此声明", "现声明作废")
    bobs = loaded.revision.text.replace("编号：0000334", "编号0000334")
    assert alice.post(f"/desk/notices/{reference}/edit", data=_edit_data(loaded, alices)).status_code == 303
    r = bob.post(f"/desk/notices/{reference}/edit", data=_edit_data(loaded, bobs))
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "您的修改没有保存" in html and alices in html and bobs in html
    assert "编辑 alice" in html and "editor:alice" not in html
    notice = fetch(app, reference)
    assert notice.revision.text == alices and notice.current_revision == 2
    # Bob can now save deliberately on top of Alice's version (the conflict page carries it).
    fresh = fetch(app, reference)
    r = bob.post(f"/desk/notices/{reference}/edit", data=_edit_data(fresh, bobs))
    assert r.status_code == 303 and fetch(app, reference).current_revision == 3


def test_stale_decision_is_refused(app):
    reference = submit(app)
    alice, bob = editor_client(app, "alice"), editor_client(app, "bob")
    stale = version(app, reference)
    assert alice.post(f"/desk/notices/{reference}/reject", data={"version": stale, "reason": "不符"}).status_code == 303
    r = bob.post(f"/desk/notices/{reference}/approve", data={"version": stale}, follow_redirects=True)
    assert "已被其他编辑修改" in r.get_data(as_text=True)
    assert fetch(app, reference).status == "rejected"


# --- payments --------------------------------------------------------------------------------

def test_payment_recorded_once_and_never_more_than_owed(app, client):
    reference = submit(app)
    editor = editor_client(app)
    price = fetch(app, reference).price_cents
    r = editor.post(f"/desk/notices/{reference}/payments", data={
        "version": version(app, reference), "amount": "abc", "method": "counter", "receipt_no": "R1"})
    assert r.status_code == 422 and "金额格式不对" in r.get_data(as_text=True)
    r = editor.post(f"/desk/notices/{reference}/payments", data={
        "version": version(app, reference), "amount": f"{price / 100 + 1:.2f}", "method": "bank", "receipt_no": "R1"})
    assert r.status_code == 422 and "超过尚欠" in r.get_data(as_text=True)
    half = f"{price / 200:.2f}"
    ok = {"amount": half, "method": "bank", "receipt_no": "BANK-0001"}
    assert editor.post(f"/desk/notices/{reference}/payments",
                       data={"version": version(app, reference), **ok}).status_code == 303
    # A double submission (same receipt) is recorded once.
    r = editor.post(f"/desk/notices/{reference}/payments", data={"version": version(app, reference), **ok})
    assert r.status_code == 422 and "已为这则公告登记过" in r.get_data(as_text=True)
    notice = fetch(app, reference)
    assert notice.paid_cents == round(float(half) * 100) and notice.owed_cents == price - notice.paid_cents
    with app.app_context():
        with get_db().session() as s:
            rows = list(s.scalars(select(Payment)))
    assert [(p.method, p.receipt_no, p.recorded_by) for p in rows] == [("bank", "BANK-0001", "editor:editor1")]
    assert _audit(app, "payment")[-1]["receipt_no"] == "BANK-0001"
    # The advertiser sees what is still owed.
    from tests.support.desk import secret
    page = client.get(f"/status/{reference}/{secret(app, reference)}").get_data(as_text=True)
    assert "尚欠" in page


# --- scheduling ------------------------------------------------------------------------------

def test_unpaid_notice_is_scheduled_only_with_a_reason(app):
    reference = submit(app)
    editor = editor_client(app)
    editor.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
    r = editor.post(f"/desk/notices/{reference}/schedule", data={
        "version": version(app, reference), "issue_date": ISSUE.isoformat()})
    assert r.status_code == 422 and "付款后才能排期" in r.get_data(as_text=True)
    assert fetch(app, reference).status == "approved"
    r = editor.post(f"/desk/notices/{reference}/schedule", data={
        "version": version(app, reference), "issue_date": ISSUE.isoformat(), "override_reason": "法院指定，费用月结"})
    assert r.status_code == 303
    notice = fetch(app, reference)
    assert notice.status == "scheduled" and notice.schedule_override == "法院指定，费用月结"
    override = _audit(app, "schedule-override")[-1]
    assert override["reason"] == "法院指定，费用月结" and override["_actor"] == "editor:editor1"


def test_credit_account_schedules_unpaid(app):
    with app.app_context():
        key = create_api_key(get_db(), "记账代理", credit_account=True)
        from store.accounts import find_api_key
        with get_db().session() as s:
            key_id = find_api_key(s, key).id
    reference = submit(app, api_key_id=key_id)
    editor = editor_client(app)
    editor.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
    r = editor.post(f"/desk/notices/{reference}/schedule", data={
        "version": version(app, reference), "issue_date": ISSUE.isoformat()})
    assert r.status_code == 303 and fetch(app, reference).status == "scheduled"
    assert not _audit(app, "schedule-override")


def test_move_and_unschedule_and_closed_issue_still_open_to_editors(app):
    reference = submit(app)
    editor = editor_client(app)
    editor.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
    override = {"override_reason": "先登后付"}
    # 2026-11-26 is today; its copy deadline (25th 15:00) has passed: closed to advertisers, open to editors.
    today = date(2026, 11, 26)
    r = editor.post(f"/desk/notices/{reference}/schedule",
                    data={"version": version(app, reference), "issue_date": today.isoformat(), **override})
    assert r.status_code == 303 and fetch(app, reference).issue_date == today
    r = editor.post(f"/desk/notices/{reference}/schedule", data={
        "version": version(app, reference), "issue_date": NEXT_ISSUE.isoformat(), **override, "back": "issue"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/desk/issues/{NEXT_ISSUE.isoformat()}")
    assert fetch(app, reference).issue_date == NEXT_ISSUE
    moves = _audit(app, "schedule")
    assert moves[-1]["previous_issue_date"] == today.isoformat()
    # The past is refused.
    r = editor.post(f"/desk/notices/{reference}/schedule", data={
        "version": version(app, reference), "issue_date": "2026-11-20", **override})
    assert r.status_code == 422 and "已经过去" in r.get_data(as_text=True)
    r = editor.post(f"/desk/notices/{reference}/unschedule", data={"version": version(app, reference)})
    assert r.status_code == 303
    notice = fetch(app, reference)
    assert notice.status == "approved" and notice.issue_date is None


def test_issue_page_groups_by_type_order_and_flags_urgent_notices(app):
    editor = editor_client(app)
    seed = load_seed()
    # A capital reduction resolved 30+ days ago: its 30-day window ends before the next issue.
    reduction = next(i for i, item in enumerate(seed) if item["type"] == "capital-reduction")
    fields = dict(seed[reduction]["fields"], resolved_on="2026-10-27")
    urgent = submit(app, reduction, fields=fields)
    plain = submit(app, PERSON)
    for reference in (urgent, plain):
        editor.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
    queue = editor.get("/desk/?status=approved").get_data(as_text=True)
    assert queue.index(urgent) < queue.index(plain)
    assert "期限将过" in queue
    for reference in (urgent, plain):
        editor.post(f"/desk/notices/{reference}/schedule", data={
            "version": version(app, reference), "issue_date": ISSUE.isoformat(), "override_reason": "测试"})
    html = editor.get(f"/desk/issues/{ISSUE.isoformat()}").get_data(as_text=True)
    # 遗失声明 comes before 减资公告 in the default type order.
    assert html.index(">遗失声明（1）") < html.index(">减资公告（1）")
    # The column as it will print: placements, fill per column and the page as an image.
    assert "第1页第1栏" in html and "各栏填充" in html and "位置表" in html
    assert 'alt="第 1 页版面预览"' in html and "期限将过" in html
