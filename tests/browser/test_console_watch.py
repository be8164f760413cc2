"""The console watch that every journey relies on (conftest.ConsoleWatch) does see errors: a
journey passing "with no console errors" means something only if this holds."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ConsoleWatch

pytestmark = pytest.mark.browser


def test_console_watch_sees_script_errors_and_failed_resources(browser, live_server):
    context = browser.new_context()
    watch = ConsoleWatch()
    context.on("page", watch.attach)
    try:
        page = context.new_page()
        page.goto(live_server["url"] + "/")
        with page.expect_console_message(lambda m: m.type == "error"):
            page.evaluate("() => console.error('测试：控制台错误')")
        with page.expect_event("pageerror"):
            page.evaluate("() => { setTimeout(() => { throw new Error('未捕获'); }); }")
        with page.expect_console_message(lambda m: "404" in m.text):
            page.evaluate("() => fetch('/static/js/no-such-file.js')")
        # A page sent with 404 on purpose: its status is the test's business, not the console's.
        with page.expect_console_message(lambda m: "404" in m.text):
            page.goto(live_server["url"] + "/no-such-page")
    finally:
        context.close()
    problems = "\n".join(watch.problems)
    assert "测试：控制台错误" in problems and "未捕获" in problems and "no-such-file.js" in problems, problems
    assert "no-such-page" not in problems, problems
