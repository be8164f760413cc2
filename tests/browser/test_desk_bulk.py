"""The review queue's bulk actions in Chromium, on a server of its own (it approves the demo
notices): with JavaScript the 全选 box ticks every row; without it the box is not there and rows
are ticked one by one; either way one press does the ticked notices and the page lists each."""
from __future__ import annotations

import pytest

from tests.browser.conftest import create_editor, desk_login, press

pytestmark = pytest.mark.browser

EDITOR, PASSWORD = "bulk.bian", "批量审核也要仔细2026"


@pytest.fixture(scope="module")
def editor_account(fresh_server):
    return create_editor(fresh_server, EDITOR, PASSWORD)


def test_without_javascript_rows_are_ticked_one_by_one(new_page, fresh_server, editor_account, shots):
    url = fresh_server["url"]
    page = new_page(java_script_enabled=False)
    desk_login(page, url, EDITOR, PASSWORD)
    assert not page.locator("[data-select-all]").is_visible()
    boxes = page.locator('input[name="notice"]')
    first, second = boxes.nth(0).get_attribute("value"), boxes.nth(1).get_attribute("value")
    boxes.nth(0).check()
    boxes.nth(1).check()
    press(page, "批准所选")
    result = page.locator("#bulk-results")
    assert "批准所选：已办理 2 则，未办理 0 则" in result.inner_text()
    for value in (first, second):
        assert value.split(":")[0] in result.inner_text()
    shots(page, "bulk-no-js")


def test_select_all_ticks_every_row_and_one_press_approves_them(new_page, fresh_server, editor_account, shots):
    url = fresh_server["url"]
    page = new_page()
    desk_login(page, url, EDITOR, PASSWORD)
    select_all = page.locator("[data-select-all]")
    assert select_all.is_visible()
    boxes = page.locator('input[name="notice"]')
    total = boxes.count()
    assert total >= 13
    select_all.check()
    assert all(boxes.nth(i).is_checked() for i in range(total))
    boxes.nth(0).uncheck()
    assert select_all.evaluate("box => box.indeterminate") is True
    boxes.nth(0).check()
    assert select_all.evaluate("box => box.indeterminate") is False and select_all.is_checked()
    press(page, "批准所选")
    text = page.locator("#bulk-results").inner_text()
    # The two approved in the other test are refused for themselves only (already approved).
    assert f"批准所选：已办理 {total - 2} 则，未办理 2 则" in text or f"已办理 {total} 则" in text, text
    assert "已审核通过" in text
    shots(page, "bulk-select-all")
