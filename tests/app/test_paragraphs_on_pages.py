"""A notice's paragraphs on the advertiser's pages as in print: the status page and the receipt
keep its line breaks (white-space: pre-line), and so does the proof's text."""
from __future__ import annotations

import json
import uuid

from tests.conftest import DATA, ROOT
from tests.support.apps import auth
from tests.support.desk import secret

FINISHED = [item for item in json.loads((DATA / "finished-texts.json").read_text(encoding="utf-8"))
            if "证券代码" in item["text"]]


def test_the_status_page_and_receipt_show_the_paragraphs(app, client, api_key):
    item = FINISHED[0]
    r = client.post("/api/v1/notices", headers=auth(api_key, uuid.uuid4().hex),
                    json={"type": item["type"], "text": item["text"], "publication_date": "2026-11-28",
                          "contact": {"name": "张三", "phone": "13800138000"}})
    assert r.status_code == 201, r.get_json()
    reference = r.get_json()["reference"]
    code = secret(app, reference)
    for page in (f"/status/{reference}/{code}", f"/receipt/{reference}/{code}"):
        html = client.get(page).get_data(as_text=True)
        shown = html.split('<span class="printed-text">', 1)[1].split("</span>", 1)[0]
        assert "证券代码：603999 证券简称：示范科技 公告编号：2026-058\n" in shown, page
    css = (ROOT / "static" / "css" / "site.css").read_text(encoding="utf-8")
    assert ".printed-text { white-space: pre-line;" in css
    proof = (ROOT / "templates" / "proof" / "proof.html").read_text(encoding="utf-8")
    assert ".notice { margin: 0; white-space: pre-line;" in proof
