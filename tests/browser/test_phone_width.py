"""The desk on a phone (390 px wide, as tests/browser/conftest.py's PHONE): no page is wider than
the screen. The issue page was 725 px wide: its tables (本期公告, 各栏填充, the exports' SHA-256)
ran out of their cards, and the whole page scrolled sideways. A table wider than the screen now
scrolls inside its card (static/css/site.css).

The server is one of this module's own (fresh_server): six demo notices are approved and
scheduled into the first open issue (the store's own functions, on the server's database, as the
desk's buttons call them), and the column is exported once (`flask export-column`), so that every
table of the issue page has rows."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, desk_login, flask_cli

pytestmark = pytest.mark.browser

ADMIN, PASSWORD = "li.zhuren", "手机上也能排版面2026"
PAGES = ["/desk/", "/desk/issues", "/desk/settings", "/desk/editors", "/desk/audit", "/desk/password"]


@pytest.fixture(scope="module")
def scheduled_issue(fresh_server) -> tuple[date, list[str]]:
    """(the issue date, the references scheduled into it), the column exported once."""
    from app import create_app
    from store import workflow
    from store.models import Notice
    app = create_app({"DATABASE_URL": fresh_server["env"]["DATABASE_URL"], "SECRET_KEY": "browser-tests"})
    db = app.extensions["notice_db"]
    try:
        with db.session() as s:
            notices = list(s.scalars(select(Notice).order_by(Notice.id)))
        issue = notices[0].requested_date           # the first open issue when the demo was loaded
        references = [n.reference for n in notices[:6]]
        for reference in references:
            with db.session() as s:
                found = workflow.get_notice(s, reference)
            assert found is not None, reference
            notice = workflow.approve(db, reference, found.version, actor="editor:li.zhuren")
            workflow.schedule(db, reference, notice.version, issue, actor="editor:li.zhuren",
                              override_reason="版面测试：先排期后付款", today=date.today(),
                              is_publishing_day=lambda _day: True)
    finally:
        db.dispose()
    flask_cli(fresh_server, "export-column", issue.isoformat(), "--continue-overflow",
              "--output", str(fresh_server["workdir"] / "column.pdf"))
    return issue, references


def _overflow(page) -> dict:
    """How wide the document is against the screen; the elements that stick out of the screen,
    and the tables that stick out of the card (or whatever box) they are in."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const name = el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
        const outside = [], out_of_card = [];
        for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            if (box.width && box.right > width + 1 && !el.parentElement.closest('table, .table-scroll')) {
                outside.push(name(el) + ' ' + Math.round(box.right));
            }
        }
        for (const table of document.querySelectorAll('main table')) {
            const inner = table.getBoundingClientRect().right, outer = table.parentElement.getBoundingClientRect();
            if (inner > outer.right + 1) out_of_card.push(name(table) + ' ' + Math.round(inner - outer.right));
        }
        return {scroll: document.documentElement.scrollWidth, width: width,
                outside: outside.slice(0, 8), out_of_card: out_of_card};
    }""")


def test_no_desk_page_is_wider_than_a_phone(new_page, fresh_server, scheduled_issue, shots):
    issue, references = scheduled_issue
    # An administrator: the settings and editors pages are theirs.
    flask_cli(fresh_server, "create-editor", ADMIN, "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    url = fresh_server["url"]
    phone = new_page(**PHONE)
    phone.set_default_timeout(60_000)        # the issue page typesets the whole column
    desk_login(phone, url, ADMIN, PASSWORD)
    pages = [*PAGES, f"/desk/issues/{issue.isoformat()}", f"/desk/notices/{references[0]}",
             f"/desk/notices/{references[0]}/history"]
    too_wide = {}
    for path in pages:
        response = phone.goto(url + path)
        assert response.status == 200, path
        seen = _overflow(phone)
        assert seen["width"] == 390, seen
        if seen["scroll"] > seen["width"] or seen["outside"] or seen["out_of_card"]:
            too_wide[path] = seen
        shots(phone, path.strip("/").replace("/", "-") or "queue")
    assert not too_wide, "\n".join(f"{path}: {seen}" for path, seen in too_wide.items())
    # The issue page has what made it too wide: its tables have rows (and scroll inside their cards).
    phone.goto(f"{url}/desk/issues/{issue.isoformat()}")
    for table in ("table.issue-notices", "table.fill"):
        assert phone.locator(f"{table} tr").count() > 1, table
    assert phone.locator("main table", has_text="SHA-256").count() == 1
    widths = phone.evaluate("""() => [...document.querySelectorAll('main table')].map(t =>
        [t.scrollWidth, t.clientWidth, t.getBoundingClientRect().right])""")
    assert any(scroll > client for scroll, client, _right in widths), widths   # wider than the screen: scrolls
    assert all(right <= 390 for _scroll, _client, right in widths), widths
