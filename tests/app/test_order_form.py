"""One order for several dates from the web form (issue 14 item 5), without JavaScript: the
advertiser ticks further dates, sees each date's price and the total before confirming, and the
confirmation files one notice per date sharing an order key, as POST /api/v1/orders does."""
from __future__ import annotations

import re

from sqlalchemy import select

from store.models import Notice
from tests.conftest import load_samples
from tests.support.desk import fetch
from tests.support.faults import form_url, hidden, previewed

SAMPLES = load_samples()
CONTACT = {"advertiser_name": "陈小明", "advertiser_phone": "13800138000", "advertiser_email": "chen@example.com"}
NAME = "lost-document:licence"


def _found(pattern: str, text: str) -> re.Match[str]:
    match = re.search(pattern, text, re.S)
    assert match is not None, pattern
    return match


def _open_dates(client) -> list[str]:
    """The dates the form offers (open for copy at the test clock's Thursday 09:00)."""
    html = client.get(form_url("lost-document", "licence")).get_data(as_text=True)
    select_html = _found(r'<select[^>]*name="publication_date".*?</select>', html).group(0)
    return re.findall(r'value="(\d{4}-\d\d-\d\d)"', select_html)


def _notices(app) -> list[Notice]:
    with app.extensions["notice_db"].session() as s:
        return list(s.scalars(select(Notice).order_by(Notice.requested_date)))


def _check(client, first: str, more: list[str]):
    sample = SAMPLES[NAME]
    checked, confirm = previewed(client, "lost-document", "licence", sample["fields"], CONTACT,
                                 publication_date=first)
    # The same check with the further dates ticked (what the form posts: one value per box).
    data = dict(confirm, action="check", more_dates=more)
    checked = client.post(form_url("lost-document", "licence"), data=data)
    html = checked.get_data(as_text=True)
    return checked, html, dict(data, action="confirm", preview_token=hidden(html, "preview_token"))


def _order_table(html: str) -> list[list[str]]:
    table = _found(r'<table class="order-dates"[^>]*>(.*?)</table>', html).group(1)
    body = _found(r"<tbody>(.*?)</tbody>", table).group(1)
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_several_dates_priced_each_with_the_total_then_one_notice_per_date(app, client):
    dates = _open_dates(client)
    first, more = dates[1], [dates[0], dates[3]]
    checked, html, confirm = _check(client, first, more)
    assert checked.status_code == 200
    # Before confirming: every date with its price, the total, and 确认提交 saying both.
    rows = _order_table(html)
    assert [r[0] for r in rows] == [f"{int(d[:4])}年{int(d[5:7])}月{int(d[8:])}日" for d in sorted([first, *more])]
    prices = [int(re.sub(r"[^\d]", "", r[2])) for r in rows]
    assert all(p > 0 for p in prices)
    total = sum(prices)
    assert f"合计</th><td><strong>¥{total}</strong>" in html
    assert f"确认提交（3期，合计¥{total}）" in html
    for d in more:                       # the ticked boxes stay ticked
        assert re.search(rf'value="{d}"[^>]*checked', html)

    filed = client.post(form_url("lost-document", "licence"), data=confirm)
    assert filed.status_code == 303, filed.get_data(as_text=True)[:2000]
    notices = _notices(app)
    assert [n.requested_date.isoformat() for n in notices] == sorted([first, *more])
    assert len({n.order_key for n in notices}) == 1
    assert re.fullmatch(r"GO-[0-9A-Z]{4}-[0-9A-Z]{4}", notices[0].order_key)
    assert [n.price_cents // 100 for n in notices] == prices
    assert len({n.reference for n in notices}) == 3
    assert {n.advertiser_email for n in notices} == {CONTACT["advertiser_email"]}
    # The receipt is the chosen 刊登日期's notice, and lists the order's notices with their links.
    main = next(n for n in notices if n.requested_date.isoformat() == first)
    receipt = client.get(filed.headers["Location"]).get_data(as_text=True)
    assert main.reference in filed.headers["Location"]
    assert "本次预订的各期（共 3 期）" in receipt
    for n in notices:
        assert re.search(rf'href="/status/{n.reference}/[0-9a-z]+">{n.reference}</a>', receipt)

    # The same confirmation again (a double click, a retry): nothing more is filed.
    again = client.post(form_url("lost-document", "licence"), data=confirm)
    assert again.status_code == 303 and len(_notices(app)) == 3


def test_a_date_ticked_after_the_preview_is_not_confirmed_unseen(app, client):
    dates = _open_dates(client)
    _, _, confirm = _check(client, dates[0], [dates[2]])
    response = client.post(form_url("lost-document", "licence"), data=dict(confirm, more_dates=[dates[2], dates[4]]))
    assert response.status_code == 200
    assert "与您上次预览时不同" in response.get_data(as_text=True)
    assert _notices(app) == []


def test_a_closed_date_is_refused_under_the_dates(app, client):
    dates = _open_dates(client)
    # The test clock is Thursday 2026-11-26 09:00: today's issue closed long ago.
    checked, html, confirm = _check(client, dates[0], ["2026-11-26"])
    assert "2026-11-26 不能选（已过截稿时间或不出报）" in html
    assert 'id="more_dates-error-0"' in html and 'aria-describedby="more_dates-help more_dates-error-0"' in html
    response = client.post(form_url("lost-document", "licence"), data=confirm)
    assert response.status_code == 422
    assert _notices(app) == []


def test_the_live_check_prices_the_order(client):
    dates = _open_dates(client)
    _, _, confirm = _check(client, dates[0], [dates[1]])
    answer = client.post(form_url("lost-document", "licence").replace("?", "/live?"),
                         data=dict(confirm, action="check", preview="1")).get_json()
    preview = answer["preview"]
    assert len(preview["dates"]) == 2
    assert preview["confirm"] == f"确认提交（2期，合计{preview['total']}）"
    # Its token is the one a confirmation of those two dates is checked against.
    assert preview["token"] == confirm["preview_token"]


def test_an_eia_ordered_on_the_form_for_two_dates_names_each_other_date(app, client):
    """环评公示 is printed twice within its consultation: ordered on the form for both dates, each
    notice gets the other date as its second printing (store/workflow.py order_fields), as the
    API's orders do; the input shows the date so filled."""
    import json
    fields = {k: v for k, v in SAMPLES["eia-publicity"]["fields"].items() if k != "second_date"}
    url = form_url("eia-publicity", None)
    page = client.get(url).get_data(as_text=True)
    data = dict(fields, **CONTACT, publication_date="2026-11-28", more_dates=["2026-12-05"],
                submission_key=hidden(page, "submission_key"), action="check")
    checked = client.post(url, data=data)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and 'id="error-summary"' not in html, html[:3000]
    assert re.search(r'name="second_date"[^>]*value="2026-12-05"', html)
    assert len(_order_table(html)) == 2
    filed = client.post(url, data=dict(data, action="confirm", preview_token=hidden(html, "preview_token"),
                                       second_date="2026-12-05", composed_hash=hidden(html, "composed_hash")))
    assert filed.status_code == 303, filed.get_data(as_text=True)[:3000]
    notices = _notices(app)
    seconds = [json.loads(fetch(app, n.reference).revision.fields_json)["second_date"] for n in notices]
    assert [n.requested_date.isoformat() for n in notices] == ["2026-11-28", "2026-12-05"]
    assert seconds == ["2026-12-05", "2026-11-28"]
    assert len({n.order_key for n in notices}) == 1
