"""A notice type declared in one place is offered, checked, priced, reviewed and printed.

The fixture below declares 股权转让公告 as notices/catalogue.py says a new type is declared: its
fields, its wording, a rule between its fields and a date rule, its price, registered in
CATALOGUE, and nothing else anywhere. Then the type goes the whole way: the home page, its form
(check, preview, price, confirm), the API, the desk (queue, edit form, settings) and the column.
"""
from __future__ import annotations

import json
import re

import pytest

from notices import catalogue as cat
from notices.catalogue import CATALOGUE, Field, NoticeType, Variant
from notices.checks import check_notice
from notices.wording import money_text
from press import printing
from store.settings import Publisher
from tests.conftest import NOW
from tests.support.apps import auth
from tests.support.desk import ISSUE, approve_pay_schedule, editor_client, fetch
from typesetting import RateCard


@pytest.fixture
def app(desk_test_app):
    """The desk's app (tests/support/desk.py: cheap password hashing, the newspaper named), not conftest's."""
    return desk_test_app


CODE = "equity-transfer"
PUBLICATION = ISSUE.isoformat()
FIELDS = {"company": "广州市示例建材有限公司", "uscc": "91440101D1TJ3Y7L4G", "transferor": "张三",
          "transferee": "李四", "amount": "300万元", "agreed_on": "2026-11-20"}
CONTACT = {"advertiser_name": "陈小明", "advertiser_phone": "13800138000"}


def compose_equity_transfer(f) -> str:
    return (f"{f['company']}（统一社会信用代码：{f['uscc']}）股东{f['transferor']}将其持有的本公司"
            f"{money_text(f['amount'])}出资额转让给{f['transferee']}。特此公告。")


def transferee_is_someone_else(result, t) -> None:
    f = result.fields
    if f.get("transferor") and f.get("transferor") == f.get("transferee"):
        result.error("same-party", "受让方与转让方相同，请核对，例如：转让方张三，受让方李四。", "transferee")


EQUITY_TRANSFER = NoticeType(
    code=CODE, title="股权转让公告", label="股东转让所持公司股权，告知公众",
    fields=(
        cat.company(),
        cat.uscc(),
        Field("transferor", "转让方", max_length=cat.NAME_MAX, in_text=True, help="例如：张三"),
        Field("transferee", "受让方", max_length=cat.NAME_MAX, in_text=True, help="例如：李四"),
        cat.money("amount", "转让的出资额"),
        cat.date("agreed_on", "转让协议签订日期", required=False, not_future=True),
    ),
    compose=compose_equity_transfer,
    rules=(transferee_is_someone_else,),
    price_category=CODE, flat_price_cents=20000,
)


@pytest.fixture
def equity_transfer(monkeypatch):
    monkeypatch.setitem(CATALOGUE, CODE, EQUITY_TRANSFER)
    return EQUITY_TRANSFER


def test_the_checks_run_its_wording_its_rule_and_its_date_flag(equity_transfer):
    result = check_notice(CODE, FIELDS, None, PUBLICATION, now=NOW)
    assert result.ok, result.errors
    assert result.title == "股权转让公告"
    assert result.text == ("广州市示例建材有限公司（统一社会信用代码：91440101D1TJ3Y7L4G）股东张三将其持有的本公司"
                           "300万元出资额转让给李四。特此公告。")
    same = check_notice(CODE, {**FIELDS, "transferee": "张三"}, None, PUBLICATION, now=NOW)
    assert [(e.code, e.field) for e in same.errors] == [("same-party", "transferee")]
    later = check_notice(CODE, {**FIELDS, "agreed_on": "2026-12-01"}, None, PUBLICATION, now=NOW)
    assert any(w.code == "future-date" and w.field == "agreed_on" for w in later.warnings)
    typed = check_notice(CODE, FIELDS, "广州市示例建材有限公司股东张三将股权转让给李四。特此公告。", PUBLICATION,
                         now=NOW)
    assert {e.code for e in typed.errors} == {"field-not-in-text"}     # the code and the amount are missing


def test_home_page_lists_it_and_its_form_is_served(client, equity_transfer):
    home = client.get("/").get_data(as_text=True)
    assert f'href="/submit/{CODE}"' in home and "股权转让公告" in home and "股东转让所持公司股权" in home
    page = client.get(f"/submit/{CODE}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>股权转让公告</h1>" in html
    for label in ("公司名称", "统一社会信用代码", "转让方", "受让方", "转让的出资额", "转让协议签订日期"):
        assert label in html
    assert 'class="variants"' not in html


def test_the_form_checks_previews_prices_and_confirms_it(client, equity_transfer):
    html = client.get(f"/submit/{CODE}").get_data(as_text=True)
    key = re.search(r'name="submission_key"[^>]*value="([^"]*)"', html).group(1)
    data = {**FIELDS, **CONTACT, "publication_date": PUBLICATION, "submission_key": key}
    wrong = client.post(f"/submit/{CODE}", data={**data, "transferee": "张三", "action": "check"})
    assert "受让方与转让方相同" in wrong.get_data(as_text=True)
    preview = client.post(f"/submit/{CODE}", data={**data, "action": "check"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    summary = re.search(r'id="check-summary">(.*?)</div>', html)
    assert summary, re.findall(r'class="banner[^"]*"[^>]*>(.*?)</', html, re.S)
    assert "核对完成" in summary.group(1) and "行，¥200" in summary.group(1)
    assert 'src="data:image/png;base64,' in html and "按件计价：每则¥200" in html
    token = re.search(r'name="preview_token"[^>]*value="([^"]*)"', html).group(1)
    composed = re.search(r'name="composed_hash"[^>]*value="([^"]*)"', html).group(1)
    text = re.search(r'<textarea[^>]*name="text"[^>]*>\s*(.*?)</textarea>', html, re.S).group(1)
    confirm = client.post(f"/submit/{CODE}", data={**data, "action": "confirm", "preview_token": token,
                                                     "composed_hash": composed, "text": text})
    assert confirm.status_code == 303, confirm.get_data(as_text=True)
    assert "公告已受理" in client.get(confirm.headers["Location"]).get_data(as_text=True)


def test_the_api_lists_checks_and_accepts_it(client, api_key, equity_transfer):
    types = client.get("/api/v1/notice-types").get_json()["notice_types"]
    listed = next(t for t in types if t["code"] == CODE)
    assert listed["title"] == "股权转让公告"
    assert [f["name"] for f in listed["fields"]] == list(FIELDS)
    payload = {"type": CODE, "fields": FIELDS, "publication_date": PUBLICATION}
    checked = client.post("/api/v1/notices/check", json=payload, headers=auth(api_key)).get_json()
    assert checked["ok"] and checked["price"]["amount"] == 200
    created = client.post("/api/v1/notices", json={**payload, "contact": {"name": "王先生", "phone": "13800138000"}},
                          headers=auth(api_key, "equity-0001"))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["warnings"] == []


def test_the_desk_reviews_it_and_the_column_prints_and_prices_it(app, api_key, equity_transfer, tmp_path):
    client = app.test_client()
    created = client.post("/api/v1/notices", json={
        "type": CODE, "fields": FIELDS, "publication_date": PUBLICATION,
        "contact": {"name": "王先生", "phone": "13800138000"}}, headers=auth(api_key, "equity-0002"))
    reference = created.get_json()["reference"]
    assert fetch(app, reference).price_cents == 20000

    desk = editor_client(app, "admin1", role="admin")
    queue = desk.get("/desk/").get_data(as_text=True)
    assert reference in queue and f'<option value="{CODE}">股权转让公告</option>' in queue
    assert reference in desk.get(f"/desk/?type={CODE}").get_data(as_text=True)
    edit = desk.get(f"/desk/notices/{reference}/edit")
    assert edit.status_code == 200
    assert all(label in edit.get_data(as_text=True) for label in ("转让方", "受让方", "转让的出资额"))
    # Settings: its place in the column and its row of the rate card, at its starting price.
    settings = desk.get("/desk/settings").get_data(as_text=True)
    assert f'name="order__{CODE}"' in settings and "<th scope=\"row\">股权转让公告</th>" in settings
    assert re.search(rf'name="rate__{CODE}__flat_cents"[^>]*value="200"', settings)

    approve_pay_schedule(app, desk, reference)
    issue = desk.get(f"/desk/issues/{ISSUE.isoformat()}").get_data(as_text=True)
    assert "股权转让公告（1）" in issue and re.search(rf"{reference}.*?第1页第\d栏", issue, re.S)
    # The issue's column prices each notice by its type's category, as the form did.
    with app.app_context():
        [item] = printing.column_items(Publisher(), [fetch(app, reference)])
    assert item.type_code == CODE and item.price_category == CODE

    # The column as `flask typeset` makes it from fields: composed, set and priced as the form did.
    source = tmp_path / "notices.json"
    source.write_text(json.dumps([{"type": CODE, "fields": FIELDS}], ensure_ascii=False), encoding="utf-8")
    report = tmp_path / "report.json"
    result = app.test_cli_runner().invoke(args=["typeset", str(source), "-o", str(tmp_path / "column.pdf"),
                                                "-r", str(report)])
    assert result.exit_code == 0, result.output
    [printed] = json.loads(report.read_text(encoding="utf-8"))["notices"]
    assert printed["title"] == "股权转让公告" and printed["price_cents"] == 20000


def test_a_mistake_in_a_declaration_is_refused_when_the_app_starts():
    with pytest.raises(ValueError, match="unknown variants"):
        NoticeType(code="x", title="某公告", label="", compose=compose_equity_transfer,
                   variants=(Variant("a", "甲", "某公告（甲）", "", "a"),),
                   fields=(Field("name", "名称", variants=("b",)),))
    with pytest.raises(ValueError, match="declared twice"):
        NoticeType(code="x", title="某公告", label="", compose=compose_equity_transfer,
                   fields=(Field("name", "名称"), Field("name", "名称")))


def test_the_starting_prices_come_from_the_catalogue(equity_transfer):
    """Lost items per item as before (a licence or seal ¥300, a personal document ¥150), the
    declared type at its own price, everything else per line by the engine's default rule."""
    card = printing.default_rate_card()
    assert {k: (r.model, r.flat_cents) for k, r in card.categories.items()} == {
        "licence": ("flat", 30000), "seal": ("flat", 30000), "document": ("flat", 15000),
        "org-document": ("flat", 30000), "invoice": ("flat", 30000), CODE: ("flat", 20000)}
    assert card.default == RateCard().default
