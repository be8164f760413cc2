"""Confirm after seeing (issue 14, item 6), in Chromium on a phone and a desktop: after 检查并预览
the page shows the preview and price first, and 确认提交 only once they have been in view; the
preview and price follow the typing; the preview enlarges and downloads as a PDF. Without
JavaScript the server's flow does the same: the page lands on the preview, 放大查看 opens the
larger rendering, 下载 PDF downloads."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Advertiser, preview_is_shown

pytestmark = pytest.mark.browser

NAME = "capital-reduction"          # priced per line: a longer text costs more
WIDTHS = {"phone": PHONE, "desktop": {}}
MORE = "联系人：陈先生，电话：13800138000，地址：广州市天河区体育西路1号。"


def _viewport_shot(shots, page, step: str) -> None:
    """What the person sees without scrolling (the journey's shots are whole pages)."""
    shots.n += 1
    page.screenshot(path=str(shots.dir / f"{shots.n:02d}-{step}-viewport.png"))


def _in_view_above_the_bar(page, selector: str) -> bool:
    return page.evaluate("""sel => {
        const box = document.querySelector(sel).getBoundingClientRect();
        const bar = document.querySelector('.actions').getBoundingClientRect();
        return box.top >= 0 && box.bottom <= Math.min(bar.top + 1, window.innerHeight);
    }""", selector)


def _checked(page, base, samples, shots=None) -> Advertiser:
    who = Advertiser(page, base, shots)
    who.open_entry(NAME)
    who.fill(samples[NAME]["fields"])
    who.contact()
    assert who.press("检查并预览") == 200
    return who


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_after_check_the_preview_and_price_come_first(new_page, live_server, shots, samples, width):
    page = new_page(**WIDTHS[width])
    _checked(page, live_server["url"], samples)
    assert page.url.endswith("#preview")
    preview_is_shown(page)
    page.wait_for_timeout(300)
    assert _in_view_above_the_bar(page, "#preview .price"), "the price is not in view after 检查并预览"
    confirm = page.get_by_role("button", name=re.compile(r"^确认提交"))
    expect(confirm).to_be_visible()
    _viewport_shot(shots, page, f"after-check-{width}")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_confirm_waits_until_the_preview_has_been_seen(new_page, live_server, shots, samples, width):
    """A page with a preview not yet in view (重新生成正文 comes back at the top): the bar offers the
    way to the preview, not 确认提交."""
    page = new_page(**WIDTHS[width])
    who = _checked(page, live_server["url"], samples)
    assert who.press("按所填内容重新生成正文") == 200
    assert not page.url.endswith("#preview")
    page.locator("#preview img").wait_for()
    confirm = page.get_by_role("button", name=re.compile(r"^确认提交"))
    if not _in_view_above_the_bar(page, "#preview .price"):
        expect(confirm).to_be_hidden()
        see = page.locator(".actions").get_by_role("link", name="先看预览与价格")
        expect(see).to_be_visible()
        _viewport_shot(shots, page, f"before-seeing-{width}")
        see.click()
    expect(confirm).to_be_visible()
    assert _in_view_above_the_bar(page, "#preview .price")
    page.evaluate("window.scrollTo(0, 0)")
    expect(confirm).to_be_visible()          # once seen, it stays
    _viewport_shot(shots, page, f"seen-{width}")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_preview_and_price_follow_the_typing(new_page, live_server, shots, samples, width):
    page = new_page(**WIDTHS[width])
    who = _checked(page, live_server["url"], samples, shots)
    price = page.locator("#preview .price strong")
    before, image = price.inner_text(), page.locator("#preview img").get_attribute("src")
    lives: list[float] = []
    page.on("request", lambda r: lives.append(time.monotonic()) if r.url.split("?")[0].endswith("/live") else None)
    text = page.locator("textarea[name=text]")
    edited = text.input_value().replace("特此公告", MORE + "特此公告")
    text.fill(edited)
    typed = time.monotonic()
    expect(price).not_to_have_text(before, timeout=10_000)
    after = price.inner_text()
    assert page.locator("#preview img").get_attribute("src") != image
    assert lives and lives[0] - typed >= 0.5, "the check did not wait for a pause"
    confirm = page.get_by_role("button", name=re.compile(r"^确认提交"))
    expect(confirm).to_have_text(f"确认提交（{after}）")
    expect(confirm).to_be_enabled()
    _viewport_shot(shots, page, f"followed-{width}")
    reference = who.confirm()               # the token followed: confirmed without a 与上次预览不同
    assert reference
    assert after in page.locator(".receipt").inner_text()


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_preview_enlarges_and_downloads_as_a_pdf(new_page, live_server, shots, samples, width):
    page = new_page(**WIDTHS[width], accept_downloads=True)
    _checked(page, live_server["url"], samples)
    small = page.locator("#preview img").evaluate("i => i.naturalWidth")
    page.get_by_role("button", name="放大查看").click()
    dialog = page.locator("dialog.enlarged")
    expect(dialog).to_be_visible()
    big = dialog.locator("img")
    expect(big).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    page.wait_for_function("() => document.querySelector('dialog.enlarged img').naturalWidth > 0")
    assert big.evaluate("i => i.naturalWidth") >= 2 * small
    shown = big.bounding_box()
    assert shown["width"] > page.locator("#preview img").bounding_box()["width"]
    _viewport_shot(shots, page, f"enlarged-{width}")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 PDF").click()
    path = download.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert download.value.suggested_filename.endswith(".pdf")


def test_without_javascript_the_server_flow_lands_on_the_preview_and_gives_the_files(new_page, live_server, shots,
                                                                                     samples):
    page = new_page(java_script_enabled=False, accept_downloads=True, **PHONE)
    _checked(page, live_server["url"], samples)
    assert page.url.endswith("#preview")
    preview_is_shown(page)
    assert _in_view_above_the_bar(page, "#preview .price")
    expect(page.get_by_role("button", name=re.compile(r"^确认提交"))).to_be_visible()
    _viewport_shot(shots, page, "no-js-after-check")
    with page.expect_popup() as popup:
        page.get_by_role("button", name="放大查看").click()
    enlarged = popup.value
    enlarged.wait_for_load_state()
    enlarged.locator("figure img").wait_for()
    assert enlarged.locator("figure img").evaluate("i => i.naturalWidth") >= 2 * page.locator(
        "#preview img").evaluate("i => i.naturalWidth")
    assert enlarged.locator("figure img").bounding_box()["width"] > page.locator("#preview img").bounding_box()["width"]
    shots(enlarged, "no-js-enlarged")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 PDF").click()
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
