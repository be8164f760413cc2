"""A notice moved to another date is shown at the desk as checked for that date: a 减资公告 moved
from 7 to 14 December shows its creditors' forty-five days counted from the 14th, whether the
advertiser moved it on the status page, an agency through the API, or an editor scheduled it
into another issue. Its text is not revised for that (no new revision)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from store.accounts import find_api_key
from tests.support.apps import auth
from tests.support.desk import approve_pay_schedule, editor_client, fetch, secret, submit, version
from views.extensions import get_db

CAPITAL = 6                         # seed notice: 广东甘全建材有限公司 减资公告
FIELDS = {"company": "广东甘全建材有限公司", "uscc": "91440101340230099E", "decision": "股东会决议",
          "capital_before": "1000万元", "capital_after": "100万元", "resolved_on": "2026-11-20"}
FIRST, MOVED = date(2026, 12, 7), date(2026, 12, 14)
FROM_FIRST = "2026年12月7日 起 45 日"
FROM_MOVED = "2026年12月14日 起 45 日"


@pytest.fixture
def app(desk_test_app):
    return desk_test_app


def windows_shown(desk, reference) -> str:
    page = desk.get(f"/desk/notices/{reference}").get_data(as_text=True)
    found = re.search(r'<ul class="windows">(.*?)</ul>', page, re.S)
    assert found, "the notice page lists its windows"
    return re.sub(r"<[^>]+>", "", found.group(1))


def infos_shown(desk, reference) -> str:
    page = desk.get(f"/desk/notices/{reference}").get_data(as_text=True)
    found = re.search(r'<ul class="findings infos">(.*?)</ul>', page, re.S)
    return found.group(1) if found else ""


def moved_on_the_status_page(app, client, reference):
    r = client.post(f"/status/{reference}/{secret(app, reference)}/date",
                    data={"version": version(app, reference), "issue_date": MOVED.isoformat()})
    assert r.status_code == 303, r.get_data(as_text=True)


def moved_through_the_api(app, client, reference, key):
    r = client.post(f"/api/v1/notices/{reference}/date", json={"publication_date": MOVED.isoformat()},
                    headers=auth(key))
    assert r.status_code == 200, r.get_json()


@pytest.mark.parametrize("how", ["status-page", "api"])
def test_a_reduction_moved_by_its_advertiser_shows_its_window_from_the_new_date(app, client, api_key, how):
    with app.app_context(), get_db().session() as s:
        key_id = find_api_key(s, api_key).id
    reference = submit(app, index=CAPITAL, fields=FIELDS, issue=FIRST, api_key_id=key_id)
    desk = editor_client(app)
    assert FROM_FIRST in windows_shown(desk, reference)
    if how == "api":
        moved_through_the_api(app, client, reference, api_key)
    else:
        moved_on_the_status_page(app, client, reference)
    shown = windows_shown(desk, reference)
    assert FROM_MOVED in shown and FROM_FIRST not in shown
    infos = infos_shown(desk, reference)
    assert "至2027年1月28日" in infos and "至2027年1月21日" not in infos, "the creditors' last day, said again"
    notice = fetch(app, reference)
    assert notice.current_revision == 1 and len(notice.revisions) == 1, "no new revision for a date"


def test_a_reduction_an_editor_schedules_into_another_issue_shows_its_window_from_that_issue(app):
    reference = submit(app, index=CAPITAL, fields=FIELDS, issue=FIRST)
    desk = editor_client(app, "admin1", role="admin")
    approve_pay_schedule(app, desk, reference, issue=MOVED)
    shown = windows_shown(desk, reference)
    assert FROM_MOVED in shown and FROM_FIRST not in shown
    # Taken out of the issue again, it is the date the advertiser asked for.
    r = desk.post(f"/desk/notices/{reference}/unschedule", data={"version": version(app, reference)})
    assert r.status_code == 303, r.get_data(as_text=True)
    shown = windows_shown(desk, reference)
    assert FROM_FIRST in shown and FROM_MOVED not in shown
