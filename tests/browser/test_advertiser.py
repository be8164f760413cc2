"""The advertiser's journeys in Chromium: every notice type filed through the web form the way a
new user does it — one realistic mistake, the message next to the field, the correction, the
preview and price, the receipt and the status page. Then the JavaScript helpers (live identifier
check, the draft kept in the browser), the same form with JavaScript off, and on a phone."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import CONTACT, Advertiser, fill_field, preview_is_shown

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"GG-[0-9A-Z]{4}-[0-9A-Z]{4}")
HAN = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{4,}\b")


def wrong_check_character(code: str) -> str:
    """The same code with its 18th character (the check character) mistyped."""
    return code[:-1] + ("0" if code[-1] != "0" else "1")


# (field, what the advertiser wrongly types, words of the message expected next to that field)
MISTAKES = {
    "lost-document:licence": ("uscc", wrong_check_character, "第18位校验码应为 G"),
    "lost-document:seal": ("seal_kind", lambda v: "", "请填写印章名称"),
    "lost-document:document": ("holder", lambda v: "", "请填写单位名称或姓名"),
    "revocation": ("uscc", wrong_check_character, "第18位校验码应为 7"),
    "liquidation": ("cause", lambda v: "", "请填写解散原因"),
    # A "reduction" that increases the capital.
    "capital-reduction": ("capital_after", lambda v: "2000万元", "应低于原注册资本"),
    "merger": ("party2_uscc", wrong_check_character, "第18位校验码应为 G"),
    "division": ("result2_name", lambda v: "", "请填写分立后公司二"),
    # The year mistyped: the notice to be corrected "appeared" after this one.
    "correction": ("original_date", lambda v: (date.today() + timedelta(days=60)).isoformat(), "应早于本次刊登日期"),
}


def assert_chinese_message(message: str) -> None:
    assert HAN.search(message) and not ENGLISH_WORD.search(message.replace("SHA", "")), message


def no_horizontal_scroll(page) -> None:
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], f"page wider than the screen on {page.url}: scrollWidth {sizes[0]} > {sizes[1]}"


def journey_with_mistake(page, base_url, shots, samples, name, *, tap=False, each_step=lambda page: None) -> str:
    """Open /, choose the type, fill it with one mistake, check, see the message, correct,
    check again, preview, confirm, follow the status link. Returns the reference.
    On a phone (tap=True) the buttons are tapped; each_step(page) runs at every screenshot."""
    sample = samples[name]
    field, mistype, expected = MISTAKES[name]

    class Steps(Advertiser):
        def shot(self, step):
            super().shot(step)
            each_step(self.page)

        def press(self, label):
            if not tap:
                return super().press(label)
            button = self.page.get_by_role("button", name=label)
            with self.page.expect_navigation() as nav:
                button.tap()
            return nav.value.status

    advertiser = Steps(page, base_url, shots)
    advertiser.open_entry(name)
    advertiser.shot("form")

    good = sample["fields"].get(field, "")
    advertiser.fill({**sample["fields"], field: mistype(good)})
    advertiser.shot("filled-with-a-mistake")
    assert advertiser.press("检查并预览") == 200
    errors = advertiser.field_errors(field)
    assert any(expected in e for e in errors), f"{name}: expected “{expected}” under {field}, got {errors}"
    for message in errors:
        assert_chinese_message(message)
    summary = page.locator("#error-summary")
    assert summary.is_visible() and "需要改正" in summary.inner_text()
    assert page.get_by_role("button", name=re.compile("^确认提交")).count() == 0
    # The summary's link leads to the field's input itself (its id; a choice's first option).
    target = advertiser.form.locator(f'[name="{field}"]').first.get_attribute("id")
    assert summary.locator(f'a[href="#{target}"]').count() >= 1, summary.inner_html()
    advertiser.shot("error-next-to-the-field")

    fill_field(advertiser.form, field, good)
    assert advertiser.press("检查并预览") == 200
    assert page.locator("#error-summary").count() == 0, page.locator("#error-summary").inner_text()
    price = preview_is_shown(page)
    assert price.split()[0].strip() in page.get_by_role("button", name=re.compile("^确认提交")).inner_text()
    advertiser.contact()
    advertiser.shot("preview-and-price")

    if tap:
        page.get_by_role("button", name=re.compile("^确认提交")).tap()
        page.wait_for_url("**/receipt/**")
        reference = page.locator(".receipt strong.reference").first.inner_text()
    else:
        reference = advertiser.confirm()
    assert REFERENCE.fullmatch(reference)
    receipt = page.locator(".receipt")
    assert "公告已受理" in receipt.inner_text() and "待审核" in receipt.inner_text()
    advertiser.shot("receipt")

    link = page.get_by_role("link", name="查看进度")
    link.tap() if tap else link.click()
    page.wait_for_url(f"**/status/{reference}/**")
    assert page.locator(".status-line strong").inner_text() == "待审核"
    assert reference in page.locator("h1").inner_text()
    advertiser.shot("status")
    return reference


@pytest.mark.parametrize("name", list(MISTAKES))
def test_file_each_notice_type_with_a_mistake_corrected(page, live_server, shots, samples, name):
    journey_with_mistake(page, live_server["url"], shots, samples, name)


# ---------------------------------------------------------------------------------------------
# JavaScript: live checks and the draft

def test_live_check_speaks_under_the_credit_code_before_submitting(page, live_server, shots, samples):
    advertiser = Advertiser(page, live_server["url"], shots)
    advertiser.open_entry("lost-document:licence")
    good = samples["lost-document:licence"]["fields"]["uscc"]
    box = page.locator('.field[data-field="uscc"]')
    with page.expect_response("**/api/v1/identifiers/check") as checked:
        box.locator("input").press_sequentially(wrong_check_character(good), delay=5)
    assert checked.value.ok
    live = box.locator(".live")
    live.filter(has_text="第18位校验码应为 G").wait_for()
    assert "error" in live.get_attribute("class")
    assert page.url.endswith("/submit/lost-document?variant=licence"), "nothing was submitted"
    advertiser.shot("live-message-under-the-code")

    box.locator("input").fill(good)
    live.filter(has_not_text="校验码应为").filter(has_text=re.compile(".")).wait_for()
    assert "error" not in live.get_attribute("class"), live.inner_text()
    advertiser.shot("live-message-when-corrected")


def test_draft_is_restored_after_a_reload_and_cleared_after_confirming(page, live_server, shots, samples):
    sample = samples["capital-reduction"]
    advertiser = Advertiser(page, live_server["url"], shots)
    advertiser.open_entry("capital-reduction")
    advertiser.fill(sample["fields"])
    advertiser.form.locator('[name="advertiser_name"]').fill(CONTACT["advertiser_name"])
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('draft:capital-reduction'))")
    advertiser.shot("typed")

    page.reload()
    banner = page.get_by_role("status").filter(has_text="已恢复")
    banner.wait_for()
    for name in ("company", "uscc", "capital_before", "capital_after", "resolved_on"):
        assert advertiser.form.locator(f'[name="{name}"]').input_value() == sample["fields"][name], name
    assert advertiser.form.locator('input[name="decision"][value="股东会决议"]').is_checked()
    assert advertiser.form.locator('[name="advertiser_name"]').input_value() == CONTACT["advertiser_name"]
    advertiser.shot("restored-after-reload")

    assert advertiser.press("检查并预览") == 200
    preview_is_shown(page)
    advertiser.contact()
    advertiser.confirm()
    # The receipt forgets the draft: a new form starts empty, without the banner.
    page.wait_for_function("() => !Object.keys(localStorage).some(k => k.startsWith('draft:'))")
    advertiser.open_entry("capital-reduction")
    assert advertiser.form.locator('[name="company"]').input_value() == ""
    assert page.get_by_role("status").filter(has_text="已恢复").count() == 0
    advertiser.shot("new-form-after-confirming")


def test_an_id_number_is_not_kept_in_the_browser_draft(page, live_server, shots, samples):
    """The draft lives in localStorage, and the computer may be shared: everything typed is kept
    but the ID number."""
    sample = samples["lost-document:document"]
    advertiser = Advertiser(page, live_server["url"], shots)
    advertiser.open_entry("lost-document:document")
    advertiser.fill({**sample["fields"], "id_card": "11010519491231002X"})
    advertiser.form.locator('[name="advertiser_name"]').fill(CONTACT["advertiser_name"])
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('draft:lost-document')) && "
                           "Object.values(localStorage).some(v => v.includes('" + CONTACT["advertiser_name"] + "'))")
    drafts = page.evaluate("() => Object.values(localStorage).join('\\n')")
    assert sample["fields"]["holder"] in drafts and "11010519491231002X" not in drafts
    page.reload()
    page.get_by_role("status").filter(has_text="已恢复").wait_for()
    assert advertiser.form.locator('[name="id_card"]').input_value() == ""


def test_back_from_the_receipt_is_a_fresh_form_not_a_resubmission(page, live_server, shots, samples):
    """The preview is the answer to a POST; going back to it from the receipt would ask the
    browser to send the form again ("Confirm Form Resubmission"). The page makes its history
    entry a plain address, so back (or a reload) gives the form, empty after confirming."""
    sample = samples["lost-document:document"]
    advertiser = Advertiser(page, live_server["url"], shots)
    advertiser.open_entry("lost-document:document")
    advertiser.fill(sample["fields"])
    assert advertiser.press("检查并预览") == 200
    preview_is_shown(page)
    advertiser.contact()
    reference = advertiser.confirm()
    page.go_back()
    page.wait_for_load_state()
    assert "/submit/" in page.url
    advertiser.form.wait_for()
    assert advertiser.form.locator('[name="document_name"]').input_value() == ""
    assert page.get_by_role("status").filter(has_text="已恢复").count() == 0
    advertiser.shot("back-from-the-receipt")
    page.go_forward()
    page.wait_for_url("**/receipt/**")
    assert reference in page.locator(".receipt").inner_text()


def test_without_javascript_the_form_still_works(new_page, live_server, shots, samples):
    page = new_page(java_script_enabled=False)
    journey_with_mistake(page, live_server["url"], shots, samples, "capital-reduction")


# ---------------------------------------------------------------------------------------------
# Phone

def buttons_in_reach(page) -> None:
    """Every button of the form lies within the screen's width and is big enough for a finger."""
    width = page.viewport_size["width"]
    for button in page.locator("form button:visible").all():
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] >= 36, \
            f"{button.inner_text()!r} out of reach: {box}"


def phone_step(page) -> None:
    no_horizontal_scroll(page)
    if page.locator("form.notice-form").count():
        buttons_in_reach(page)


def test_phone_form_is_usable(phone, live_server, shots, samples):
    """On a 390 px phone, the longest form (合并公告): every step without sideways scrolling,
    every button in reach, tapped with a finger."""
    url = live_server["url"]
    phone.goto(url + "/")
    phone_step(phone)
    shots(phone, "index")
    reference = journey_with_mistake(phone, url, shots, samples, "merger", tap=True, each_step=phone_step)
    phone.go_back()
    phone.wait_for_url("**/receipt/**")
    assert reference in phone.locator(".receipt").inner_text()
    phone_step(phone)
