"""Each notice type added for issue 13 item 4, tried as a new advertiser would: found on the home
page, filed through the web form (checked, previewed, priced, confirmed) and through the API,
reviewed at the desk, scheduled and printed in the issue's column.

The types are declared only in notices/catalogue.py (their wording in notices/wording.py, their
rules in notices/rules.py) and their samples in tests/data/samples.json: nothing here declares
them, so a type that needs another file changed to be offered, priced or printed fails here.
"""
from __future__ import annotations

import re
import uuid

import pytest

from notices.catalogue import CATALOGUE
from tests.app.test_submit import CONTACT, hidden
from tests.conftest import load_samples
from tests.support.apps import auth
from tests.support.desk import ISSUE, approve_pay_schedule, editor_client, fetch, pdf_text, squash

SAMPLES = load_samples()
PUBLICATION = ISSUE.isoformat()
# What each one's printed text must carry, beyond its title (docs/law.md §9).
NEW_TYPES = {
    "debt-assignment": ("债权转让暨催收公告", "履行还款义务或者相应的担保责任"),
    "eia-publicity": ("环境影响评价信息公示", "公众提出意见的起止时间"),
    "auction": ("拍卖公告", "展示时间"),
    "rename": ("更名声明", "名称变更为"),
    "relocation": ("迁址声明", "迁至广州市黄埔区示例大道8号办公"),
    "new-seal": ("启用新章声明", "启用新的公章"),
    "family-search": ("寻亲启事", "如有知情者"),
    "foundling": ("认领启事", "六十日内"),
    "apology": ("道歉声明", "公开赔礼道歉"),
}
CODES = sorted(NEW_TYPES)


@pytest.fixture
def app(desk_test_app):
    """The desk's app (tests/support/desk.py: cheap password hashing, the newspaper named)."""
    return desk_test_app


def form_fields(code):
    """The sample's fields as the form posts them: a BOOL as a checkbox (absent when off)."""
    t = CATALOGUE[code]
    return {k: v for k, v in SAMPLES[code]["fields"].items() if t.field(k).kind != "bool" or v}


def test_every_new_type_has_its_sample_and_its_own_price_category():
    for code in CODES:
        t = CATALOGUE[code]
        assert SAMPLES[code]["type"] == code
        assert t.price_category == code and t.flat_price_cents is None     # priced per line


@pytest.mark.parametrize("code", CODES)
def test_a_new_advertiser_files_it_through_the_form(client, code):
    title, words = NEW_TYPES[code]
    t = CATALOGUE[code]
    home = client.get("/").get_data(as_text=True)
    assert f'href="/submit/{code}"' in home and (t.entry_title or t.title) in home
    html = client.get(f"/submit/{code}").get_data(as_text=True)
    for f in t.form_fields(None):
        assert f.label in html, f.label
    data = dict(form_fields(code), **CONTACT, publication_date=PUBLICATION,
                submission_key=hidden(html, "submission_key"))
    preview = client.post(f"/submit/{code}", data={**data, "action": "check"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "确认提交" in page and "处需要改正" not in page, page
    summary = re.search(r'id="check-summary">(.*?)</div>', page, re.S).group(1)
    assert "核对完成" in summary and re.search(r"\d+ ?行，¥\d+", summary), summary
    assert 'src="data:image/png;base64,' in page
    text = re.search(r'<textarea[^>]*name="text"[^>]*>\s*(.*?)</textarea>', page, re.S).group(1)
    assert words in text
    confirm = client.post(f"/submit/{code}", data={
        **data, "action": "confirm", "preview_token": hidden(page, "preview_token"), "text": text,
        "composed_hash": hidden(page, "composed_hash")})
    assert confirm.status_code == 303, confirm.get_data(as_text=True)
    assert "公告已受理" in client.get(confirm.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("code", CODES)
def test_an_agency_files_it_through_the_api(client, api_key, code):
    title, words = NEW_TYPES[code]
    listed = next(t for t in client.get("/api/v1/notice-types").get_json()["notice_types"] if t["code"] == code)
    assert listed["title"] == title
    payload = {**SAMPLES[code], "publication_date": PUBLICATION}
    checked = client.post("/api/v1/notices/check", json=payload, headers=auth(api_key)).get_json()
    assert checked["ok"] and checked["warnings"] == [], checked
    assert checked["title"] == title and words in checked["text"] and checked["price"]["amount"] > 0
    created = client.post("/api/v1/notices", json={**payload, "contact": {"name": "王先生", "phone": "13800138000"}},
                          headers=auth(api_key, f"new-type-{code}-{uuid.uuid4().hex[:8]}"))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["title"] == title


@pytest.mark.parametrize("code", CODES)
def test_the_desk_reviews_it_and_the_column_prints_it(app, api_key, code):
    title, words = NEW_TYPES[code]
    t = CATALOGUE[code]
    client = app.test_client()
    created = client.post("/api/v1/notices", json={
        **SAMPLES[code], "publication_date": PUBLICATION, "contact": {"name": "王先生", "phone": "13800138000"}},
        headers=auth(api_key, f"desk-{code}"))
    assert created.status_code == 201, created.get_json()
    reference = created.get_json()["reference"]
    notice = fetch(app, reference)
    assert notice.price_cents > 0 and notice.title == title

    desk = editor_client(app, "admin1", role="admin")
    assert f'<option value="{code}">{t.title}</option>' in desk.get("/desk/").get_data(as_text=True)
    assert reference in desk.get(f"/desk/?type={code}").get_data(as_text=True)
    edit = desk.get(f"/desk/notices/{reference}/edit").get_data(as_text=True)
    assert all(f.label in edit for f in t.form_fields(None) if f.required)
    settings = desk.get("/desk/settings").get_data(as_text=True)
    assert f'name="order__{code}"' in settings and f'<th scope="row">{t.entry_title or t.title}</th>' in settings

    approve_pay_schedule(app, desk, reference)
    issue = desk.get(f"/desk/issues/{PUBLICATION}").get_data(as_text=True)
    assert f"{title}（1）" in issue or f"{t.title}（1）" in issue
    export = desk.post(f"/desk/issues/{PUBLICATION}/export")
    assert export.status_code == 200, export.get_data(as_text=True)[:2000]
    printed = squash(pdf_text(export.data))
    assert squash(title) in printed and squash(words) in printed


def test_an_auction_too_close_to_its_sale_is_refused_on_the_form_with_the_last_day(client):
    html = client.get("/submit/auction").get_data(as_text=True)
    data = dict(form_fields("auction"), **CONTACT, submission_key=hidden(html, "submission_key"), action="check")
    late = client.post("/submit/auction", data={**data, "publication_date": "2026-12-02"}).get_data(as_text=True)
    assert "处需要改正" in late and "《拍卖法》第四十五条规定应在拍卖日期7日前刊登，即最迟2026年12月1日" in late
    ok = client.post("/submit/auction", data={**data, "publication_date": "2026-12-01"}).get_data(as_text=True)
    assert "确认提交" in ok
    # The window reads backwards: the sale, seven days before it, the last issue.
    assert "拍卖公告刊登期限（拍卖日七日前）</strong>：2026年12月8日 前 7 日，最迟 2026年12月1日 刊登" in ok, ok


def test_the_desk_shows_an_auctions_last_issue(app, api_key):
    client = app.test_client()
    created = client.post("/api/v1/notices", json={
        **SAMPLES["auction"], "publication_date": PUBLICATION, "contact": {"name": "王先生", "phone": "13800138000"}},
        headers=auth(api_key, "desk-auction-window"))
    reference = created.get_json()["reference"]
    desk = editor_client(app)
    page = desk.get(f"/desk/notices/{reference}").get_data(as_text=True)
    assert "2026年12月8日 前 7 日，最迟 2026年12月1日 刊登（《拍卖法》第四十五条）" in page


def test_an_eia_notice_asks_for_its_second_date_in_the_consultation(client):
    html = client.get("/submit/eia-publicity").get_data(as_text=True)
    assert "第二次刊登日期" in html
    data = dict(form_fields("eia-publicity"), **CONTACT, publication_date=PUBLICATION,
                submission_key=hidden(html, "submission_key"), action="check", second_date="2026-12-11")
    page = client.post("/submit/eia-publicity", data=data).get_data(as_text=True)
    assert "处需要改正" in page and "第二次刊登日期2026年12月11日须在征求意见期" in page


def test_a_per_line_type_follows_the_default_rule_until_the_paper_prices_it(app):
    """The new types have no starting price: the settings page saved unchanged stores no price of
    theirs (nothing audited), and a price the paper sets for one is the one its notices get."""
    from press import printing
    from store.settings import load_publisher
    from tests.app.test_desk_admin import _audit, _settings_post_data
    from views.extensions import get_db
    admin = editor_client(app, "boss", role="admin")
    data = _settings_post_data(app)
    assert data["rate__auction__model"] == "per_line"
    assert admin.post("/desk/settings", data=data).status_code == 303
    assert not _audit(app, "settings")
    data.update({"rate__auction__model": "flat", "rate__auction__flat_cents": "800"})
    assert admin.post("/desk/settings", data=data).status_code == 303
    with app.app_context():
        with get_db().session() as s:
            card = printing.rate_card(load_publisher(s))
    assert card.categories["auction"].flat_cents == 80000 and "rename" not in card.categories
