"""The advertiser by themselves (issue 14 item 5): the status link mailed again for the reference
and the phone number; withdrawing (free before the copy deadline, after it by the paper's rule,
the refund recorded for the desk); changing the date; a date gone by, flagged to both sides; an
editor's new price waiting for the advertiser's consent; agencies doing the same through the API.
Every rule that depends on the time is tried before, on and after the copy deadline (Thursday
26 November 2026 15:00 for the issue of Friday 27 November, tests/support/desk.py ISSUE)."""
from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from store.models import AuditEntry, OutboxMail
from store.settings import load_publisher, save_publisher
from tests.conftest import NOW
from tests.support.apps import auth, make_app
from tests.support.desk import (
    ISSUE,
    NEXT_ISSUE,
    PERSON,
    approve_pay_schedule,
    editor_client,
    fetch,
    secret,
    submit,
    version,
)
from tests.support.smtp import smtp_server
from views.extensions import get_db

BEIJING = ZoneInfo("Asia/Shanghai")
EMAIL = "chen@example.com"
PHONE = "13800138000"             # tests/support/desk.py submit() files every notice with it
BEFORE = datetime(2026, 11, 26, 14, 59, tzinfo=BEIJING)
ON = datetime(2026, 11, 26, 15, 0, tzinfo=BEIJING)
AFTER = datetime(2026, 11, 26, 16, 30, tzinfo=BEIJING)
CAPITAL = 6                        # seed notice: 广东甘全建材有限公司 减资公告, priced per line
NEXT_DAY = datetime(2026, 11, 28, 9, 0, tzinfo=BEIJING)      # ISSUE (27 Nov) has gone by


@pytest.fixture
def app(desk_test_app):
    return desk_test_app


def status_url(app, reference):
    return f"/status/{reference}/{secret(app, reference)}"


def mails(app, event=None):
    with app.app_context():
        with get_db().session() as s:
            rows = s.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
            return [m for m in rows if event is None or m.event == event]


def audit(app, action):
    with app.app_context():
        with get_db().session() as s:
            return [json.loads(e.details_json) for e in
                    s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def set_rule(app, rule, percent=0):
    with app.app_context():
        with get_db().write() as s:
            publisher = load_publisher(s)
            publisher.late_withdrawal, publisher.late_refund_percent = rule, percent
            save_publisher(s, publisher)


def scheduled_and_paid(app, **kwargs):
    reference = submit(app, email=EMAIL, **kwargs)
    editor = editor_client(app, "admin1", role="admin")
    approve_pay_schedule(app, editor, reference)
    return reference, editor


def page(client, app, reference):
    r = client.get(status_url(app, reference))
    assert r.status_code == 200
    return r.get_data(as_text=True)


def text_of(html: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


# ---------------------------------------------------------------------------------------------
# The status link again

def test_the_link_is_mailed_again_for_the_reference_and_the_phone(app, client):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_DEFAULT_SENDER="测试日报 <notice@example.test>",
                      PUBLIC_BASE_URL="https://gonggao.example.test")
    reference = submit(app, email=EMAIL)
    other = submit(app, email="other@example.com")
    assert "用受理编号和联系电话" in client.get("/status").get_data(as_text=True)
    form = client.get("/status/lost").get_data(as_text=True)
    assert "受理编号" in form and "联系电话" in form
    # Typed as people type them: the reference in lower case without dashes, the phone with +86.
    said = client.post("/status/lost", data={"reference": reference.replace("-", "").lower(),
                                             "phone": "+86 138-0013-8000"})
    assert said.status_code == 200
    answer = text_of(said.get_data(as_text=True))
    assert "如果受理编号和联系电话与提交时登记的相符" in answer
    sent = mails(app, "link")
    assert len(sent) == 1 and sent[0].recipient == EMAIL
    assert f"https://gonggao.example.test{status_url(app, reference)}" in sent[0].body
    # A wrong phone, an unknown reference: the same page, no mail. Nothing tells them apart.
    for data in ({"reference": reference, "phone": "13900139000"}, {"reference": "GG-0000-0000", "phone": PHONE},
                 {"reference": other, "phone": "8000"}):
        again = client.post("/status/lost", data=data)
        assert again.status_code == 200 and text_of(again.get_data(as_text=True)) == answer
    assert len(mails(app, "link")) == 1
    # Asked again within the hour: still one mail (an advertiser's mailbox is not flooded).
    client.post("/status/lost", data={"reference": reference, "phone": PHONE})
    assert len(mails(app, "link")) == 1
    app.config["NOW"] = NOW.replace(hour=10)
    client.post("/status/lost", data={"reference": reference, "phone": PHONE})
    assert len(mails(app, "link")) == 2
    # Both fields are needed: said beside the form, in Chinese, with an example.
    empty = client.post("/status/lost", data={"reference": reference, "phone": ""})
    assert empty.status_code == 422 and "例如：GG-7K3M-9QXP" in empty.get_data(as_text=True)


def test_the_mailed_link_arrives_and_opens_the_status_page(app, client):
    with smtp_server() as (inbox, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port),
                          MAIL_DEFAULT_SENDER="测试日报 <notice@example.test>",
                          PUBLIC_BASE_URL="https://gonggao.example.test")
        reference = submit(app, email=EMAIL)
        client.post("/status/lost", data={"reference": reference, "phone": PHONE})
        result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
        assert result.exit_code == 0, result.output
        link = [m for m in inbox.wait_for(2) if "进度页链接" in m.subject]
        assert link and link[0].recipients == [EMAIL]
        url = re.search(r"https://gonggao\.example\.test(/status/\S+)", link[0].body).group(1)
        assert client.get(url).status_code == 200


def test_the_lost_link_form_is_rate_limited(tmp_path, sqlite_template):
    import shutil
    path = tmp_path / "limited.db"
    shutil.copy(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    try:
        client = app.test_client()
        codes = [client.post("/status/lost", data={"reference": "GG-0000-0000", "phone": PHONE}).status_code
                 for _ in range(4)]
        assert codes[:3] == [200, 200, 200] and codes[3] == 429
    finally:
        app.extensions["notice_db"].dispose()


# ---------------------------------------------------------------------------------------------
# Withdrawing

@pytest.mark.parametrize("moment, free", [(BEFORE, True), (ON, False), (AFTER, False)])
def test_withdrawing_is_free_before_the_copy_deadline_and_refused_after_it_by_default(app, client, moment, free):
    reference, _editor = scheduled_and_paid(app)
    paid = fetch(app, reference).paid_cents
    assert paid > 0
    app.config["NOW"] = moment
    html = page(client, app, reference)
    r = client.post(f"{status_url(app, reference)}/withdraw", data={"version": version(app, reference), "confirm": "1"})
    notice = fetch(app, reference)
    if free:
        assert "截稿前撤回不收费" in html
        assert r.status_code == 303 and "done=withdrawn" in r.headers["Location"]
        assert notice.status == "withdrawn" and notice.issue_date is None and notice.refund_due_cents == paid
        assert audit(app, "withdraw")[-1]["refund_cents"] == paid
        assert [m.subject for m in mails(app, "withdrawn")] == [f"【测试日报】您的公告 {reference} 已撤回"]
        after = page(client, app, reference)
        assert "应退还您" in after and "撤回" in after
    else:
        assert "截稿后不能撤回" in html and 'name="confirm"' not in html
        assert r.status_code == 422 and "截稿后不能撤回" in r.get_data(as_text=True)
        assert notice.status == "scheduled" and notice.refund_due_cents == 0


@pytest.mark.parametrize("moment, refund", [(BEFORE, "all"), (ON, "half"), (AFTER, "half")])
def test_after_the_deadline_the_papers_refund_share_applies(app, client, moment, refund):
    set_rule(app, "refund", 50)
    reference, _editor = scheduled_and_paid(app)
    notice = fetch(app, reference)
    app.config["NOW"] = moment
    r = client.post(f"{status_url(app, reference)}/withdraw", data={"version": str(notice.version), "confirm": "1"})
    assert r.status_code == 303
    expected = notice.paid_cents if refund == "all" else notice.price_cents * 50 // 100
    assert fetch(app, reference).refund_due_cents == expected


def test_a_withdrawal_needs_the_box_ticked_and_the_page_the_advertiser_saw(app, client):
    reference = submit(app, email=EMAIL)
    url = f"{status_url(app, reference)}/withdraw"
    r = client.post(url, data={"version": version(app, reference)})
    assert r.status_code == 422 and "请先勾选" in r.get_data(as_text=True)
    stale = version(app, reference)
    editor = editor_client(app)
    editor.post(f"/desk/notices/{reference}/approve", data={"version": stale})
    r = client.post(url, data={"version": stale, "confirm": "1"})
    assert r.status_code == 409 and "有了变化" in r.get_data(as_text=True)
    assert fetch(app, reference).status == "approved"


def test_the_desk_sees_the_refund_owed_and_records_it(app, client):
    reference, editor = scheduled_and_paid(app)
    paid = fetch(app, reference).paid_cents
    client.post(f"{status_url(app, reference)}/withdraw", data={"version": version(app, reference), "confirm": "1"})
    queue = editor.get("/desk/?status=withdrawn").get_data(as_text=True)
    assert reference in queue and "应退" in queue
    desk = editor.get(f"/desk/notices/{reference}").get_data(as_text=True)
    assert "客户撤回，应退" in desk and "登记退款" in desk
    too_much = editor.post(f"/desk/notices/{reference}/refunds",
                           data={"version": version(app, reference), "amount": f"{paid / 100 + 1:.2f}",
                                 "receipt_no": "TK-1"}, follow_redirects=True)
    assert "金额超过应退未退的" in too_much.get_data(as_text=True)
    r = editor.post(f"/desk/notices/{reference}/refunds",
                    data={"version": version(app, reference), "amount": f"{paid / 100:.2f}", "receipt_no": "TK-1"})
    assert r.status_code == 303
    notice = fetch(app, reference)
    assert notice.refunded_cents == paid and notice.refund_outstanding_cents == 0
    assert audit(app, "refund")[-1]["receipt_no"] == "TK-1"
    assert "报社已退" in page(client, app, reference)


# ---------------------------------------------------------------------------------------------
# Another date

@pytest.mark.parametrize("moment, allowed", [(BEFORE, True), (ON, False), (AFTER, False)])
def test_a_scheduled_notice_moves_to_another_open_date_before_the_copy_deadline(app, client, moment, allowed):
    reference, editor = scheduled_and_paid(app)
    app.config["NOW"] = moment
    html = page(client, app, reference)
    r = client.post(f"{status_url(app, reference)}/date",
                    data={"version": version(app, reference), "issue_date": NEXT_ISSUE.isoformat()})
    notice = fetch(app, reference)
    if allowed:
        assert "改到这一天" in html and NEXT_ISSUE.isoformat() in html
        assert r.status_code == 303
        # Moved directly: the desk already accepted its text and payment.
        assert notice.status == "scheduled" and notice.issue_date == NEXT_ISSUE
        assert notice.requested_date == NEXT_ISSUE
        moved = mails(app, "scheduled")[-1]
        assert "原定2026年11月27日（周五），现改期" in moved.body
        entry = audit(app, "change-date")[-1]
        assert entry["previous_date"] == ISSUE.isoformat() and entry["date"] == NEXT_ISSUE.isoformat()
        assert reference in editor.get(f"/desk/issues/{NEXT_ISSUE.isoformat()}").get_data(as_text=True)
    else:
        assert "不能再改日期" in html and "改到这一天" not in html
        assert r.status_code == 422 and "已于2026年11月26日 15:00截稿" in r.get_data(as_text=True)
        assert notice.issue_date == ISSUE


def test_a_waiting_notice_changes_the_date_it_asks_for_and_a_closed_date_is_refused(app, client):
    reference = submit(app, email=EMAIL)
    url = f"{status_url(app, reference)}/date"
    r = client.post(url, data={"version": version(app, reference), "issue_date": NEXT_ISSUE.isoformat()})
    assert r.status_code == 303
    notice = fetch(app, reference)
    assert notice.status == "submitted" and notice.requested_date == NEXT_ISSUE and notice.issue_date is None
    assert "已改为2026年11月28日刊登" in mails(app, "date_changed")[-1].subject
    app.config["NOW"] = AFTER       # 27 Nov is closed now; 28 Nov still open until 27 Nov 15:00
    r = client.post(url, data={"version": version(app, reference), "issue_date": ISSUE.isoformat()})
    assert r.status_code == 422 and "不能选" in r.get_data(as_text=True)
    r = client.post(url, data={"version": version(app, reference), "issue_date": "2026-13-01"})
    assert r.status_code == 422 and "请从列表中选择" in r.get_data(as_text=True)
    assert fetch(app, reference).requested_date == NEXT_ISSUE


# ---------------------------------------------------------------------------------------------
# A date gone by

def test_a_date_gone_by_is_flagged_to_both_sides_with_a_new_date_or_a_free_withdrawal(app, client):
    reference = submit(app, email=EMAIL)
    editor = editor_client(app, "admin1", role="admin")
    editor.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
    owed = fetch(app, reference).owed_cents
    editor.post(f"/desk/notices/{reference}/payments", data={
        "version": version(app, reference), "amount": f"{owed / 100:.2f}", "method": "counter", "receipt_no": "R1"})
    assert "未能按期见报" not in page(client, app, reference)
    app.config["NOW"] = NEXT_DAY
    html = page(client, app, reference)
    assert "未能按期见报" in html and "另选刊登日期" in html and "不收费" in html
    queue = editor.get("/desk/").get_data(as_text=True)
    assert "未能按期见报（11月27日）" in queue
    assert "未能按期见报" in editor.get(f"/desk/notices/{reference}").get_data(as_text=True)
    # Even under the strictest rule the withdrawal is free: the paper did not print it.
    app.config["NOW"] = NEXT_DAY
    r = client.post(f"{status_url(app, reference)}/withdraw", data={"version": version(app, reference), "confirm": "1"})
    assert r.status_code == 303 and fetch(app, reference).refund_due_cents == owed


def test_a_date_gone_by_can_be_moved_to_an_open_date(app, client):
    reference = submit(app, email=EMAIL)
    app.config["NOW"] = NEXT_DAY
    later = "2026-11-30"
    r = client.post(f"{status_url(app, reference)}/date",
                    data={"version": version(app, reference), "issue_date": later})
    assert r.status_code == 303 and fetch(app, reference).requested_date.isoformat() == later
    assert audit(app, "change-date")[-1]["missed"] is True
    assert "未能按期见报" not in page(client, app, reference)


# ---------------------------------------------------------------------------------------------
# An editor's change of price

def _raise_price(app, editor, reference):
    notice = fetch(app, reference)
    longer = notice.revision.text + "联系人：王先生，联系电话：020-87750217，地址：广州市越秀区某某路10号。"
    r = editor.post(f"/desk/notices/{reference}/edit", data={
        "version": str(notice.version), "action": "save", "text": longer, **notice.revision.fields})
    assert r.status_code == 303, r.get_data(as_text=True)
    after = fetch(app, reference)
    assert after.price_cents > notice.price_cents
    return notice, after


def test_an_editors_price_rise_waits_for_the_advertisers_consent(app, client):
    reference, editor = scheduled_and_paid(app, index=CAPITAL)
    before, after = _raise_price(app, editor, reference)
    # Out of its issue until the advertiser agrees; the desk says so and cannot schedule it.
    assert after.status == "approved" and after.issue_date is None and after.awaiting_price_consent
    desk = editor.get(f"/desk/notices/{reference}").get_data(as_text=True)
    assert "等待客户确认新价格" in desk
    assert "等待客户确认新价格" in editor.get("/desk/").get_data(as_text=True)
    r = editor.post(f"/desk/notices/{reference}/schedule",
                    data={"version": version(app, reference), "issue_date": ISSUE.isoformat()})
    assert r.status_code == 422 and "等待客户确认新价格" in r.get_data(as_text=True)
    mail = mails(app, "price_changed")[-1]
    assert "请确认" in mail.subject and f"价格由 ¥{before.price_cents // 100}" in mail.body
    html = page(client, app, reference)
    assert "等待您确认新价格" in html and "同意新价格" in html
    r = client.post(f"{status_url(app, reference)}/accept-price", data={"version": version(app, reference)})
    assert r.status_code == 303
    agreed = fetch(app, reference)
    assert not agreed.awaiting_price_consent and agreed.agreed_price_cents == after.price_cents
    assert audit(app, "accept-price")[-1]["previous_price_cents"] == before.price_cents
    owed = agreed.owed_cents
    editor.post(f"/desk/notices/{reference}/payments", data={
        "version": version(app, reference), "amount": f"{owed / 100:.2f}", "method": "counter", "receipt_no": "R2"})
    r = editor.post(f"/desk/notices/{reference}/schedule",
                    data={"version": version(app, reference), "issue_date": ISSUE.isoformat()})
    assert r.status_code == 303 and fetch(app, reference).status == "scheduled"


def test_a_price_not_agreed_can_be_withdrawn_free_after_the_deadline(app, client):
    reference, editor = scheduled_and_paid(app, index=CAPITAL)
    _raise_price(app, editor, reference)
    app.config["NOW"] = AFTER
    r = client.post(f"{status_url(app, reference)}/withdraw", data={"version": version(app, reference), "confirm": "1"})
    notice = fetch(app, reference)
    assert r.status_code == 303 and notice.status == "withdrawn" and notice.refund_due_cents == notice.paid_cents


def test_a_lower_price_or_the_same_needs_no_consent(app, client):
    reference, editor = scheduled_and_paid(app, index=PERSON)
    notice = fetch(app, reference)
    r = editor.post(f"/desk/notices/{reference}/edit", data={
        "version": str(notice.version), "action": "save",
        "text": notice.revision.text.replace("特此声明", "现声明作废"), **notice.revision.fields})
    assert r.status_code == 303
    after = fetch(app, reference)
    assert after.price_cents <= notice.price_cents and after.status == "scheduled" and not after.awaiting_price_consent


# ---------------------------------------------------------------------------------------------
# The cancellation rule, a setting

def test_the_cancellation_rule_is_set_beside_the_payment_settings(app):
    admin = editor_client(app, "admin1", role="admin")
    form = admin.get("/desk/settings/paperwork").get_data(as_text=True)
    assert "截稿后撤回" in form and "截稿后不能撤回" in form
    data = {"payee_name": "", "payee_bank": "", "payee_account": "", "payment_hours_before": "0",
            "document_retention_days": "90", "late_withdrawal": "refund", "late_refund_percent": "150"}
    r = admin.post("/desk/settings/paperwork", data=data)
    assert r.status_code == 422 and "请填写0到100的整数" in r.get_data(as_text=True)
    r = admin.post("/desk/settings/paperwork", data={**data, "late_refund_percent": "60"})
    assert r.status_code == 303
    with app.app_context():
        with get_db().session() as s:
            publisher = load_publisher(s)
    assert publisher.cancellation_rule.after_deadline == "refund" and publisher.cancellation_rule.refund_percent == 60


# ---------------------------------------------------------------------------------------------
# Agencies

def test_an_agency_withdraws_and_moves_its_own_notices_through_the_api(app, client, api_key):
    with app.app_context():
        from store.accounts import find_api_key
        with get_db().session() as s:
            key_id = find_api_key(s, api_key).id
    reference = submit(app, api_key_id=key_id, email=EMAIL)
    mine = submit(app, email=EMAIL)          # filed by the form: not this agency's
    r = client.post(f"/api/v1/notices/{mine}/withdraw", headers=auth(api_key))
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    r = client.post(f"/api/v1/notices/{reference}/date", headers=auth(api_key), json={"publication_date": "2026-11-2"})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_date"
    r = client.post(f"/api/v1/notices/{reference}/date", headers=auth(api_key),
                    json={"publication_date": NEXT_ISSUE.isoformat()})
    assert r.status_code == 200 and r.get_json()["requested_date"] == NEXT_ISSUE.isoformat()
    got = client.get(f"/api/v1/notices/{reference}", headers=auth(api_key)).get_json()
    r = client.post(f"/api/v1/notices/{reference}/withdraw", headers=auth(api_key),
                    json={"version": got["version"] - 1})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "version_conflict"
    r = client.post(f"/api/v1/notices/{reference}/withdraw", headers=auth(api_key), json={"version": got["version"]})
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "withdrawn" and body["refund_due"]["amount"] == 0
    r = client.post(f"/api/v1/notices/{reference}/withdraw", headers=auth(api_key))
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "not_allowed"
    assert "已经撤回" in r.get_json()["error"]["message"]


@pytest.mark.parametrize("moment, allowed", [(BEFORE, True), (ON, False), (AFTER, False)])
def test_the_api_keeps_the_copy_deadline_too(app, client, api_key, moment, allowed):
    with app.app_context():
        from store.accounts import find_api_key
        with get_db().session() as s:
            key_id = find_api_key(s, api_key).id
    reference = submit(app, api_key_id=key_id)
    editor = editor_client(app, "admin1", role="admin")
    approve_pay_schedule(app, editor, reference)
    app.config["NOW"] = moment
    r = client.post(f"/api/v1/notices/{reference}/date", headers=auth(api_key),
                    json={"publication_date": NEXT_ISSUE.isoformat()})
    assert r.status_code == (200 if allowed else 422)
    assert fetch(app, reference).issue_date == (NEXT_ISSUE if allowed else ISSUE)


# ---------------------------------------------------------------------------------------------
# One order for several dates

def test_one_order_for_several_dates_each_date_a_notice_priced_on_its_own(app, client, api_key):
    from tests.conftest import load_seed
    seed = load_seed()[4]
    body = {"type": seed["type"], "fields": seed["fields"],
            "contact": {"name": "王先生", "phone": PHONE, "email": EMAIL},
            "publication_dates": [NEXT_ISSUE.isoformat(), ISSUE.isoformat()]}
    r = client.post("/api/v1/orders", headers=auth(api_key, "order-20261126-01"), json=body)
    assert r.status_code == 201, r.get_data(as_text=True)
    order = r.get_json()
    assert re.fullmatch(r"GO-[0-9A-Z]{4}-[0-9A-Z]{4}", order["order"])
    first, second = order["notices"]
    assert [first["requested_date"], second["requested_date"]] == [ISSUE.isoformat(), NEXT_ISSUE.isoformat()]
    assert first["reference"] != second["reference"] and first["order"] == second["order"] == order["order"]
    assert order["total"]["amount"] == first["price"]["amount"] + second["price"]["amount"] > 0
    # A retry is the same order; the same key with other dates is refused.
    again = client.post("/api/v1/orders", headers=auth(api_key, "order-20261126-01"), json=body)
    assert again.status_code == 200 and [n["reference"] for n in again.get_json()["notices"]] == \
        [first["reference"], second["reference"]]
    other = client.post("/api/v1/orders", headers=auth(api_key, "order-20261126-01"),
                        json={**body, "publication_dates": [ISSUE.isoformat(), "2026-11-30"]})
    assert other.status_code == 409 and "刊登日期" in other.get_json()["error"]["message"]
    for dates in ([], [ISSUE.isoformat(), ISSUE.isoformat()], ["27/11/2026"]):
        bad = client.post("/api/v1/orders", headers=auth(api_key, "order-20261126-02"),
                          json={**body, "publication_dates": dates})
        assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_dates"
    # Each date its own notice: the status page lists the order with the total; withdrawing
    # one date leaves the other.
    html = page(client, app, first["reference"])
    assert "同一订单的各期" in html and second["reference"] in html
    total = f"¥{order['total']['amount']:,.0f}"
    assert total in text_of(html)
    r = client.post(f"/api/v1/notices/{second['reference']}/withdraw", headers=auth(api_key))
    assert r.status_code == 200
    assert fetch(app, first["reference"]).status == "submitted"
    assert f"¥{first['price']['amount']:,.0f}" in text_of(page(client, app, first["reference"]).split("合计")[1])


def test_an_order_answers_a_missing_or_malformed_idempotency_key_as_a_notice_does(client, api_key):
    """The same codes as POST /api/v1/notices: a client handles both calls with one rule."""
    body = {"type": "lost-document", "fields": {}, "publication_dates": [ISSUE.isoformat()]}
    missing = client.post("/api/v1/orders", headers=auth(api_key), json=body)
    assert missing.status_code == 400 and missing.get_json()["error"]["code"] == "idempotency_key_required"
    short = client.post("/api/v1/orders", headers=auth(api_key, "abc"), json=body)
    assert short.status_code == 400 and short.get_json()["error"]["code"] == "idempotency_key_invalid"
    assert "现为3个字符" in short.get_json()["error"]["message"]
