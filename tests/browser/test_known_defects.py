"""Defects the browser journeys found in the app, one test each; each docstring says what a person
sees, where the cause is and how to reproduce it by hand. A test whose docstring begins
"OPEN:" fails until the app is fixed (the journeys step around these, so that one small defect
does not hide the rest); "FIXED:" ones were repaired while these tests were written and stay as
regression tests."""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from tests.browser.conftest import Advertiser, desk_login, fill_field, flask_cli

pytestmark = pytest.mark.browser

EDITOR, PASSWORD = "li.bian", "分类公告每天下午三点截稿"


@pytest.fixture(scope="module")
def editor(live_server):
    """A plain editor (not an administrator) on the shared server."""
    flask_cli(live_server, "create-editor", EDITOR, "--password-stdin", stdin=PASSWORD + "\n")
    return EDITOR


def open_seed_notice(desk, needle: str) -> None:
    """From the review queue, open the demo notice whose text contains needle."""
    desk.goto(desk.url.split("/desk/")[0] + "/desk/?status=all")
    desk.locator("table.queue tr", has_text=needle).locator("a.reference").click()
    desk.wait_for_url("**/desk/notices/GG-*")


def test_every_page_declares_an_icon_so_the_console_stays_clean(page, live_server):
    """FIXED (templates/base.html links static/favicon.svg): base.html declared no icon and there
    is no /favicon.ico, so on every page Chromium asked for /favicon.ico and logged "Failed to
    load resource: … 404 (NOT FOUND)" in the console (when it asks is up to the browser, so this
    test checks the cause). By hand: open / with the developer console open."""
    page.goto(live_server["url"] + "/")
    declared = page.locator('link[rel~="icon"]').count() > 0
    fallback = page.request.get(live_server["url"] + "/favicon.ico").status
    assert declared or fallback == 200, f"no <link rel=icon>, and /favicon.ico answers {fallback}"


def test_live_check_leaves_unanswered_choices_alone(page, live_server, shots):
    """FIXED (static/js/form.js, answered()): form.js means to show live errors only for inputs the
    advertiser has filled ("Only speak
    about fields the advertiser has already filled"), but for a radio group it tests the first
    radio's value attribute (always set, e.g. "股东会决议"), so "请填写决议方式。" appeared under
    决议方式 while the advertiser was still typing the amounts above it. Cause: static/js/form.js,
    liveCheck(), `if (name !== "text" && input && !input.value) return;`. By hand: open 减资公告,
    type 原注册资本 1000万元 and 减资后注册资本 2000万元, wait one second. The same happens to 遗失的执照,
    公告标题 (清算), 合并方式 and 分立方式."""
    advertiser = Advertiser(page, live_server["url"], shots)
    advertiser.open_entry("capital-reduction")
    advertiser.form.locator('[name="capital_before"]').fill("1000万元")
    advertiser.form.locator('[name="capital_after"]').fill("2000万元")
    # The live check's rightful message about the amounts: the same pass writes every live error.
    page.locator('.field[data-field="capital_after"] .live-error', has_text="应低于原注册资本").wait_for()
    advertiser.shot("while-typing-the-amounts")
    unanswered = page.locator('.field[data-field="decision"] .live-error')
    assert unanswered.count() == 0, f"shown before the advertiser got there: {unanswered.all_inner_texts()}"


def test_a_late_answer_to_an_older_live_check_does_not_undo_a_newer_one(page, live_server, shots):
    """FIXED (static/js/form.js, liveCheck() answers only its latest request): each pause in the
    typing sends the form for a live check, and each answer rewrote every live message. Where an
    older check's answer came back after a newer one's (two gunicorn workers, a busy server), it
    put the messages of what the advertiser had typed before back on the page: the message under
    减资后注册资本 went away though the amounts still did not add up - and with the preview on, an
    older preview and its price came back. Found by CI, where the test above waited in vain for
    that message once. By hand: a slow connection, type 原注册资本, pause, type 减资后注册资本."""
    live = live_server["url"] + "/submit/capital-reduction/live"
    held: list = []

    def hold_the_first(route):
        if not held:
            held.append((route, route.fetch()))      # answered by the server now, delivered later
        else:
            route.continue_()

    page.route(live, hold_the_first)
    advertiser = Advertiser(page, live_server["url"], shots)
    advertiser.open_entry("capital-reduction")
    advertiser.form.locator('[name="capital_before"]').fill("1000万元")
    deadline = 50
    while not held and deadline:
        page.wait_for_timeout(100)
        deadline -= 1
    assert held, "the first live check was not sent"
    advertiser.form.locator('[name="capital_after"]').fill("2000万元")
    message = page.locator('.field[data-field="capital_after"] .live-error', has_text="应低于原注册资本")
    message.wait_for()
    route, answer = held[0]
    with page.expect_response(live):
        route.fulfill(response=answer)               # the older check's answer, last
    page.wait_for_timeout(300)
    advertiser.shot("after-the-late-answer")
    assert message.count() == 1


def test_a_message_under_a_code_is_shown_once(page, live_server, shots, samples):
    """FIXED (static/js/form.js skips inputs the server judged): after 检查并预览 with a wrong credit
    code, the same message was printed twice under the input:
    once by the server (统一社会信用代码：第18位校验码应为 G…) and once more by form.js, which
    re-checks every filled identifier on page load and writes its own message in the field's
    .live paragraph. Cause: static/js/form.js (the checkIdentifier loop at the end) together with
    templates/_form.html (error-message and .live both shown). By hand: 遗失营业执照, credit code
    91440106MA5CL12T4F, press 检查并预览."""
    sample = samples["lost-document:licence"]
    advertiser = Advertiser(page, live_server["url"], shots)
    advertiser.open_entry("lost-document:licence")
    advertiser.fill({**sample["fields"], "uscc": sample["fields"]["uscc"][:-1] + "F"})
    advertiser.press("检查并预览")
    page.wait_for_load_state("networkidle")       # the identifier checks form.js makes on load are back
    box = page.locator('.field[data-field="uscc"]')
    advertiser.shot("message-under-the-code")
    assert box.inner_text().count("第18位校验码应为 G") == 1, box.inner_text()


def test_rejected_notice_does_not_ask_the_customer_to_pay(new_page, live_server, editor, shots):
    """FIXED (templates/submit/status.html): the status page of a notice the desk rejected
    (未通过) said “已付 ¥0，尚欠 ¥300（付款后方可排期见报，请联系报社：…）” — it asked the customer to
    pay for a notice that will not be printed. By hand: file a notice, reject it at the desk,
    open the customer's status link."""
    url = live_server["url"]
    desk = new_page()
    desk_login(desk, url, editor, PASSWORD)
    open_seed_notice(desk, "广州斐泽展览策划有限公司")
    status_url = desk.get_by_role("link", name="打开").get_attribute("href")      # the customer's link
    desk.get_by_label("原因（广告客户会看到）").fill("分立决议日期与工商登记资料不符，请核对后重新提交。")
    with desk.expect_navigation():
        desk.get_by_role("button", name="不予刊登").click()
    customer = new_page()
    customer.goto(status_url)
    assert customer.locator(".status-line strong").inner_text() == "未通过"
    shots(customer, "rejected-status")
    assert "尚欠" not in customer.locator("main").inner_text()


def test_error_pages_for_editors_are_in_chinese(new_page, live_server, editor, shots):
    """FIXED (views/errors.py: Chinese 403/405/500 pages, GET on a form address goes back to the
    notice): an editor who reloaded the page after a refused decision got Werkzeug's English
    “405 Method Not Allowed” (<html lang=en>): pressing 不予刊登 without a reason re-shows the
    notice at the URL /desk/notices/<ref>/reject, and reloading it there (Enter in the address
    bar, or a bookmark) sends GET. Cause: views/extensions.py registers Chinese pages for 400
    (CSRF), 404, 413, 429 and the desk for 403 — not for 405, nor for 500 (an exception in any
    view shows English “Internal Server Error”); all of them are views/errors.py's now. The 403
    page (a plain editor opening /desk/settings) is checked here too: it is Chinese now and must
    stay so."""
    url = live_server["url"]
    desk = new_page()
    desk_login(desk, url, editor, PASSWORD)
    english = []

    answer = desk.goto(url + "/desk/settings")
    shots(desk, "403")
    if answer.status != 403 or desk.locator("html").get_attribute("lang") != "zh-CN":
        english.append(f"403 /desk/settings: {desk.locator('body').inner_text()[:80]!r}")

    open_seed_notice(desk, "范海英")
    reference = desk.url.rsplit("/", 1)[1]
    with desk.expect_navigation():
        desk.get_by_role("button", name="不予刊登").click()
    assert desk.url.endswith(f"/desk/notices/{reference}/reject")
    assert "请写明原因" in desk.locator("main").inner_text()
    answer = desk.goto(desk.url)                 # the editor presses Enter in the address bar
    shots(desk, "405")
    if desk.locator("html").get_attribute("lang") != "zh-CN":
        english.append(f"{answer.status} GET {desk.url}: {desk.locator('body').inner_text()[:80]!r}")
    assert not english, "pages in English:\n" + "\n".join(english)


def test_api_answers_a_wrong_method_in_json(live_server):
    """FIXED (views/errors.py, the 405 handler answers JSON under /api/): the API promises JSON
    errors with a Chinese message, but GET /api/v1/notices (an agency's
    script listing its notices) answers Werkzeug's English HTML “405 Method Not Allowed”.
    Cause: views/api.py handles 404 but not 405. By hand: curl http://…/api/v1/notices"""
    request = urllib.request.Request(live_server["url"] + "/api/v1/notices", headers={"Accept": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    error = caught.value
    with error:
        body = error.read().decode()
    assert error.code == 405
    assert error.headers.get_content_type() == "application/json", body[:120]
    assert re.search(r"[\u4e00-\u9fff]", json.loads(body)["error"]["message"])


def test_lost_document_form_gives_no_advice_about_licences(page, live_server):
    """OPEN: a person who lost a receipt or an ID card (遗失证件或文件) is told “营业执照遗失，法定途径是在
    国家企业信用信息公示系统公示…；印章遗失一般还需向公安机关报备”, twice (under the fields and again
    in 核对结果) — advice about business licences and seals that does not concern them. The same
    note shows on the desk for such notices. Cause: notices/catalogue.py LOST_DOCUMENT.notes is
    shown for every variant. By hand: open 遗失证件或文件."""
    advertiser = Advertiser(page, live_server["url"])
    advertiser.open_entry("lost-document:document")
    fill_field(advertiser.form, "holder", "陈小明")
    assert "营业执照遗失" not in page.locator("main").inner_text()
