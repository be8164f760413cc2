"""Finished texts through the JSON API: an agency sends {"type", "text"} and no fields.

The texts are tests/data/finished-texts.json (written after published notices) and the seed
page's 13; the domain's own tests (tests/domain/test_finished_texts.py) cover what is read."""
from __future__ import annotations

import json

from notices.catalogue import CATALOGUE
from tests.conftest import DATA, load_seed
from tests.support.apps import auth

FINISHED = [item for item in json.loads((DATA / "finished-texts.json").read_text(encoding="utf-8"))
            if set(item.get("needs", ())) <= {f.name for f in CATALOGUE[item["type"]].fields}]
BY_ID = {item["id"]: item for item in FINISHED}
CONTACT = {"name": "王先生", "phone": "13800138000"}
DATE = "2026-11-28"


def _check(client, key, item, text=None, **extra):
    body = {"type": item["type"], "text": item["text"] if text is None else text, "publication_date": DATE, **extra}
    response = client.post("/api/v1/notices/check", json=body, headers=auth(key))
    assert response.status_code == 200
    return response.get_json()


def test_every_finished_text_and_seed_text_passes_as_text_alone(client, api_key):
    texts = [(item["id"], item) for item in FINISHED]
    texts += [(f"seed{i + 1}", {"type": s["type"], "text": s["text"]}) for i, s in enumerate(load_seed())]
    failing = {}
    for name, item in texts:
        body = _check(client, api_key, item)
        if not body["ok"]:
            failing[name] = [e["message"] for e in body["errors"]]
        else:
            assert body["lines"] > 0 and body["price"]["amount"] > 0
    assert failing == {}
    assert len(texts) == len(FINISHED) + 13


def test_the_facts_read_come_back_as_fields(client, api_key):
    body = _check(client, api_key, BY_ID["merger-absorption"])
    assert body["fields"]["party2_uscc"] == "91440105MA5BJ1XG3U"
    assert body["fields"]["merger_form"] == "吸收合并"
    assert any(i["code"] == "read-from-text" for i in body["info"])


def test_a_text_alone_is_submitted(client, api_key):
    item = BY_ID["liquidation-title-kandenghou-signature"]
    response = client.post("/api/v1/notices", headers=auth(api_key, "finished-0001"),
                           json={"type": item["type"], "text": item["text"], "publication_date": DATE,
                                 "contact": CONTACT})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["title"] == "注销公告" and body["text"].endswith("二〇二六年十一月二十六日")


def test_a_wrong_code_written_only_in_the_text_is_refused_naming_it(client, api_key):
    item = BY_ID["reduction-plain"]
    text = item["text"].replace("91440101MA5AY4CLX6", "91440101MA5AY4CLX7")
    response = client.post("/api/v1/notices", headers=auth(api_key, "finished-0002"),
                           json={"type": item["type"], "text": text, "publication_date": DATE, "contact": CONTACT})
    assert response.status_code == 422
    errors = response.get_json()["error"]["errors"]
    assert any("91440101MA5AY4CLX7" in m for m in errors["text"]), errors


def test_a_reduction_that_increases_is_refused(client, api_key):
    item = BY_ID["reduction-plain"]
    body = _check(client, api_key, item, item["text"].replace("由500万元减少至100万元", "由100万元减少至1000万元"))
    assert not body["ok"]
    assert any(e["code"] == "must-reduce" and e["field"] == "text" for e in body["errors"])


def test_a_field_the_text_contradicts_is_an_error(client, api_key):
    item = BY_ID["reduction-plain"]
    body = _check(client, api_key, item, fields={"resolved_on": "2026-11-10"})
    assert any(e["code"] == "text-contradicts-field" for e in body["errors"]), body["errors"]
    assert body["fields"]["resolved_on"] == "2026-11-10"
