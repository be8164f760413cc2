"""Entity kinds through the web form and the JSON API: the kind is chosen in Chinese, its own statute
is what the pages and the answers cite, and a client that names no kind is served as before."""
from __future__ import annotations

import re

import pytest

from tests.app.test_submit import CONTACT, hidden
from tests.conftest import load_samples
from tests.support.apps import auth

SAMPLES = load_samples()


def test_the_form_offers_every_kind_in_chinese_with_company_chosen(client):
    html = client.get("/submit/liquidation").get_data(as_text=True)
    assert "主体类型" in html
    radios = re.findall(r'<input[^>]*name="entity"[^>]*>', html)
    assert len(radios) == 8
    assert [r for r in radios if "checked" in r and 'value="company"' in r]
    for label in ("公司（有限责任公司、股份有限公司）", "分公司", "个体工商户", "个人独资企业", "合伙企业",
                  "农民专业合作社", "事业单位", "社会组织（社会团体、民办非企业单位、基金会）"):
        assert label in html


@pytest.mark.parametrize("name,words,article", [
    ("liquidation:partnership", "向本企业清算人申报债权",
     "法定刊登期限（清算人确定之日起六十日内），见《合伙企业法》第八十八条"),
    ("liquidation:institution", "请债权人自本单位第一次公告之日起九十日内", "见《事业单位登记管理暂行条例实施细则》"),
])
def test_a_kind_files_through_the_form_under_its_own_statute(client, name, words, article):
    sample = SAMPLES[name]
    html = client.get("/submit/liquidation").get_data(as_text=True)
    data = dict(sample["fields"], **CONTACT, publication_date="2026-11-28",
                submission_key=hidden(html, "submission_key"), action="check")
    page = client.post("/submit/liquidation", data=data).get_data(as_text=True)
    assert "确认提交" in page and "处需要改正" not in page, page
    assert words in page and article in page
    assert "第二百三十五条" not in page and "第二百四十条" not in page
    text = re.search(r'<textarea[^>]*name="text"[^>]*>\s*(.*?)</textarea>', page, re.S).group(1)
    confirm = client.post("/submit/liquidation", data=dict(
        data, action="confirm", preview_token=hidden(page, "preview_token"), text=text,
        composed_hash=hidden(page, "composed_hash")))
    assert confirm.status_code == 303, confirm.get_data(as_text=True)


def test_the_form_refuses_a_title_of_another_kind_next_to_the_title(client):
    html = client.get("/submit/liquidation").get_data(as_text=True)
    data = dict(SAMPLES["liquidation:partnership"]["fields"], **CONTACT, publication_date="2026-11-28",
                submission_key=hidden(html, "submission_key"), action="check", heading="分公司注销公告")
    page = client.post("/submit/liquidation", data=data).get_data(as_text=True)
    assert "处需要改正" in page and "合伙企业的公告标题请选：清算公告、注销公告。" in page


def test_the_api_lists_the_kinds_with_their_statutes(client):
    types = client.get("/api/v1/notice-types").get_json()["notice_types"]
    liquidation = next(t for t in types if t["code"] == "liquidation")
    field = next(f for f in liquidation["fields"] if f["name"] == "entity")
    assert field["label"] == "主体类型" and field["default"] == "company"
    assert {"value": "sole", "label": "个人独资企业"} in field["choices"]
    kinds = {k["code"]: k for k in liquidation["entities"]}
    assert kinds["sole"]["creditor_days"] == 60 and kinds["cooperative"]["deadline"]["days"] == 60
    assert "分公司注销公告" in liquidation["titles"]


SOLE_TEXT = ("广州市示例电子商务商行（统一社会信用代码：91440101MA5CT4P80L）经投资人决定解散，由投资人自行清算。"
             "请债权人于本公告见报之日起60日内向投资人申报债权。联系电话：13800138000。特此公告。")
SOLE_FIELDS = {k: v for k, v in SAMPLES["liquidation:sole"]["fields"].items() if not k.startswith("contact_")}


def test_the_api_accepts_a_sole_proprietorships_sixty_day_notice(client, api_key):
    body = client.post("/api/v1/notices/check", headers=auth(api_key), json={
        "type": "liquidation", "fields": SOLE_FIELDS, "text": SOLE_TEXT, "publication_date": "2026-11-28"}).get_json()
    assert body["ok"] and body["errors"] == [] and body["warnings"] == [], body
    assert [(w["days"], w["article"]) for w in body["windows"]] == [(60, "《个人独资企业法》第二十七条")]
    assert not [i for i in body["info"] if "公司法" in i["message"]]


def test_an_institutions_notice_is_submitted_without_a_company_law_word(client, api_key):
    fields = {"entity": "institution", "heading": "注销公告", "company": "成都晚报社", "cause": "经举办单位决定撤销"}
    text = ("成都晚报社经举办单位决定撤销，已成立清算组，拟向登记管理机关申请注销登记。请债权人自本公告第一次见报之日起"
            "九十日内，向本单位清算组申报债权。本公告连续刊登三次。联系电话：028-86660000。特此公告。")
    r = client.post("/api/v1/notices", headers=auth(api_key, "entity-institution-1"), json={
        "type": "liquidation", "fields": fields, "text": text, "publication_date": "2026-11-28",
        "contact": {"name": "王先生", "phone": "13800138000"}})
    assert r.status_code == 201, r.get_json()
    assert [w for w in r.get_json()["warnings"] if "公司法" in w["message"]] == []


def test_an_api_client_that_names_no_kind_is_served_as_before(client, api_key):
    sample = SAMPLES["liquidation"]
    assert "entity" not in sample["fields"]
    body = client.post("/api/v1/notices/check", headers=auth(api_key),
                       json={**sample, "publication_date": "2026-11-28"}).get_json()
    assert body["ok"] and body["fields"]["entity"] == "company"
    assert "向本公司清算组申报债权" in body["text"]
    assert [w["article"] for w in body["windows"]] == ["《公司法》第二百三十五条", "《公司法》第二百三十五条"]
