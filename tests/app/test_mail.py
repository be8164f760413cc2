"""Progress mails to the advertiser (issue 14 item 3): written into the outbox with the change that
causes them, sent by `flask send-mail` to a real SMTP server (aiosmtpd, tests/support/smtp.py)
and read back from it; shown on the status page. Delivery: a sender killed after claiming a mail
loses none, an SMTP server down is tried again later, and a sender killed after the server
accepted the mail sends it again (at least once, as store/outbox.py says)."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from notices.money import format_yuan
from store import outbox
from store.models import OutboxMail, as_utc
from tests.conftest import NOW, ROOT, load_samples
from tests.support.apps import auth
from tests.support.desk import (
    ISSUE,
    NEXT_ISSUE,
    approve_pay_schedule,
    editor_client,
    fetch,
    on_issue_day,
    secret,
    submit,
    version,
)
from tests.support.smtp import free_port, smtp_server

BEIJING = ZoneInfo("Asia/Shanghai")
PUBLIC = "https://gonggao.example.test"
SENDER = "测试日报 <notice@gonggao.example.test>"
EMAIL = "chen@example.com"
SAMPLES = load_samples()


@pytest.fixture
def smtp():
    with smtp_server() as (inbox, port):
        inbox.port = port
        yield inbox


@pytest.fixture
def app(desk_test_app, smtp):
    desk_test_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port), MAIL_DEFAULT_SENDER=SENDER,
                                PUBLIC_BASE_URL=PUBLIC)
    return desk_test_app


def send(app) -> str:
    """`flask send-mail --once`: what is due now (the app's clock), as the sender's loop sends it."""
    result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def rows(app) -> list[OutboxMail]:
    with app.extensions["notice_db"].session() as s:
        return list(s.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def at(app, moment: datetime) -> None:
    app.config["NOW"] = moment


def path_of(url: str) -> str:
    assert url.startswith(PUBLIC + "/"), url
    return url[len(PUBLIC):]


def links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


# ---------------------------------------------------------------------------------------------
# What is sent, when

def test_each_step_mails_the_advertiser_from_received_to_the_proof(app, client, smtp):
    editor = editor_client(app, "admin1", role="admin")
    reference = submit(app, email=EMAIL, name="陈小明")
    waiting = submit(app, email="late@example.com", name="李四")       # asks for the same issue, never decided
    assert send(app).startswith("已发送 2 封")
    received = smtp.wait_for(2)
    mail = smtp.to(EMAIL)[0]
    assert mail.subject == f"【测试日报】已受理您的遗失声明 {reference}"
    assert str(mail.message["From"]) == SENDER and str(mail.message["Auto-Submitted"]) == "auto-generated"
    assert "陈小明，您好" in mail.body and "测试日报已收到您提交的遗失声明" in mail.body
    assert "2026年11月27日（周五），截稿时间2026年11月26日 15:00" in mail.body
    status_link = f"{PUBLIC}/status/{reference}/{secret(app, reference)}"
    assert status_link in links(mail.body)
    assert client.get(path_of(status_link)).status_code == 200
    assert [m.recipients for m in received] == [[EMAIL], ["late@example.com"]]

    approve_pay_schedule(app, editor, reference)
    send(app)
    scheduled = smtp.wait_for(3)[-1]
    assert scheduled.subject == f"【测试日报】您的公告 {reference} 已排期：2026年11月27日见报"
    assert "已安排在2026年11月27日（周五）的测试日报刊登" in scheduled.body

    export = editor.post(f"/desk/issues/{ISSUE.isoformat()}/export")
    assert export.status_code == 200
    on_issue_day(app)
    assert editor.post(f"/desk/issues/{ISSUE.isoformat()}/publish", data={"confirm": "1"}).status_code == 303
    send(app)
    mails = smtp.wait_for(5)
    published = smtp.to(EMAIL)[-1]
    assert published.subject == f"【测试日报】您的公告 {reference} 已见报（2026年11月27日）"
    assert "已于2026年11月27日（周五）在测试日报分类广告第1页第" in published.body
    proof = f"{status_link}/proof.pdf"
    assert proof in links(published.body)
    answer = client.get(path_of(proof))
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert fetch(app, reference).verification_code in published.body
    # The one that asked for this issue and was not in it is told, with the publication.
    missed = smtp.to("late@example.com")[-1]
    assert missed.subject == f"【测试日报】您的公告 {waiting} 未能在2026年11月27日见报"
    assert "报社尚未审核完毕" in missed.body
    assert len(mails) == 5 and all(r.status == "sent" for r in rows(app))

    # Every mail on the status page, word for word, marked sent.
    page = client.get(path_of(status_link)).get_data(as_text=True)
    assert page.count("（已发送）") == 3
    for m in smtp.to(EMAIL):
        assert m.subject in page
    assert "已于2026年11月27日（周五）在测试日报分类广告第1页第" in page


def test_the_forms_email_gets_the_mail_and_the_api_contacts_too(app, client, api_key, smtp):
    from tests.app.test_submit import CONTACT, form_url, hidden, post_data
    name = "lost-document:licence"
    html = client.get(form_url(name)).get_data(as_text=True)
    html = client.post(form_url(name), data=post_data(name, html, action="check", advertiser_email=EMAIL)
                       ).get_data(as_text=True)
    confirm = client.post(form_url(name), data=post_data(
        name, html, action="confirm", preview_token=hidden(html, "preview_token"),
        composed_hash=hidden(html, "composed_hash"), advertiser_email=EMAIL))
    assert confirm.status_code == 303
    api = client.post("/api/v1/notices", headers=auth(api_key, "order-mail-1"), json={
        **SAMPLES["correction"], "publication_date": "2026-11-28",
        "contact": {"name": "王先生", "phone": "13800138000", "email": "agency@example.com"}})
    assert api.status_code == 201, api.get_data(as_text=True)
    # Retried with the same key: the same notice, and no second mail.
    again = client.post("/api/v1/notices", headers=auth(api_key, "order-mail-1"), json={
        **SAMPLES["correction"], "publication_date": "2026-11-28",
        "contact": {"name": "王先生", "phone": "13800138000", "email": "agency@example.com"}})
    assert again.status_code == 200
    send(app)
    form_mail, api_mail = smtp.wait_for(2)
    assert form_mail.recipients == [EMAIL] and f"{CONTACT['advertiser_name']}，您好" in form_mail.body
    assert api_mail.recipients == ["agency@example.com"] and api.json["reference"] in api_mail.subject
    assert "2026年11月28日（周六）" in api_mail.body
    assert len(rows(app)) == 2
    # The receipt's status link is the one in the mail.
    receipt = client.get(confirm.headers["Location"])
    assert receipt.status_code == 200
    status_url = [u for u in links(form_mail.body) if "/status/" in u][0]
    assert client.get(path_of(status_url)).status_code == 200


def test_no_email_no_mail_and_a_refused_change_writes_none(app, client, smtp):
    editor = editor_client(app)
    quiet = submit(app)                                   # no email given
    reference = submit(app, email=EMAIL)
    stale = version(app, reference)
    assert editor.post(f"/desk/notices/{reference}/approve", data={"version": stale}).status_code == 303
    # From the page the editor loaded before the approval: refused (someone changed it), nothing
    # written, so no mail.
    editor.post(f"/desk/notices/{reference}/reject", data={"version": stale, "reason": "重复提交。"})
    assert fetch(app, reference).status == "approved"
    assert [(m.event, m.notice_id is not None) for m in rows(app)] == [("received", True)]
    editor.post(f"/desk/notices/{quiet}/reject", data={"version": version(app, quiet), "reason": "重复提交。"})
    assert len(rows(app)) == 1


def test_a_rejection_says_why_and_offers_the_refund_of_what_was_paid(app, client, smtp):
    editor = editor_client(app)
    reference = submit(app, email=EMAIL)
    owed = fetch(app, reference).owed_cents
    editor.post(f"/desk/notices/{reference}/payments", data={
        "version": version(app, reference), "amount": f"{owed / 100:.2f}", "method": "counter", "receipt_no": "R-1"})
    r = editor.post(f"/desk/notices/{reference}/reject", data={
        "version": version(app, reference), "reason": "遗失的执照已在本报刊登过声明，请勿重复刊登。"})
    assert r.status_code == 303
    send(app)
    rejected = smtp.wait_for(2)[-1]
    assert rejected.subject == f"【测试日报】您的公告 {reference} 未能通过审核"
    assert "遗失的执照已在本报刊登过声明" in rejected.body
    assert f"您已付 {format_yuan(owed)}，请联系报社办理退款" in rejected.body


@pytest.mark.parametrize(("hour", "minute", "says"), [
    (14, 0, "before"), (14, 59, "before"), (15, 0, "on"), (16, 0, "after")])
def test_changes_requested_says_what_the_copy_deadline_means_now(app, client, smtp, hour, minute, says):
    """A 需修改 at 14:00 for the 27th, whose copy is due on the 26th at 15:00: the mail says one hour
    is left; at 15:00 (closed: copy is taken strictly before it) and after, that the issue is
    missed and which is the earliest one to choose instead."""
    editor = editor_client(app)
    reference = submit(app, email=EMAIL)
    at(app, datetime(2026, 11, 26, hour, minute, tzinfo=BEIJING))
    r = editor.post(f"/desk/notices/{reference}/request-changes", data={
        "version": version(app, reference), "reason": "执照编号少了一位，请核对后重新提交。"})
    assert r.status_code == 303, r.get_data(as_text=True)
    send(app)
    mail = smtp.wait_for(2)[-1]
    assert mail.subject == f"【测试日报】您的公告 {reference} 需要修改"
    assert "执照编号少了一位" in mail.body
    revise = f"{PUBLIC}/status/{reference}/{secret(app, reference)}/revise"
    assert revise in links(mail.body)
    assert client.get(path_of(revise)).status_code == 200
    if says == "before":
        left = "1小时" if minute == 0 else "1分钟"
        assert (f"您希望2026年11月27日（周五）刊登：2026年11月27日（周五）一期的截稿时间是2026年11月26日 15:00，"
                f"距现在还有{left}。请在截稿前修改并重新提交") in mail.body
        assert "赶不上" not in mail.body
    else:
        assert ("您希望的2026年11月27日（周五）一期已于2026年11月26日 15:00截稿，这次修改赶不上那一期了。"
                "重新提交时请另选刊登日期，目前最早可选2026年11月28日（周六）（截稿时间2026年11月27日 15:00）。"
                ) in mail.body
        assert "距现在还有" not in mail.body


def test_a_resubmission_and_a_new_date_are_mailed_too(app, client, smtp):
    from tests.app.test_submit import hidden, post_data
    editor = editor_client(app)
    reference = submit(app, email=EMAIL)
    editor.post(f"/desk/notices/{reference}/request-changes", data={
        "version": version(app, reference), "reason": "执照编号少了一位，请核对后重新提交。"})
    base = f"/status/{reference}/{secret(app, reference)}/revise"
    page = client.get(base).get_data(as_text=True)
    data = post_data("lost-document:licence", page, action="check", version=hidden(page, "version"),
                     text="", composed_hash="")
    checked = client.post(base, data=data).get_data(as_text=True)
    data.update(action="confirm", preview_token=hidden(checked, "preview_token"),
                composed_hash=hidden(checked, "composed_hash"))
    assert client.post(base, data=data).status_code == 303
    approve_pay_schedule(app, editor, reference, issue=NEXT_ISSUE)
    r = editor.post(f"/desk/notices/{reference}/schedule", data={
        "version": version(app, reference), "issue_date": "2026-11-29"})
    assert r.status_code == 303
    send(app)
    subjects = [m.subject for m in smtp.wait_for(5)]
    assert subjects == [f"【测试日报】已受理您的遗失声明 {reference}", f"【测试日报】您的公告 {reference} 需要修改",
                        f"【测试日报】已收到您修改后的公告 {reference}",
                        f"【测试日报】您的公告 {reference} 已排期：2026年11月28日见报",
                        f"【测试日报】您的公告 {reference} 已排期：2026年11月29日见报"]
    assert "按编辑意见修改后重新提交的遗失声明（第2版）" in smtp.mails[2].body
    assert "（原定2026年11月28日（周六），现改期）" in smtp.mails[4].body


def test_a_date_gone_by_is_mailed_once(app, client, smtp):
    """No change marks a missed date: the sender's sweep finds it (the day after the date asked
    for, the notice still waiting), once per notice and date however often it runs."""
    editor = editor_client(app)
    approved = submit(app, email=EMAIL)
    editor.post(f"/desk/notices/{approved}/approve", data={"version": version(app, approved)})
    fresh = submit(app, email="next@example.com", issue=NEXT_ISSUE)
    send(app)
    at(app, datetime(2026, 11, 27, 23, 59, tzinfo=BEIJING))       # the 27th is not over yet
    send(app)
    at(app, datetime(2026, 12, 10, 9, 0, tzinfo=BEIJING))         # long gone (MISSED_LOOKBACK): not news
    send(app)
    assert len(smtp.wait_for(2)) == 2
    at(app, datetime(2026, 11, 28, 0, 1, tzinfo=BEIJING))
    send(app)
    send(app)
    mails = smtp.wait_for(3)
    assert len(mails) == 3
    assert mails[-1].subject == f"【测试日报】您的公告 {approved} 未能在2026年11月27日见报"
    assert "公告已审核通过，但没有排入这一期。尚欠 ¥" in mails[-1].body
    assert not [m for m in mails if fresh in m.subject and "未能" in m.subject]


# ---------------------------------------------------------------------------------------------
# Delivery

CHILD = textwrap.dedent("""
    import sys
    from datetime import datetime
    from tests.support.apps import make_app
    url, port, now = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
    app = make_app(url, NOW=now, MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                   MAIL_DEFAULT_SENDER="notice@gonggao.example.test", PUBLIC_BASE_URL="https://gonggao.example.test")
    result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    print(result.output)
""")


def _sender_process(app, port: int) -> subprocess.Popen:
    """`flask send-mail --once` in a process of its own, on the app's database and clock."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", CHILD, app.config["DATABASE_URL"], str(port),
                             app.config["NOW"].isoformat()], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _kill_when_stalled(smtp, child: subprocess.Popen) -> None:
    assert smtp.stalled.wait(60), child.communicate(timeout=5)[0]
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=10)
    smtp.release.set()


@pytest.mark.parametrize("step", ["MAIL", "DATA"])
def test_a_sender_killed_mid_conversation_loses_no_mail(app, smtp, step):
    """Killed after it claimed the mail (the SMTP server stalls: at MAIL FROM, before anything was
    accepted; or after it stored the message, before its 250 reached the sender): the claim holds
    the mail while its lease runs (no second sender takes it), then it goes. Killed at MAIL, it
    arrives once; killed at DATA it arrives twice with one Message-ID: at least once."""
    reference = submit(app, email=EMAIL)
    smtp.stall_at = step
    child = _sender_process(app, smtp.port)
    _kill_when_stalled(smtp, child)
    [row] = rows(app)
    assert row.status == "pending" and row.attempts == 1 and row.locked_until is not None
    smtp.stall_at = ""
    delivered_by_the_killed_one = len(smtp.mails)
    assert delivered_by_the_killed_one == (1 if step == "DATA" else 0)

    send(app)                                            # while the claim's lease runs: left alone
    assert len(smtp.mails) == delivered_by_the_killed_one and rows(app)[0].attempts == 1
    at(app, NOW + outbox.LEASE + timedelta(seconds=1))
    send(app)
    mails = smtp.wait_for(delivered_by_the_killed_one + 1)
    assert len(mails) == delivered_by_the_killed_one + 1
    assert all(reference in m.subject for m in mails)
    assert len({str(m.message["Message-ID"]) for m in mails}) == 1
    [row] = rows(app)
    assert row.status == "sent" and row.attempts == 2
    send(app)
    assert len(smtp.mails) == len(mails)                # sent is sent


def test_smtp_down_is_tried_again_later_with_a_growing_pause(app, client, smtp):
    port = free_port()                                   # nothing listens there yet
    app.config["MAIL_PORT"] = str(port)
    reference = submit(app, email=EMAIL)
    assert "稍后重试 1 封" in send(app)
    [row] = rows(app)
    assert row.status == "pending" and row.attempts == 1 and "连不上邮件服务器" in row.last_error
    assert as_utc(row.next_attempt_at) == NOW + timedelta(minutes=1)
    page = client.get(f"/status/{reference}/{secret(app, reference)}").get_data(as_text=True)
    assert "发送未成功，稍后自动重试" in page
    send(app)                                            # not yet due: not tried
    assert rows(app)[0].attempts == 1
    at(app, NOW + timedelta(seconds=61))
    send(app)
    assert rows(app)[0].attempts == 2                    # down still: the next pause is 2 minutes
    at(app, NOW + timedelta(seconds=61 + 119))
    send(app)
    assert rows(app)[0].attempts == 2
    with smtp_server(port) as (inbox, _):
        at(app, NOW + timedelta(seconds=61 + 121))
        send(app)
        [mail] = inbox.wait_for(1)
    assert reference in mail.subject
    row = rows(app)[0]
    assert row.status == "sent" and row.attempts == 3 and row.last_error == ""
    page = client.get(f"/status/{reference}/{secret(app, reference)}").get_data(as_text=True)
    assert "（已发送）" in page


def test_retries_stop_after_the_last_attempt_and_a_refused_address_at_once(app, client, smtp):
    assert [outbox.retry_delay(n) for n in (1, 2, 3, 7, 8, 9)] == [timedelta(minutes=m) for m in (1, 2, 4, 60, 60, 60)]
    smtp.refuse.add("nobody@example.com")
    refused = submit(app, email="nobody@example.com")
    send(app)
    [row] = rows(app)
    assert row.status == "failed" and row.attempts == 1 and "550" in row.last_error
    page = client.get(f"/status/{refused}/{secret(app, refused)}").get_data(as_text=True)
    assert "（发送失败）" in page and "这封邮件没能送达" in page and "请核对邮箱地址" in page

    app.config["MAIL_PORT"] = str(free_port())
    submit(app, email=EMAIL)
    moment = NOW
    for _ in range(outbox.MAX_ATTEMPTS):
        send(app)
        moment += outbox.RETRY_MAX
        at(app, moment)
    last = rows(app)[-1]
    assert last.status == "failed" and last.attempts == outbox.MAX_ATTEMPTS
    send(app)
    assert rows(app)[-1].attempts == outbox.MAX_ATTEMPTS


def test_send_mail_without_a_server_says_what_to_set(app):
    app.config["MAIL_SERVER"] = ""
    result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert result.exit_code != 0 and "MAIL_SERVER" in result.output and "例如" in result.output
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_USE_TLS="1", MAIL_USE_SSL="1")
    result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert result.exit_code != 0 and "只能设一个" in result.output


def test_the_sender_loop_stops_on_its_signal(app, smtp):
    """The loop `flask send-mail` runs (mailer.run): sends what is due, and a stop (SIGTERM) ends
    it between passes."""
    import threading

    import mailer
    submit(app, email=EMAIL)
    settings = mailer.SmtpSettings.from_config(app.config)
    stop = threading.Event()
    passes = []

    def on_pass(report):
        passes.append(report)
        if report.sent:
            stop.set()
    with app.app_context():
        started = time.monotonic()
        mailer.run(app.extensions["notice_db"], settings, lambda: NOW, stop=stop, poll=0.05, on_pass=on_pass)
    assert time.monotonic() - started < 10 and passes[-1].sent == 1
    assert len(smtp.wait_for(1)) == 1
