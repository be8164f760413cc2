"""需修改, the round trip, in Chromium, on a server of its own: an advertiser files a 减资公告; an
editor asks for changes with a reason; the advertiser reads the reason on the status page (the
step bar shows the notice waiting for them at the review step), follows the revise link, adds
what was asked, sees the new text and the new price, confirms; the notice is back in the queue
as 待审核 in its second version, and the editor approves it. Each step is checked on the page and
in the database the server writes."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.browser.conftest import Advertiser, create_editor, desk_login, flash, press, preview_is_shown

pytestmark = pytest.mark.browser

EDITOR, PASSWORD = "wang.bian", "需修改的公告请写清原因2026"
NAME = "capital-reduction"
ADDRESS = "广州市天河区体育西路191号中石化大厦B塔2801房"
REASON = "减资公告须写明债权人申报债权的联系地址，请补填“联系地址”后重新提交。"


def price_cents(text: str) -> int:
    """“¥350 …” / “¥1,250.50 …” → fen."""
    found = re.search(r"¥\s*([\d,]+(?:\.\d{1,2})?)", text)
    assert found, f"no price in {text!r}"
    return round(float(found.group(1).replace(",", "")) * 100)


def steps(page) -> list[tuple[str, str, str | None]]:
    """The status page's step bar: (label, class, aria-current) of each step."""
    items = page.locator("ol.steps li")
    return [(items.nth(i).inner_text().strip(), items.nth(i).get_attribute("class") or "",
             items.nth(i).get_attribute("aria-current")) for i in range(items.count())]


def assert_step_bar(page, *, done: list[str], current: str, current_class: str = "current") -> None:
    bar = steps(page)
    marked_done = [label for label, cls, _ in bar if "done" in cls.split()]
    marked_current = [(label, cls) for label, cls, aria in bar if "current" in cls.split()]
    assert marked_done == done, bar
    assert len(marked_current) == 1 and marked_current[0][0] == current, bar
    assert set(current_class.split()) <= set(marked_current[0][1].split()), bar
    assert [label for label, _, aria in bar if aria == "step"] == [current], bar


class Database:
    """The live server's SQLite database, read-only: what the pages say must be what was written."""

    def __init__(self, server: dict):
        url = server["env"]["DATABASE_URL"]
        assert url.startswith("sqlite:///"), url
        self.path = Path(url[len("sqlite:///"):])

    def query(self, sql: str, *args):
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as con:
            return con.execute(sql, args).fetchall()

    def notice(self, reference: str) -> dict:
        rows = self.query("SELECT status, current_revision, price_cents, decision_reason, id FROM notices "
                          "WHERE reference = ?", reference)
        assert len(rows) == 1, rows
        status, revision, price, reason, notice_id = rows[0]
        return {"status": status, "revision": revision, "price_cents": price, "reason": reason, "id": notice_id}

    def revisions(self, reference: str) -> list[tuple[int, str, str]]:
        return self.query("SELECT r.number, r.author, r.text FROM notice_revisions r JOIN notices n "
                          "ON n.id = r.notice_id WHERE n.reference = ? ORDER BY r.number", reference)

    def audit(self, reference: str) -> list[tuple[str, str]]:
        return self.query("SELECT a.actor, a.action FROM audit_log a JOIN notices n ON n.id = a.notice_id "
                          "WHERE n.reference = ? ORDER BY a.id", reference)


@pytest.fixture(scope="module")
def editor(fresh_server):
    return create_editor(fresh_server, EDITOR, PASSWORD)


def test_changes_requested_round_trip(new_page, fresh_server, editor, samples, shots):
    url = fresh_server["url"]
    db = Database(fresh_server)
    sample = samples[NAME]
    assert not sample["fields"].get("contact_address"), "the sample must leave the address for the editor to ask"

    # --- 1. the advertiser files a notice ------------------------------------------------------
    customer = new_page()
    advertiser = Advertiser(customer, url, shots)
    advertiser.open_entry(NAME)
    advertiser.fill(sample["fields"])
    assert advertiser.press("检查并预览") == 200
    first_price = price_cents(preview_is_shown(customer))
    advertiser.contact()
    advertiser.shot("advertiser-preview")
    reference = advertiser.confirm()
    secret = customer.locator(".receipt strong.reference").nth(1).inner_text()
    assert re.fullmatch(r"[0-9a-z]{8,}", secret), secret
    advertiser.shot("advertiser-receipt")
    customer.get_by_role("link", name="查看进度").click()
    customer.wait_for_url(f"**/status/{reference}/{secret}")
    status_url = customer.url
    assert customer.locator(".status-line strong").inner_text() == "待审核"
    assert_step_bar(customer, done=[], current="已受理")
    assert customer.get_by_role("link", name="按意见修改并重新提交").count() == 0
    advertiser.shot("advertiser-status-submitted")
    filed = db.notice(reference)
    assert (filed["status"], filed["revision"], filed["price_cents"]) == ("submitted", 1, first_price), filed
    original_text = db.revisions(reference)[0][2]
    assert ADDRESS not in original_text

    # Before the desk asks for changes there is nothing to revise: the revise link leads back.
    customer.goto(f"{status_url}/revise")
    customer.wait_for_url(status_url)

    # --- 2. the editor asks for changes, with a reason -----------------------------------------
    desk = new_page()
    desk_login(desk, url, editor, PASSWORD)
    row = desk.locator("table.queue tbody tr", has=desk.locator("a.reference", has_text=reference))
    assert row.count() == 1 and "待审核" in row.inner_text() and "陈小明" in row.inner_text()
    row.locator("a.reference").click()
    desk.wait_for_url(f"**/desk/notices/{reference}")
    press(desk, "要求客户修改")                      # without a reason: refused, in Chinese
    assert "请写明原因" in desk.locator("#decision .error-message").inner_text()
    assert db.notice(reference)["status"] == "submitted"
    desk.get_by_label("原因（广告客户会看到）").fill(REASON)
    shots(desk, "editor-request-changes")
    press(desk, "要求客户修改")
    assert "已要求客户修改" in flash(desk), flash(desk)
    assert desk.locator("h1 .status").inner_text() == "需修改"
    assert REASON in desk.locator(".banner.warning", has_text="给客户的意见").inner_text()
    shots(desk, "editor-changes-requested")
    asked = db.notice(reference)
    assert (asked["status"], asked["reason"], asked["revision"]) == ("changes_requested", REASON, 1), asked

    # --- 3. the advertiser reads the reason, revises, confirms ------------------------------------
    customer.goto(status_url)
    assert customer.locator(".status-line strong").inner_text() == "需修改"
    opinion = customer.locator(".banner.warning")
    assert "编辑意见" in opinion.inner_text() and REASON in opinion.inner_text()
    # The step bar says where the notice is: received, and waiting for the advertiser at review.
    assert_step_bar(customer, done=["已受理"], current="审核：需您修改", current_class="current action")
    advertiser.shot("advertiser-status-changes-requested")

    customer.get_by_role("link", name="按意见修改并重新提交").click()
    customer.wait_for_url(f"**/status/{reference}/{secret}/revise")
    assert REASON in customer.locator(".banner.warning", has_text="编辑意见").inner_text()
    assert reference in customer.locator("main").inner_text()
    # The form holds what was filed, and the text that was confirmed.
    for name in ("company", "uscc", "capital_before", "capital_after"):
        assert advertiser.form.locator(f'[name="{name}"]').input_value() == sample["fields"][name], name
    assert advertiser.form.locator('[name="text"]').input_value() == original_text
    assert advertiser.form.locator('[name="advertiser_name"]').input_value() == "陈小明"
    assert customer.locator("nav.variants").count() == 0
    advertiser.shot("advertiser-revise-form")

    advertiser.form.locator('[name="contact_address"]').fill(ADDRESS)
    assert advertiser.press("检查并预览") == 200
    assert customer.locator("#error-summary").count() == 0, customer.locator("#error-summary").inner_text()
    revised_text = advertiser.form.locator('[name="text"]').input_value()
    assert ADDRESS in revised_text, f"the text does not follow the corrected field:\n{revised_text}"
    assert ADDRESS in customer.locator("#preview img").get_attribute("alt")
    new_price_line = preview_is_shown(customer)
    new_price = price_cents(new_price_line)
    assert new_price > first_price, (first_price, new_price_line)   # one more line or two: priced again
    confirm = customer.get_by_role("button", name=re.compile("^确认提交"))
    assert price_cents(confirm.inner_text()) == new_price
    advertiser.shot("advertiser-revised-preview")

    # The revise form kept a draft in this browser, as every notice form does.
    assert customer.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('draft:'))"), \
        "no draft was kept: the check below that it is cleared would prove nothing"
    with customer.expect_navigation():
        confirm.click()
    customer.wait_for_url(status_url + "?resubmitted=1")
    assert "修改已重新提交" in customer.get_by_role("status").inner_text()
    assert customer.locator(".status-line strong").inner_text() == "待审核"
    assert_step_bar(customer, done=[], current="已受理")
    assert customer.locator(".banner.warning", has_text="编辑意见").count() == 0
    assert customer.get_by_role("link", name="按意见修改并重新提交").count() == 0
    facts = customer.locator("dl.facts").inner_text()
    assert ADDRESS in facts
    assert price_cents(facts.split("价格", 1)[1]) == new_price
    note = customer.locator(".revision-note").inner_text()
    assert "第 2 版" in note and "您按编辑意见修改" in note, note
    advertiser.shot("advertiser-status-resubmitted")

    resubmitted = db.notice(reference)
    assert (resubmitted["status"], resubmitted["revision"], resubmitted["price_cents"], resubmitted["reason"]) == \
        ("submitted", 2, new_price, ""), resubmitted
    revisions = db.revisions(reference)
    assert [(n, author) for n, author, _ in revisions] == [(1, "advertiser"), (2, "advertiser")]
    assert revisions[0][2] == original_text and ADDRESS in revisions[1][2]    # the first version kept as it was
    assert ("advertiser", "resubmit") in db.audit(reference)

    # Sent once: the revise link now leads back to the status page, nothing more is written.
    customer.goto(f"{status_url}/revise")
    customer.wait_for_url(status_url)
    assert db.notice(reference)["revision"] == 2
    assert customer.get_by_role("status").filter(has_text="修改已重新提交").count() == 0

    # The draft went with the resubmission: a new 减资公告 starts empty, not with the notice just sent
    # announced as “已恢复您上次在本机填写但未提交的内容”.
    customer.wait_for_function("() => !Object.keys(localStorage).some(k => k.startsWith('draft:'))")
    advertiser.open_entry(NAME)
    assert advertiser.form.locator('[name="company"]').input_value() == ""
    assert customer.get_by_role("status").filter(has_text="已恢复").count() == 0

    # --- 4. the editor finds the revised notice in the queue and approves it -----------------------
    desk.goto(url + "/desk/")
    row = desk.locator("table.queue tbody tr", has=desk.locator("a.reference", has_text=reference))
    assert row.count() == 1
    assert "待审核" in row.inner_text() and "第2版" in row.inner_text(), row.inner_text()
    assert price_cents(row.locator("td").nth(4).inner_text()) == new_price, row.inner_text()   # priced again
    shots(desk, "editor-queue-revised")
    row.locator("a.reference").click()
    desk.wait_for_url(f"**/desk/notices/{reference}")
    assert "第 2 版" in desk.locator("main h2").first.inner_text()
    assert ADDRESS in desk.locator(".notice-text").inner_text()
    assert desk.locator(".banner.warning", has_text="给客户的意见").count() == 0
    press(desk, re.compile(r"^审核通过"))
    assert "已审核通过" in flash(desk), flash(desk)
    assert desk.locator("h1 .status").inner_text() == "已通过"
    shots(desk, "editor-approved")
    approved = db.notice(reference)
    assert (approved["status"], approved["revision"]) == ("approved", 2), approved
    assert [action for actor, action in db.audit(reference)][-3:] == ["request-changes", "resubmit", "approve"]

    customer.goto(status_url)
    assert customer.locator(".status-line strong").inner_text() == "已通过"
    assert_step_bar(customer, done=["已受理"], current="已通过")
    assert "尚欠" in customer.locator("dl.facts").inner_text()       # approved: payment is asked for
    advertiser.shot("advertiser-status-approved")
