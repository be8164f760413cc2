"""The law as written, through the JSON API: a 减资公告 that gives creditors a period but not their
right is refused with the article, and nothing is stored; a 撤销公告 of a company dissolved by a
court cannot say it goes on (docs/law.md §6)."""
from __future__ import annotations

from sqlalchemy import func, select

from store.models import Notice
from tests.conftest import load_samples
from tests.support.apps import auth

SAMPLES = load_samples()
CONTACT = {"name": "王先生", "phone": "13800138000"}
CONTACT_ONLY = "请债权人自本公告见报之日起45日内与本公司联系。"


def _reduction_without_the_right(client, api_key) -> dict:
    sample = SAMPLES["capital-reduction"]
    composed = client.post("/api/v1/notices/check", json={**sample, "publication_date": "2026-11-28"},
                           headers=auth(api_key)).get_json()["text"]
    start, end = composed.index("请债权人"), composed.index("担保。") + len("担保。")
    return {**sample, "text": composed[:start] + CONTACT_ONLY + composed[end:], "publication_date": "2026-11-28"}


def test_a_period_without_the_right_is_refused_through_the_api(app, client, api_key):
    payload = _reduction_without_the_right(client, api_key)
    check = client.post("/api/v1/notices/check", json=payload, headers=auth(api_key)).get_json()
    assert not check["ok"]
    refused = [e for e in check["errors"] if e["code"] == "missing:creditor-right"]
    assert refused and "第二百二十四条第二款" in refused[0]["message"] and refused[0]["field"] == "text"

    response = client.post("/api/v1/notices", json={**payload, "contact": CONTACT},
                           headers={**auth(api_key), "Idempotency-Key": "law-right-0001"})
    assert response.status_code == 422
    assert any("清偿债务或者提供相应的担保" in m for m in response.get_json()["error"]["errors"]["text"])
    with app.extensions["notice_db"].session() as s:
        assert s.scalar(select(func.count()).select_from(Notice)) == 0


def test_a_court_dissolved_company_cannot_go_on_through_the_api(client, api_key):
    sample = SAMPLES["revocation"]
    payload = {**sample, "fields": {**sample["fields"], "dissolution_cause": "court"}, "publication_date": "2026-11-28"}
    check = client.post("/api/v1/notices/check", json=payload, headers=auth(api_key)).get_json()
    assert [(e["code"], e["field"]) for e in check["errors"]] == [("dissolution-by-authority", "dissolution_cause")]
    sound = client.post("/api/v1/notices/check", json={**sample, "publication_date": "2026-11-28"},
                        headers=auth(api_key)).get_json()
    assert sound["ok"] and "本公司继续经营" in sound["text"]
