"""The creditors' last day printed where the newspaper wants it (issue 13 item 7): a setting at
/desk/settings, off by default; the day computed from the issue the notice is set in, never
stored with the notice, so that a notice moved to another issue prints that issue's day."""
from __future__ import annotations

import html as html_lib
import re

import pytest

from press import printing
from store.settings import load_publisher, save_publisher
from tests.app.test_desk_admin import _audit, _publisher, _settings_post_data
from tests.support.desk import ISSUE, NEXT_ISSUE, approve_pay_schedule, editor_client, fetch, secret, submit
from views.extensions import get_db

REDUCTION = 6        # seed notice: 广东甘全建材有限公司 减资公告, "自本公告见报之日起45日内"
# ISSUE 2026-11-27 + 45 days = 2027-01-11 (a Monday); NEXT_ISSUE 2026-11-28 + 45 = 2027-01-12.
LAST_DAY = {ISSUE: "45日内（即至2027年1月11日）", NEXT_ISSUE: "45日内（即至2027年1月12日）"}


@pytest.fixture
def app(desk_test_app):
    return desk_test_app


def set_last_day(app, on: bool) -> None:
    with app.app_context():
        with get_db().write() as s:
            publisher = load_publisher(s)
            publisher.print_creditor_last_day = on
            save_publisher(s, publisher)


def status_text(app, reference) -> str:
    page = app.test_client().get(f"/status/{reference}/{secret(app, reference)}")
    assert page.status_code == 200
    return html_lib.unescape(page.get_data(as_text=True))


def column_body(app, reference) -> str:
    notice = fetch(app, reference)
    [item] = printing.column_items(_publisher(app), [notice])
    return item.body


def test_the_setting_is_off_by_default_and_an_administrator_turns_it_on(app):
    assert _publisher(app).print_creditor_last_day is False
    admin = editor_client(app, "boss", role="admin")
    page = admin.get("/desk/settings").get_data(as_text=True)
    assert "债权人期限后注明截止日期" in page and 'name="print_creditor_last_day"' in page
    data = _settings_post_data(app)
    assert "print_creditor_last_day" not in data
    r = admin.post("/desk/settings", data={**data, "print_creditor_last_day": "y"}, follow_redirects=True)
    assert "设置已保存：债权人期限后注明截止日期。" in r.get_data(as_text=True)
    assert _publisher(app).print_creditor_last_day is True
    assert _audit(app, "settings")[-1].details_json.count("print_creditor_last_day") == 1
    page = admin.get("/desk/settings").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="print_creditor_last_day"[^>]*>', page)
    assert box and "checked" in box.group(0)
    data = _settings_post_data(app)
    data.pop("print_creditor_last_day", None)                 # an unticked box is not posted
    admin.post("/desk/settings", data=data)
    assert _publisher(app).print_creditor_last_day is False


def test_with_the_setting_the_notice_prints_the_last_day_of_its_issue(app):
    set_last_day(app, True)
    reference = submit(app, REDUCTION, issue=ISSUE)
    notice = fetch(app, reference)
    assert "即至" not in notice.revision.text                 # stored as confirmed, without the day
    assert LAST_DAY[ISSUE] in status_text(app, reference)      # the date asked for, before scheduling
    editor = editor_client(app)
    approve_pay_schedule(app, editor, reference, issue=ISSUE)
    assert LAST_DAY[ISSUE] in column_body(app, reference)
    # Moved to the next issue: the day is that issue's, and still nothing is stored.
    r = editor.post(f"/desk/notices/{reference}/schedule",
                    data={"version": str(fetch(app, reference).version), "issue_date": NEXT_ISSUE.isoformat()})
    assert r.status_code == 303, r.get_data(as_text=True)
    assert fetch(app, reference).issue_date == NEXT_ISSUE
    body = column_body(app, reference)
    assert LAST_DAY[NEXT_ISSUE] in body and LAST_DAY[ISSUE] not in body
    assert LAST_DAY[NEXT_ISSUE] in status_text(app, reference)
    assert "即至" not in fetch(app, reference).revision.text


def test_the_preview_and_price_are_of_the_text_with_the_last_day(app):
    """The advertiser's quote sets the text as it will print: with the day, when the setting is on."""
    from notices.checks import check_notice
    from tests.conftest import NOW
    from tests.support.desk import load_seed
    item = load_seed()[REDUCTION]
    result = check_notice(item["type"], item["fields"], item["text"], ISSUE, now=NOW)
    publisher = _publisher(app)
    body_off = printing.printable_text(publisher, result.text, type_code=item["type"], fields=result.fields,
                                       issue_date=ISSUE)
    publisher.print_creditor_last_day = True
    body_on = printing.printable_text(publisher, result.text, type_code=item["type"], fields=result.fields,
                                      issue_date=ISSUE)
    assert "即至" not in body_off and LAST_DAY[ISSUE] in body_on


def test_without_the_setting_nothing_is_added(app):
    reference = submit(app, REDUCTION, issue=ISSUE)
    approve_pay_schedule(app, editor_client(app), reference, issue=ISSUE)
    assert "即至" not in column_body(app, reference) and "即至" not in status_text(app, reference)
