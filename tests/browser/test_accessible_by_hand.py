"""Accessible by hand, not only by axe (issue 14, item 8): what a keyboard and a phone found.
Enter (a phone's 前往) runs 检查并预览 and keeps the advertiser's edits; the sticky bar never hides
the focused field (WCAG 2.4.11); errors are tied to their inputs and take the focus; no check
fires during pinyin composition or on a 300 ms pause; no desk table runs off a 320 px screen;
text follows the browser's text size; the focus ring is 3:1 on white; nothing is said only in a
title= tooltip."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Advertiser, desk_login, flask_cli
from tests.browser.test_phone_width import _overflow, scheduled_issue  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser

NAME = "capital-reduction"
EDIT = "联系人：陈先生，电话：13800138000。"
ADMIN, PASSWORD = "wu.zhuren", "键盘和手机都能用2026"


@pytest.fixture(scope="module")
def admin(fresh_server):
    flask_cli(fresh_server, "create-editor", ADMIN, "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    return ADMIN


def _filled(page, base, samples) -> Advertiser:
    who = Advertiser(page, base)
    who.open_entry(NAME)
    who.fill(samples[NAME]["fields"])
    who.contact()
    return who


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_enter_in_a_field_runs_check_and_preview_and_keeps_the_edits(new_page, live_server, shots, samples,
                                                                       javascript):
    page = new_page(java_script_enabled=javascript, **PHONE)
    who = _filled(page, live_server["url"], samples)
    assert who.press("检查并预览") == 200
    text = page.locator("textarea[name=text]")
    edited = text.input_value().replace("特此公告", EDIT + "特此公告")
    text.fill(edited)
    company = page.locator('input[name="company"]')
    with page.expect_navigation():
        company.press("Enter")                     # the phone keyboard's 前往 is the same key
    assert page.url.endswith("#preview")
    assert text.input_value() == edited, "Enter regenerated the text and dropped the edit"
    assert EDIT in page.locator("#preview img").get_attribute("alt")
    shots(page, "after-enter")


def _focus_hidden_by_the_bar(page, stop_at: str | None = None) -> list[str]:
    """Tab through the page; each focused element of main that the sticky bar covers."""
    covered, seen = [], set()
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    for _ in range(120):
        page.keyboard.press("Tab")
        page.wait_for_timeout(60)            # a frame for the page's own scrolling (focus-clear.js)
        state = page.evaluate("""() => {
            const el = document.activeElement, bar = document.querySelector('.actions');
            const key = [...document.querySelectorAll('*')].indexOf(el);
            if (!el || !el.closest('main') || !bar || bar.contains(el)) return {skip: true, key: key};
            const box = el.getBoundingClientRect(), top = bar.getBoundingClientRect().top;
            return {id: el.id || el.name || el.textContent.trim().slice(0, 12), bottom: box.bottom, barTop: top,
                    key: key};
        }""")
        if state["key"] in seen:
            break
        seen.add(state["key"])
        if state.get("skip"):
            continue
        if state["bottom"] > state["barTop"] + 1:
            covered.append(f"{state['id']}: bottom {state['bottom']:.0f} > bar {state['barTop']:.0f}")
    assert len(seen) > 5, seen
    return covered


def test_the_sticky_bar_never_hides_the_focused_field(new_page, live_server, fresh_server, admin, shots, samples):
    page = new_page(**PHONE)
    who = _filled(page, live_server["url"], samples)
    assert who.press("检查并预览") == 200
    assert _focus_hidden_by_the_bar(page) == []
    desk = new_page(**PHONE)
    desk_login(desk, fresh_server["url"], ADMIN, PASSWORD)
    desk.goto(fresh_server["url"] + "/desk/settings")
    assert _focus_hidden_by_the_bar(desk) == []
    shots(desk, "desk-settings")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_errors_take_the_focus_and_lead_to_their_inputs(new_page, live_server, shots, samples, javascript):
    page = new_page(java_script_enabled=javascript)
    who = _filled(page, live_server["url"], samples)
    page.locator('input[name="uscc"]').fill("91440101MA59TEST0X")
    assert who.press("检查并预览") == 200
    assert page.evaluate("document.activeElement.id") == "error-summary"
    uscc = page.locator('input[name="uscc"]')
    assert uscc.get_attribute("aria-invalid") == "true"
    dangling = page.evaluate("""() => [...document.querySelectorAll('[aria-describedby]')].flatMap(el =>
        el.getAttribute('aria-describedby').split(/\\s+/).filter(id => id && !document.getElementById(id)))""")
    assert dangling == []
    described = " ".join(page.evaluate("""() => document.querySelector('[name=uscc]').getAttribute('aria-describedby')
        .split(' ').map(id => document.getElementById(id).textContent)"""))
    assert "统一社会信用代码" in described and "例如" in described, described
    shots(page, "error-summary")
    page.locator("#error-summary a[href='#uscc']").click()
    if javascript:
        assert page.evaluate("document.activeElement.name") == "uscc"
    else:
        assert page.url.endswith("#uscc")
    # The field's label is in view too (scroll-margin-top), not above the screen's edge.
    assert page.locator('label[for="uscc"]').bounding_box()["y"] >= 0


def test_no_check_fires_during_composition_or_a_short_pause(page, live_server, samples):
    _filled(page, live_server["url"], samples)
    sent: list[tuple[float, str]] = []
    page.on("request", lambda r: sent.append((time.monotonic(), r.url)) if re.search(
        r"/live|/identifiers/check", r.url) else None)
    page.wait_for_timeout(1500)
    sent.clear()
    company = page.locator('input[name="company"]')
    company.focus()
    # Pinyin being composed: the input events say isComposing; nothing is checked until it ends.
    page.evaluate("""() => {
        const el = document.querySelector('input[name=company]');
        el.dispatchEvent(new CompositionEvent('compositionstart', {bubbles: true}));
        for (const part of ['g', 'gu', 'gua', 'guan', 'guang']) {
            el.value = '广州市示例建材有限公司' + part;
            el.dispatchEvent(new InputEvent('input', {bubbles: true, isComposing: true,
                                                      inputType: 'insertCompositionText'}));
        }
    }""")
    page.wait_for_timeout(1500)
    assert sent == [], sent
    page.evaluate("""() => {
        const el = document.querySelector('input[name=company]');
        el.value = '广州市示例建材有限公司广';
        el.dispatchEvent(new CompositionEvent('compositionend', {bubbles: true, data: '广'}));
    }""")
    page.wait_for_timeout(1500)
    assert len(sent) == 1, sent
    # Typing with 300 ms pauses: no check between the keys, one after the last.
    sent.clear()
    uscc = page.locator('input[name="uscc"]')
    uscc.fill("")
    page.wait_for_timeout(800)
    sent.clear()
    start = time.monotonic()
    uscc.press_sequentially("914401", delay=300)
    typed = time.monotonic()
    page.wait_for_timeout(1500)
    during = [url for at, url in sent if at < typed]
    assert during == [], during
    assert sent, "no check after the pause"
    assert start < typed


@pytest.mark.parametrize("width", [390, 320])
def test_no_desk_table_runs_off_a_phone(new_page, fresh_server, admin, scheduled_issue, shots, width):  # noqa: F811
    issue, references = scheduled_issue
    url = fresh_server["url"]
    phone = new_page(**{**PHONE, "viewport": {"width": width, "height": 700}})
    phone.set_default_timeout(60_000)
    desk_login(phone, url, ADMIN, PASSWORD)
    too_wide = {}
    for path in ["/desk/", "/desk/issues", "/desk/settings", "/desk/editors", "/desk/audit",
                 f"/desk/issues/{issue.isoformat()}", f"/desk/notices/{references[0]}"]:
        assert phone.goto(url + path).status == 200, path
        seen = _overflow(phone)
        if seen["scroll"] > seen["width"] or seen["outside"] or seen["out_of_card"]:
            too_wide[path] = seen
        shots(phone, f"{width}-" + (path.strip("/").replace("/", "-") or "queue"))
    assert not too_wide, "\n".join(f"{path}: {seen}" for path, seen in too_wide.items())


def test_text_follows_the_browsers_text_size(page, live_server):
    page.goto(live_server["url"] + "/submit/" + NAME)
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 24, "fixed": 20}})
    page.reload()
    larger = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    label = page.evaluate("parseFloat(getComputedStyle(document.querySelector('label[for=company]')).fontSize)")
    assert normal == 16 and larger == 24 and label >= 24, (normal, larger, label)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_the_focus_ring_stands_out_on_white(page, live_server):
    page.goto(live_server["url"] + "/submit/" + NAME)
    for selector in ('input[name="company"]', "textarea[name=text]", ".actions button", "main a"):
        page.locator(selector).first.focus()
        color, width, style = page.evaluate("""sel => { const s = getComputedStyle(document.querySelector(sel));
            return [s.outlineColor, parseFloat(s.outlineWidth), s.outlineStyle]; }""", selector)
        rgb = tuple(int(x) for x in re.findall(r"\d+", color)[:3])
        contrast = (1.05) / (_luminance(rgb) + 0.05)
        assert style != "none" and width >= 2 and contrast >= 3, (selector, color, round(contrast, 2))


def test_nothing_is_said_only_in_a_tooltip(new_page, live_server, fresh_server, admin, scheduled_issue):  # noqa: F811
    issue, references = scheduled_issue
    page = new_page()
    for path in ("/", "/rates", "/submit/" + NAME, "/status", "/verify"):
        page.goto(live_server["url"] + path)
        assert page.locator("body [title]").count() == 0, path
    desk_login(page, fresh_server["url"], ADMIN, PASSWORD)
    for path in ("/desk/", "/desk/?status=approved", "/desk/issues", f"/desk/issues/{issue.isoformat()}",
                 f"/desk/notices/{references[0]}", "/desk/audit"):
        page.goto(fresh_server["url"] + path)
        titled = page.evaluate("() => [...document.querySelectorAll('body [title]')].map(e => e.outerHTML)")
        assert titled == [], (path, titled)
    # What a tag stands for opens under it: the keyboard reaches it.
    page.goto(fresh_server["url"] + "/desk/?status=scheduled")
    tag = page.locator("details.tag-details summary", has_text="未付款先排期").first
    expect(tag).to_be_visible()
    tag.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.tag-details[open]").first).to_contain_text("理由：")
