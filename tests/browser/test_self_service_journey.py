"""The status page's own forms on a phone (review of issue 14): a refusal comes back with the
message beside the form that was sent, and the page opens there. Before, the page came back at
its top: on a 390 px screen the message under 撤回 was three screens down, and an advertiser who
had pressed 撤回 without ticking the box saw the status page unchanged, as if nothing happened.
With JavaScript on and off (the forms are plain posts)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, Advertiser

pytestmark = pytest.mark.browser


def in_view(page, selector: str) -> bool:
    """The element's box is inside the screen (not merely somewhere on the page)."""
    return page.locator(selector).first.evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.bottom > 0 && r.top < window.innerHeight; }")


def post(page, button) -> int:
    with page.expect_navigation() as nav:
        button.click()
    return nav.value.status


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_refused_withdrawal_opens_at_its_message(new_page, live_server, samples, shots, javascript):
    page = new_page(**PHONE, java_script_enabled=javascript)
    _, status_url = Advertiser(page, live_server["url"]).file(samples["lost-document:licence"], "lost-document:licence")
    page.goto(status_url)
    assert post(page, page.get_by_role("button", name="撤回", exact=True)) == 422
    shots(page, "withdraw-unticked")
    assert in_view(page, "#withdraw-error"), "the refusal's message is off the screen"
    assert "请先勾选" in page.locator("#withdraw-error").inner_text()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_upload_without_a_file_opens_at_its_message(new_page, live_server, samples, shots, javascript):
    page = new_page(**PHONE, java_script_enabled=javascript)
    _, status_url = Advertiser(page, live_server["url"]).file(samples["lost-document:licence"], "lost-document:licence")
    page.goto(status_url)
    assert post(page, page.locator("form.upload").get_by_role("button", name="上传")) == 422
    shots(page, "upload-empty")
    message = page.locator("form.upload .error-message")
    assert "请先选择要上传的文件" in message.inner_text()
    assert in_view(page, "form.upload .error-message"), "the refusal's message is off the screen"
