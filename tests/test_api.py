"""JSON API v1: catalogue, identifier checks, notice checks, idempotent submission, status."""
from __future__ import annotations

import threading

import pytest

from store.operations import create_api_key
from tests.conftest import auth, load_samples

SAMPLES = load_samples()
CONTACT = {"name": "王先生", "phone": "13800138000"}


def test_notice_types_lists_every_type_with_fields(client):
    data = client.get("/api/v1/notice-types").get_json()
    codes = [t["code"] for t in data["notice_types"]]
    assert codes == ["lost-document", "revocation", "liquidation", "capital-reduction", "merger", "division",
                     "correction"]
    reduction = next(t for t in data["notice_types"] if t["code"] == "capital-reduction")
    assert {"name": "uscc", "label": "统一社会信用代码", "kind": "uscc"}.items() <= reduction["fields"][1].items()


@pytest.mark.parametrize("kind,value,valid", [
    ("uscc", "91440101MA5ACCGH4P", False), ("uscc", "92440101MA5ACCGH4P", True),
    ("regno", "440126601321994", True), ("regno", "440126601321995", False),
    ("seal-code", "4417810013412", True), ("licence-serial", "S2612019050774G", True),
])
def test_identifier_check_needs_no_key(client, kind, value, valid):
    response = client.post("/api/v1/identifiers/check", json={"kind": kind, "value": value})
    assert response.status_code == 200
    body = response.get_json()
    assert body["valid"] is valid and body["message"]


def test_identifier_check_errors_are_json_in_chinese(client):
    response = client.post("/api/v1/identifiers/check", json={"kind": "passport", "value": "x"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unknown_kind"
    response = client.post("/api/v1/identifiers/check", data="not json", content_type="text/plain")
    assert response.get_json()["error"]["code"] == "invalid_json"


def test_check_and_submit_need_a_key(client):
    assert client.post("/api/v1/notices/check", json={}).status_code == 401
    body = client.post("/api/v1/notices", json={}, headers={"Idempotency-Key": "abcdefgh1"}).get_json()
    assert body["error"]["code"] == "unauthorized" and "密钥" in body["error"]["message"]


def test_check_returns_composed_text_lines_and_price(client, api_key):
    sample = SAMPLES["capital-reduction"]
    body = client.post("/api/v1/notices/check", json={**sample, "publication_date": "2026-11-28"},
                       headers=auth(api_key)).get_json()
    assert body["ok"] and body["errors"] == []
    assert body["text"].startswith("广州市示例建材有限公司（统一社会信用代码：91440101D1TJ3Y7L4G）")
    assert body["lines"] >= 5 and body["price"]["amount"] > 0
    assert any(w["label"].startswith("债权人") for w in body["windows"])


def test_submission_is_idempotent_and_status_is_private_to_the_key(app, client, api_key):
    payload = {**SAMPLES["lost-document:licence"], "publication_date": "2026-11-28", "contact": CONTACT}
    first = client.post("/api/v1/notices", json=payload, headers={**auth(api_key), "Idempotency-Key": "order-0001"})
    assert first.status_code == 201
    ref = first.get_json()["reference"]
    again = client.post("/api/v1/notices", json=payload, headers={**auth(api_key), "Idempotency-Key": "order-0001"})
    assert again.status_code == 200 and again.get_json()["reference"] == ref
    changed = dict(payload, fields=dict(payload["fields"], licence_copy="副本"))
    conflict = client.post("/api/v1/notices", json=changed, headers={**auth(api_key), "Idempotency-Key": "order-0001"})
    assert conflict.status_code == 409 and conflict.get_json()["error"]["code"] == "idempotency_key_reused"
    status = client.get(f"/api/v1/notices/{ref}", headers=auth(api_key)).get_json()
    assert status["status"] == "submitted" and status["status_label"] == "待审核"
    with app.app_context():
        other = create_api_key(app.extensions["notice_db"], "另一家代理")
    assert client.get(f"/api/v1/notices/{ref}", headers=auth(other)).status_code == 404


def test_accepted_with_warnings_says_so(client, api_key):
    """A seal code of an unusual length is not an error (a bureau may issue one), but the agency
    hears of it, once, as the web form shows it; an unknown field is not silently dropped."""
    sample = SAMPLES["lost-document:seal"]
    fields = dict(sample["fields"], seal_code="123", bogus="x")
    payload = {**sample, "fields": fields, "publication_date": "2026-11-28", "contact": CONTACT}
    check = client.post("/api/v1/notices/check", json=payload, headers=auth(api_key)).get_json()
    seal = [w["message"] for w in check["warnings"] if w["field"] == "seal_code"]
    assert seal and seal[0].startswith("印章编码通常为13位") and seal[0].count("印章编码") == 1
    r = client.post("/api/v1/notices", json=payload, headers={**auth(api_key), "Idempotency-Key": "warn-0001"})
    assert r.status_code == 201
    warnings = {w["field"]: w["message"] for w in r.get_json()["warnings"]}
    assert warnings["seal_code"] == seal[0] and "bogus" in warnings["bogus"]
    clean = client.post("/api/v1/notices", json={**sample, "publication_date": "2026-11-28", "contact": CONTACT},
                        headers={**auth(api_key), "Idempotency-Key": "warn-0002"})
    assert clean.status_code == 201 and clean.get_json()["warnings"] == []


def test_concurrent_retries_store_one_notice(app, api_key):
    payload = {**SAMPLES["correction"], "publication_date": "2026-11-28", "contact": CONTACT}
    codes, refs = [], set()

    def post():
        with app.test_client() as c:
            r = c.post("/api/v1/notices", json=payload, headers={**auth(api_key), "Idempotency-Key": "retry-storm-1"})
            codes.append(r.status_code)
            refs.add(r.get_json().get("reference"))
    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes).count(201) == 1 and set(codes) <= {200, 201}
    assert len(refs) == 1
    from sqlalchemy import func, select
    from store.models import Notice
    with app.extensions["notice_db"].session() as s:
        assert s.scalar(select(func.count()).select_from(Notice)) == 1


def test_invalid_notice_is_422_with_errors_per_field(client, api_key):
    fields = dict(SAMPLES["capital-reduction"]["fields"], uscc="91440101D1TJ3Y7L4F", capital_after="2000万元")
    response = client.post("/api/v1/notices", json={"type": "capital-reduction", "fields": fields,
                                                     "publication_date": "2026-11-28", "contact": {}},
                           headers={**auth(api_key), "Idempotency-Key": "bad-order-1"})
    assert response.status_code == 422
    errors = response.get_json()["error"]["errors"]
    assert set(errors) >= {"uscc", "capital_after", "contact.name", "contact.phone"}
    assert "第18位" in errors["uscc"][0]


def test_missing_idempotency_key_is_refused(client, api_key):
    response = client.post("/api/v1/notices", json={}, headers=auth(api_key))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "idempotency_key_required"
    short = client.post("/api/v1/notices", json={}, headers={**auth(api_key), "Idempotency-Key": "rev-001"})
    assert short.status_code == 400 and short.get_json()["error"]["code"] == "idempotency_key_invalid"
    # Chinese stays readable in the raw body (UTF-8, not \uXXXX escapes).
    assert "须为8–100个字母" in short.get_data(as_text=True)


def test_extra_fields_cannot_set_status_or_price(app, client, api_key):
    payload = {**SAMPLES["correction"], "publication_date": "2026-11-28", "contact": CONTACT,
               "status": "published", "price": 0}
    payload["fields"] = dict(payload["fields"], status="published", price_cents="0")
    body = client.post("/api/v1/notices", json=payload, headers={**auth(api_key), "Idempotency-Key": "extra-0001"}).get_json()
    assert body["status"] == "submitted" and body["price"]["amount"] > 0


def test_oversize_body_is_refused_before_parsing(client, api_key):
    response = client.post("/api/v1/notices/check", data="x" * (300 * 1024), content_type="application/json",
                           headers=auth(api_key))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_issue_dates_and_the_default_publication_date(client, api_key):
    dates = client.get("/api/v1/issue-dates").get_json()["issue_dates"]
    # NOW is 2026-11-26 09:00 Beijing: that day's copy deadline (15:00 the day before) has passed.
    assert dates[0] == {"date": "2026-11-27", "copy_deadline": "2026-11-26T15:00:00+08:00"}
    sample = SAMPLES["correction"]
    body = client.post("/api/v1/notices/check", json=sample, headers=auth(api_key)).get_json()
    assert body["ok"] and body["publication_date"] == "2026-11-27"
