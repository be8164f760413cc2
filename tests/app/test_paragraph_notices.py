"""A notice of several paragraphs through the API (a finished text with line breaks): its
paragraphs are kept (a line break that ends one), set each on its own, and the line count and
the price are those of the lines the column prints (typesetting/paragraphs.py)."""
from __future__ import annotations

import json

import typesetting
from tests.conftest import DATA
from tests.support.apps import auth

FINISHED = {item["id"]: item for item in json.loads((DATA / "finished-texts.json").read_text(encoding="utf-8"))}
DATE = "2026-11-28"


def _check(client, key, notice_type, text):
    response = client.post("/api/v1/notices/check", headers=auth(key),
                           json={"type": notice_type, "text": text, "publication_date": DATE})
    assert response.status_code == 200
    return response.get_json()


def test_a_listed_company_notice_keeps_its_paragraphs_and_pays_for_its_lines(client, api_key):
    item = next(i for i in FINISHED.values() if "证券代码" in i["text"])
    body = _check(client, api_key, item["type"], item["text"])
    assert body["ok"], body["errors"]
    paragraphs = body["text"].split("\n")
    assert paragraphs[0] == "证券代码：603999 证券简称：示范科技 公告编号：2026-058"
    assert "一、通知债权人的原因" in paragraphs and paragraphs[-1] == "2026年11月26日"
    settings = typesetting.LayoutSettings()
    printed = typesetting.set_notice(body["title"], body["text"], settings)
    assert body["lines"] == printed.line_count
    # The same words run into one paragraph: fewer lines (each paragraph starts a line).
    joined = _check(client, api_key, item["type"], item["text"].replace("\n", ""))
    assert joined["ok"] and "\n" not in joined["text"]
    assert body["lines"] > joined["lines"]


def test_a_line_break_in_the_middle_of_a_sentence_is_joined_and_said(client, api_key):
    item = FINISHED["reduction-plain"] if "reduction-plain" in FINISHED else next(iter(FINISHED.values()))
    text = item["text"].replace("，", "，\n", 1)
    body = _check(client, api_key, item["type"], text)
    assert "\n" not in body["text"].split("。")[0]
    assert any("删除句子中间的换行" in change for change in body.get("changes", []))
