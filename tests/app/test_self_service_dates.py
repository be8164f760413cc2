"""A date change by the advertiser or an agency keeps the notice lawful (review of issue 14): a
减资公告 is published within thirty days of the resolution (《公司法》第二百二十四条). The form
warns about a later date and an editor decides; a move from the status page or the API reaches
no editor (a scheduled notice goes straight to the new issue), so a date past the window is
neither offered nor accepted. A notice already late may still move: a later date is then the
only way to print it."""
from __future__ import annotations

import pytest

from tests.support.apps import auth
from tests.support.desk import ISSUE, approve_pay_schedule, editor_client, fetch, secret, submit, version

CAPITAL = 6                         # seed notice: 广东甘全建材有限公司 减资公告
SEED_FIELDS = {"company": "广东甘全建材有限公司", "uscc": "91440101340230099E", "decision": "股东会决议",
               "capital_before": "1000万元", "capital_after": "100万元"}
RESOLVED = "2026-11-17"             # the thirty days end on Thursday 17 December 2026
LAST = "2026-12-17"
PAST_IT = "2026-12-18"


@pytest.fixture
def app(desk_test_app):
    return desk_test_app


def reduction(app, resolved_on=RESOLVED, **kwargs):
    return submit(app, index=CAPITAL, fields={**SEED_FIELDS, "resolved_on": resolved_on}, **kwargs)


def status_url(app, reference):
    return f"/status/{reference}/{secret(app, reference)}"


def move(client, app, reference, day):
    return client.post(f"{status_url(app, reference)}/date",
                       data={"version": version(app, reference), "issue_date": day})


def offered(client, app, reference) -> str:
    html = client.get(status_url(app, reference)).get_data(as_text=True)
    assert "改到这一天" in html
    return html


def test_the_status_page_offers_only_dates_within_the_statutory_window(app, client):
    reference = reduction(app)
    html = offered(client, app, reference)
    assert f'value="{LAST}"' in html and f'value="{PAST_IT}"' not in html


def test_a_date_past_the_window_is_refused_from_the_status_page(app, client):
    reference = reduction(app)
    r = move(client, app, reference, PAST_IT)
    assert r.status_code == 422
    said = r.get_data(as_text=True)
    assert "不能改到2026年12月18日" in said and "截至2026年12月17日" in said and "致电报社" in said
    assert fetch(app, reference).requested_date == ISSUE
    r = move(client, app, reference, LAST)
    assert r.status_code == 303 and fetch(app, reference).requested_date.isoformat() == LAST


def test_a_scheduled_notice_does_not_move_past_its_window(app, client):
    reference = reduction(app)
    approve_pay_schedule(app, editor_client(app, "admin1", role="admin"), reference)
    r = move(client, app, reference, PAST_IT)
    assert r.status_code == 422
    notice = fetch(app, reference)
    assert notice.status == "scheduled" and notice.issue_date == ISSUE


def test_the_api_refuses_a_date_past_the_window(app, client, api_key):
    from store.accounts import find_api_key
    from views.extensions import get_db
    with app.app_context():
        with get_db().session() as s:
            key_id = find_api_key(s, api_key).id
    key = api_key
    reference = reduction(app, api_key_id=key_id)
    r = client.post(f"/api/v1/notices/{reference}/date", json={"publication_date": PAST_IT}, headers=auth(key))
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == "not_allowed" and "截至2026年12月17日" in error["message"]
    r = client.post(f"/api/v1/notices/{reference}/date", json={"publication_date": LAST}, headers=auth(key))
    assert r.status_code == 200 and r.get_json()["requested_date"] == LAST


def test_a_notice_already_late_may_still_move_to_a_later_date(app, client):
    reference = reduction(app, resolved_on="2026-10-01")      # its thirty days ended on 31 October
    assert f'value="{PAST_IT}"' in offered(client, app, reference)
    r = move(client, app, reference, PAST_IT)
    assert r.status_code == 303 and fetch(app, reference).requested_date.isoformat() == PAST_IT
