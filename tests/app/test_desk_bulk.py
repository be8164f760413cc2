"""The review queue's bulk actions (views/desk/queue.py, store/bulk.py): approve, record one
payment for several notices, schedule, each one POST; a row changed since the page was loaded is
refused alone; the answer says per notice what was done or why not. SQLite and PostgreSQL."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from store.models import APPROVED, CHANGES_REQUESTED, SCHEDULED, AuditEntry, Payment
from tests.support.desk import (
    ISSUE,
    NEXT_ISSUE,
    PASSWORD,
    PERSON,
    create_editor,
    csrf_token_from,
    desk_app,
    editor_client,
    fetch,
    submit,
    version,
)
from views.extensions import get_db


@pytest.fixture
def app(desk_test_app):
    return desk_test_app


def _rows(client, **args) -> dict[str, str]:
    """reference → the value of its row's checkbox ("REFERENCE:VERSION"), as the queue shows it."""
    html = client.get("/desk/", query_string=args).get_data(as_text=True)
    return {v.split(":")[0]: v for v in re.findall(r'name="notice" value="([^"]+)"', html)}


def _results(html: str) -> dict[str, tuple[str, str]]:
    """The result table: reference → (已办理 | 未办理, message)."""
    section = html.split('id="bulk-results"', 1)[1].split("</section>", 1)[0]
    out = {}
    for ref, state, message in re.findall(
            r'<td class="reference">([^<]+)</td><td><span class="tag \w+">(\S+?)</span></td><td>([^<]*)</td>', section):
        out[ref] = (state, message)
    return out


def _audit(app, action):
    with app.app_context(), get_db().session() as s:
        return [e for e in s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def _approve(client, app, reference):
    r = client.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
    assert r.status_code == 303


def test_bulk_approve_refuses_only_the_row_changed_meanwhile(app):
    client = editor_client(app)
    other = editor_client(app, "editor2")
    a, b, c = submit(app), submit(app, PERSON), submit(app)
    rows = _rows(client)
    # Another editor asks for changes to b after this page was loaded.
    r = other.post(f"/desk/notices/{b}/request-changes",
                   data={"version": version(app, b), "reason": "请核对执照编号。"})
    assert r.status_code == 303

    r = client.post("/desk/queue/bulk", data={"action": "approve", "notice": [rows[a], rows[b], rows[c]]})
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    results = _results(html)
    assert results[a] == ("已办理", "已审核通过。") and results[c][0] == "已办理"
    assert results[b][0] == "未办理" and "已被其他编辑修改" in results[b][1]
    assert "批准所选：已办理 2 则，未办理 1 则" in html
    assert fetch(app, a).status == APPROVED and fetch(app, c).status == APPROVED
    assert fetch(app, b).status == CHANGES_REQUESTED          # the other editor's decision stands
    assert sorted(e.notice_id for e in _audit(app, "approve")) == sorted([fetch(app, a).id, fetch(app, c).id])
    # The page is the queue again, with fresh versions in its checkboxes.
    assert re.search(rf'value="{a}:{fetch(app, a).version}"', html)
    again = client.post("/desk/queue/bulk", data={"action": "approve", "notice": [_rows(client)[a]]})
    assert _results(again.get_data(as_text=True))[a] == ("未办理", "已是“已通过”，无需再批准。")


def test_one_transfer_pays_several_notices_each_its_amount(app):
    client = editor_client(app)
    a, b, paid = submit(app), submit(app, PERSON), submit(app)
    for ref in (a, b, paid):
        _approve(client, app, ref)
    owed_paid = fetch(app, paid).owed_cents
    client.post(f"/desk/notices/{paid}/payments", data={"version": version(app, paid), "method": "counter",
                                                        "amount": f"{owed_paid / 100:.2f}", "receipt_no": "R-1"})
    owed = {ref: fetch(app, ref).owed_cents for ref in (a, b)}
    assert all(owed.values())
    rows = _rows(client)
    r = client.post("/desk/queue/bulk", data={"action": "pay", "notice": [rows[a], rows[b], rows[paid]],
                                              "pay_method": "bank", "pay_receipt": "  JS20261126-0042 "})
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    results = _results(html)
    for ref in (a, b):
        assert results[ref][0] == "已办理" and "银行转账" in results[ref][1] and "JS20261126-0042" in results[ref][1]
        assert fetch(app, ref).owed_cents == 0
    assert results[paid][0] == "未办理" and "已付清" in results[paid][1]
    with app.app_context(), get_db().session() as s:
        payments = s.scalars(select(Payment).where(Payment.receipt_no == "JS20261126-0042")).all()
    assert sorted(p.amount_cents for p in payments) == sorted(owed.values())
    assert {p.method for p in payments} == {"bank"}
    audited = [e for e in _audit(app, "payment") if "JS20261126-0042" in e.details_json]
    assert len(audited) == 2

    # Posted again (a reload, a double click): the versions have moved on, nothing is paid twice.
    r = client.post("/desk/queue/bulk", data={"action": "pay", "notice": [rows[a], rows[b]],
                                              "pay_method": "bank", "pay_receipt": "JS20261126-0042"})
    assert all(state == "未办理" for state, _ in _results(r.get_data(as_text=True)).values())
    with app.app_context(), get_db().session() as s:
        assert len(s.scalars(select(Payment).where(Payment.receipt_no == "JS20261126-0042")).all()) == 2


def test_a_transfer_total_that_does_not_add_up_records_nothing(app):
    client = editor_client(app)
    a, b = submit(app), submit(app, PERSON)
    for ref in (a, b):
        _approve(client, app, ref)
    rows = _rows(client)
    owed = fetch(app, a).owed_cents + fetch(app, b).owed_cents
    r = client.post("/desk/queue/bulk", data={"action": "pay", "notice": [rows[a], rows[b]], "pay_method": "bank",
                                              "pay_receipt": "JS-1", "pay_total": f"{(owed - 100) / 100:.2f}"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "没有登记任何一笔" in html and 'aria-invalid="true"' in html
    assert fetch(app, a).paid_cents == 0 and fetch(app, b).paid_cents == 0
    r = client.post("/desk/queue/bulk", data={"action": "pay", "notice": [rows[a], rows[b]], "pay_method": "bank",
                                              "pay_receipt": "JS-1", "pay_total": f"{owed / 100:.2f}"})
    assert r.status_code == 200
    assert fetch(app, a).owed_cents == 0 and fetch(app, b).owed_cents == 0


def test_payment_needs_a_receipt_number(app):
    client = editor_client(app)
    a = submit(app)
    _approve(client, app, a)
    r = client.post("/desk/queue/bulk", data={"action": "pay", "notice": [_rows(client)[a]], "pay_method": "bank"})
    assert r.status_code == 422
    assert "请填写这笔款的收据号或流水号" in r.get_data(as_text=True)
    assert fetch(app, a).paid_cents == 0


def test_bulk_schedule_keeps_the_rules_of_scheduling(app):
    client = editor_client(app)
    paid, unpaid, waiting = submit(app), submit(app, PERSON), submit(app)
    for ref in (paid, unpaid):
        _approve(client, app, ref)
    owed = fetch(app, paid).owed_cents
    client.post(f"/desk/notices/{paid}/payments", data={"version": version(app, paid), "amount": f"{owed / 100:.2f}",
                                                        "method": "counter", "receipt_no": "R-9"})
    rows = _rows(client)
    r = client.post("/desk/queue/bulk", data={"action": "schedule", "notice": [rows[paid], rows[unpaid], rows[waiting]],
                                              "schedule_date": NEXT_ISSUE.isoformat()})
    html = r.get_data(as_text=True)
    results = _results(html)
    assert results[paid] == ("已办理", "已排入 2026年11月28日 刊登。")
    assert results[unpaid][0] == "未办理" and "尚欠" in results[unpaid][1]
    assert results[waiting][0] == "未办理" and "待审核" in results[waiting][1]
    assert fetch(app, paid).status == SCHEDULED and fetch(app, paid).issue_date == NEXT_ISSUE
    assert fetch(app, unpaid).status == APPROVED

    rows = _rows(client)
    r = client.post("/desk/queue/bulk", data={"action": "schedule", "notice": [rows[unpaid]],
                                              "schedule_date": ISSUE.isoformat(),
                                              "schedule_reason": "法院指定公告，费用月结"})
    assert _results(r.get_data(as_text=True))[unpaid][0] == "已办理"
    notice = fetch(app, unpaid)
    assert notice.status == SCHEDULED and notice.schedule_override == "法院指定公告，费用月结"
    assert [e.notice_id for e in _audit(app, "schedule-override")] == [notice.id]


@pytest.mark.parametrize("day, message", [(date(2026, 11, 25), "已经过去"), ("", "请选择刊登日期")])
def test_a_day_that_cannot_be_scheduled_touches_no_notice(app, day, message):
    client = editor_client(app)
    a = submit(app)
    _approve(client, app, a)
    owed = fetch(app, a).owed_cents
    client.post(f"/desk/notices/{a}/payments", data={"version": version(app, a), "amount": f"{owed / 100:.2f}",
                                                     "method": "counter", "receipt_no": "R-2"})
    r = client.post("/desk/queue/bulk", data={"action": "schedule", "notice": [_rows(client)[a]],
                                              "schedule_date": str(day)})
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    assert fetch(app, a).status == APPROVED


def test_nothing_ticked_or_no_button_or_a_garbled_row(app):
    client = editor_client(app)
    a = submit(app)
    r = client.post("/desk/queue/bulk", data={"action": "approve"})
    assert r.status_code == 422 and "没有勾选公告" in r.get_data(as_text=True)
    r = client.post("/desk/queue/bulk", data={"notice": [_rows(client)[a]]})       # Enter in a field: no action
    assert r.status_code == 422 and "请按" in r.get_data(as_text=True)
    r = client.post("/desk/queue/bulk",
                    data={"action": "approve", "notice": ["<script>:1", f"{a}:x", _rows(client)[a]]})
    results = _results(r.get_data(as_text=True))
    assert results[a][0] == "已办理"
    assert sum(1 for state, msg in results.values() if state == "未办理" and "无法识别" in msg) == 2
    assert "<script>" not in r.get_data(as_text=True).split('id="bulk-results"')[1]
    assert client.get("/desk/queue/bulk?status=all").status_code == 303


def test_the_queue_without_javascript_has_a_checkbox_per_row_and_the_select_all_hidden(app):
    client = editor_client(app)
    a, b = submit(app), submit(app, PERSON)
    html = client.get("/desk/").get_data(as_text=True)
    assert f'value="{a}:{fetch(app, a).version}"' in html and f'value="{b}:{fetch(app, b).version}"' in html
    assert re.search(r'<input type="checkbox" id="select-all" data-select-all hidden', html)
    assert 'js/desk-queue.js' in html
    # The first button of the form (what Enter in a text input presses) does nothing.
    form = html.split('id="bulk"', 1)[1]
    assert re.search(r'<button[^>]*name="action"[^>]*>', form).group(0).count('value=""') == 1


def test_bulk_post_needs_its_csrf_token(database_url):
    app = desk_app(database_url, WTF_CSRF_ENABLED=True)
    try:
        create_editor(app, "editor1")
        client = app.test_client()
        token = csrf_token_from(client.get("/desk/login").get_data(as_text=True))
        assert client.post("/desk/login", data={"username": "editor1", "password": PASSWORD,
                                                "csrf_token": token}).status_code == 303
        a = submit(app)
        page = client.get("/desk/").get_data(as_text=True)
        row = re.search(r'name="notice" value="([^"]+)"', page).group(1)
        r = client.post("/desk/queue/bulk", data={"action": "approve", "notice": [row]})
        assert r.status_code == 400
        assert fetch(app, a).status != APPROVED
        r = client.post("/desk/queue/bulk", data={"action": "approve", "notice": [row],
                                                  "csrf_token": csrf_token_from(page.split('id="bulk"', 1)[1])})
        assert r.status_code == 200, r.get_data(as_text=True)
        assert fetch(app, a).status == APPROVED
    finally:
        app.extensions["notice_db"].dispose()


def test_filters_are_kept_after_a_bulk_action(app):
    client = editor_client(app)
    a = submit(app)
    rows = _rows(client, type="lost-document")
    html = client.get("/desk/", query_string={"type": "lost-document"}).get_data(as_text=True)
    assert re.search(r'action="/desk/queue/bulk\?[^"]*type=lost-document', html)
    r = client.post("/desk/queue/bulk?status=open&type=lost-document", data={"action": "approve", "notice": [rows[a]]})
    assert 'value="lost-document" selected' in r.get_data(as_text=True)
